import { deploymentOfReplicaSet } from '../webhooks/ssi.js';
import { findNamed, qualifiedName, selects, serviceSelects } from './objects.js';
import type { ClusterSnapshot, SnapshotContainer, SnapshotPod, SnapshotWorkload } from './snapshot.js';
import { looksLikeDatadogEntry } from './webhook-entries.js';

// Where the Cluster Agent runs: the Deployment behind the webhook's Service
// (Service selector -> pods -> owner), else a Deployment with a
// `cluster-agent` container. Its labels say who installed it, which decides
// how a fix is written.

/** Who manages the Cluster Agent's Deployment, so a fix changes the right thing. */
export type Installer = { kind: 'helm'; release: string } | { kind: 'operator'; datadogAgent: string } | { kind: 'manifests' };

/** The Cluster Agent as found in the snapshot. */
export interface ClusterAgent {
  deployment: SnapshotWorkload;
  namespace: string;
  name: string;
  /** The `cluster-agent` container of the pod template (else its first container). */
  container: SnapshotContainer;
  /** Its pods in the snapshot (the Deployment's selector, in its namespace). */
  pods: SnapshotPod[];
  installer: Installer;
  /** How it was found, for the details. */
  foundVia: string;
}

/** The container name the Helm chart and the Operator give the Cluster Agent. */
export const CLUSTER_AGENT_CONTAINER = 'cluster-agent';

/** Finds the Cluster Agent Deployment, in `namespace` when given. */
export function findClusterAgent(snapshot: ClusterSnapshot, namespace?: string): ClusterAgent | undefined {
  const behindWebhook = deploymentsBehindWebhooks(snapshot, namespace);
  if (behindWebhook) return describe(snapshot, behindWebhook.deployment, behindWebhook.via);
  const byContainer = deploymentWithAgentContainer(snapshot, namespace);
  if (!byContainer) return undefined;
  return describe(snapshot, byContainer, `the Deployment with a ${CLUSTER_AGENT_CONTAINER} container`);
}

/**
 * The namespaces whose pods findClusterAgent reads: those of the Services the
 * Datadog webhooks name, and that of the Deployment with a cluster-agent
 * container. A snapshot that keeps only their pods finds the same Cluster Agent.
 */
export function clusterAgentNamespaces(snapshot: ClusterSnapshot, namespace?: string): string[] {
  const found = new Set(webhookServiceRefs(snapshot, namespace).map((ref) => ref.namespace));
  const byContainer = deploymentWithAgentContainer(snapshot, namespace);
  if (byContainer) found.add(byContainer.metadata.namespace ?? 'default');
  return [...found];
}

/**
 * Whether findClusterAgent can read a pod: one in a namespace it looks in that
 * a webhook's Service or a Deployment there selects. The node Agent's DaemonSet
 * pods, one per node in that namespace, are not: a snapshot that keeps only the
 * pods this accepts finds the same Cluster Agent.
 */
export function clusterAgentPodFilter(snapshot: ClusterSnapshot, namespace?: string): (pod: SnapshotPod) => boolean {
  const namespaces = new Set(clusterAgentNamespaces(snapshot, namespace));
  const services = webhookServiceRefs(snapshot, namespace).flatMap((ref) => findNamed(snapshot.objects.services, ref.namespace, ref.name) ?? []);
  const deployments = snapshot.objects.deployments.filter((d) => namespaces.has(d.metadata.namespace ?? 'default'));
  return (pod) => {
    const podNamespace = pod.metadata.namespace ?? 'default';
    const labels = pod.metadata.labels;
    if (!namespaces.has(podNamespace)) return false;
    return (
      services.some((s) => s.metadata.namespace === podNamespace && serviceSelects(s.spec?.selector, labels)) ||
      deployments.some((d) => (d.metadata.namespace ?? 'default') === podNamespace && selects(d.spec?.selector, labels))
    );
  };
}

/** The Services the Datadog webhook entries call (in `namespace` when given), with the configuration naming each. */
function webhookServiceRefs(snapshot: ClusterSnapshot, namespace: string | undefined): { namespace: string; name: string; configuration: string }[] {
  return snapshot.objects.mutatingwebhookconfigurations.flatMap((configuration) =>
    (configuration.webhooks ?? []).filter(looksLikeDatadogEntry).flatMap((entry) => {
      const ref = entry.clientConfig.service;
      if (!ref || (namespace !== undefined && ref.namespace !== namespace)) return [];
      return [{ namespace: ref.namespace, name: ref.name, configuration: configuration.metadata.name }];
    }),
  );
}

function deploymentWithAgentContainer(snapshot: ClusterSnapshot, namespace: string | undefined): SnapshotWorkload | undefined {
  return snapshot.objects.deployments.find((d) => (namespace === undefined || d.metadata.namespace === namespace) && clusterAgentContainer(d) !== undefined);
}

function clusterAgentContainer(d: SnapshotWorkload): SnapshotContainer | undefined {
  const containers = d.spec?.template?.spec?.containers ?? [];
  return containers.find((c) => c.name === CLUSTER_AGENT_CONTAINER) ?? containers.find((c) => /(^|\/)cluster-agent(:|@|$)/.test(c.image ?? ''));
}

function deploymentsBehindWebhooks(snapshot: ClusterSnapshot, namespace: string | undefined): { deployment: SnapshotWorkload; via: string } | undefined {
  const { objects } = snapshot;
  for (const ref of webhookServiceRefs(snapshot, namespace)) {
    const service = findNamed(objects.services, ref.namespace, ref.name);
    const pod = service && objects.pods.find((p) => p.metadata.namespace === ref.namespace && serviceSelects(service.spec?.selector, p.metadata.labels));
    const deployment = pod && owningDeployment(snapshot, pod);
    if (deployment) return { deployment, via: `the pods Service ${qualifiedName(service)} selects (named by ${ref.configuration})` };
  }
  return undefined;
}

/** The Deployment that owns a pod through its ReplicaSet (by the ReplicaSet's name when the ReplicaSet is not in the snapshot). */
function owningDeployment(snapshot: ClusterSnapshot, pod: SnapshotPod): SnapshotWorkload | undefined {
  const namespace = pod.metadata.namespace ?? undefined;
  const ref = pod.metadata.ownerReferences?.find((r) => r.kind === 'ReplicaSet');
  if (!ref) return undefined;
  const rs = findNamed(snapshot.objects.replicasets, namespace, ref.name);
  const name = rs?.metadata.ownerReferences?.find((r) => r.kind === 'Deployment')?.name ?? deploymentOfReplicaSet(ref.name);
  return name ? findNamed(snapshot.objects.deployments, namespace, name) : undefined;
}

function describe(snapshot: ClusterSnapshot, deployment: SnapshotWorkload, foundVia: string): ClusterAgent | undefined {
  const container = clusterAgentContainer(deployment) ?? deployment.spec?.template?.spec?.containers?.[0];
  if (!container) return undefined;
  const namespace = deployment.metadata.namespace ?? 'default';
  const pods = snapshot.objects.pods.filter((p) => p.metadata.namespace === namespace && selects(deployment.spec?.selector, p.metadata.labels));
  return { deployment, namespace, name: deployment.metadata.name, container, pods, installer: installerOf(deployment), foundVia };
}

/** Helm (chart labels), the Datadog Operator (its labels), or plain manifests. */
function installerOf(deployment: SnapshotWorkload): Installer {
  const labels = deployment.metadata.labels ?? {};
  if (labels['helm.sh/chart']?.startsWith('datadog') || labels['app.kubernetes.io/managed-by'] === 'Helm') {
    return { kind: 'helm', release: labels['app.kubernetes.io/instance'] ?? labels['release'] ?? '<release>' };
  }
  if (labels['app.kubernetes.io/managed-by'] === 'datadog-operator' || labels['agent.datadoghq.com/name'] !== undefined) {
    return { kind: 'operator', datadogAgent: labels['agent.datadoghq.com/name'] ?? '<datadogagent>' };
  }
  return { kind: 'manifests' };
}

/** `Helm release datadog`, `DatadogAgent datadog`, `plain manifests`. */
export function describeInstaller(installer: Installer): string {
  if (installer.kind === 'helm') return `Helm release ${installer.release}`;
  if (installer.kind === 'operator') return `DatadogAgent ${installer.datadogAgent}`;
  return 'plain manifests';
}
