import type { ProbeResult } from '@dd-admission/core';
import {
  AGENT_NAMESPACE,
  APP_NAMESPACE,
  clusterDocuments,
  healthyCluster,
  mutatedProbe,
  webhookConfiguration,
  webhookSecret,
  webPod,
  type ClusterObjects,
} from './healthy.js';

// One cluster per doctor check, each breaking exactly that check (some
// checks have several ways to break), plus the healthy cluster they start
// from. The core's tests run the doctor on them; the CLI's run the same
// clusters live against the Kubernetes API double and dumped through --from.

type Obj = Record<string, unknown>;

/** A cluster the doctor is run on, and what it must say. */
export interface SeededCluster {
  name: string;
  /** The check this cluster breaks; null for the healthy cluster. */
  breaks: string | null;
  /** What the broken check reports (ok for the healthy cluster). */
  status: 'ok' | 'warn' | 'fail';
  /** Text the broken check's summary, details or fix must contain. */
  expect: string;
  /** What differs from the healthy cluster. */
  description: string;
  /** The objects, as a dump would list them (a fresh copy on each call). */
  objects: () => Obj[];
  /** The probe's result to give the doctor; without one, `connectivity` is skip. */
  probe?: ProbeResult;
}

// Seeds reach into nested fields of plain objects they built themselves.
type AnyObj = Record<string, any>;

function seed(name: string, breaks: string, status: 'warn' | 'fail', expect: string, description: string, edit: (c: ClusterObjects) => void, probe?: ProbeResult): SeededCluster {
  return {
    name,
    breaks,
    status,
    expect,
    description,
    objects: () => {
      const c = healthyCluster();
      edit(c);
      return clusterDocuments(c);
    },
    ...(probe ? { probe } : {}),
  };
}

function agentEnv(c: ClusterObjects): AnyObj[] {
  return (c.agentDeployment as AnyObj).spec.template.spec.containers[0].env;
}

function setAgentEnv(c: ClusterObjects, name: string, value: string): void {
  const env = agentEnv(c);
  const i = env.findIndex((e) => e.name === name);
  const entry = { name, value };
  if (i >= 0) env[i] = entry;
  else env.push(entry);
}

function entries(c: ClusterObjects): AnyObj[] {
  return (c.webhookConfiguration as AnyObj).webhooks;
}

/** Socket mode (from the ConfigMap the mode is read from), and the web pods never created because they are refused. */
function socketModeNoWebPods(c: ClusterObjects): void {
  (c.agentConfigMap as AnyObj).data.mode = 'socket';
  c.workloads = c.workloads.filter((o) => !(o.kind === 'Pod' && (o as AnyObj).metadata.namespace === APP_NAMESPACE && (o as AnyObj).metadata.name.startsWith('web-')));
  for (const w of c.workloads.filter((o) => (o as AnyObj).metadata.name === 'web' || (o as AnyObj).metadata.name === 'web-7c9d8f6b5')) {
    (w as AnyObj).status = { replicas: 2, readyReplicas: 0 };
  }
}

function relabelNodes(c: ClusterObjects, rename: (i: number) => string, labels: Record<string, string>, providerID: (i: number) => string, kubelet: string): void {
  c.nodes = c.nodes.map((n, i) => {
    const node = structuredClone(n) as AnyObj;
    node.metadata.name = rename(i);
    node.metadata.labels = { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': rename(i), ...labels };
    node.spec.providerID = providerID(i);
    node.status.nodeInfo.kubeletVersion = kubelet;
    return node;
  });
}

function apiDeployment(): Obj[] {
  const template = { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'eclipse-temurin:21-jre' }] } };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'api',
        namespace: APP_NAMESPACE,
        labels: { app: 'api', 'admission.datadoghq.com/enabled': 'true' },
        annotations: { 'admission.datadoghq.com/java-lib.version': 'v1.31.0' },
      },
      spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template },
      status: { replicas: 1, readyReplicas: 1 },
    },
  ];
}

/** The healthy cluster and one seeded cluster per way of breaking a check. */
export const SEEDED_CLUSTERS: readonly SeededCluster[] = [
  {
    name: 'healthy',
    breaks: null,
    status: 'ok',
    expect: '',
    description: 'EKS, Cluster Agent 7.49.1 by Helm in datadog, mode hostip, web pods mutated, probe mutated',
    objects: () => clusterDocuments(healthyCluster()),
    probe: mutatedProbe(),
  },
  seed('cluster-agent-degraded', 'cluster-agent', 'warn', '1/2 Cluster Agent replicas ready', 'two replicas wanted, one pending', (c) => {
    (c.agentDeployment as AnyObj).spec.replicas = 2;
    (c.agentDeployment as AnyObj).status = { replicas: 2, readyReplicas: 1, availableReplicas: 1 };
    const pending = structuredClone(c.agentPods[0]) as AnyObj;
    pending.metadata.name = 'datadog-cluster-agent-6b7f9d8c4d-m4r9t';
    pending.status = { phase: 'Pending' };
    c.agentPods.push(pending);
  }),
  seed('webhook-wrong-namespace', 'webhook-configuration', 'fail', 'call a Service in namespace default, not datadog', 'the webhooks call the Service in namespace default (left by an install there)', (c) => {
    for (const e of entries(c)) e.clientConfig.service.namespace = 'default';
  }),
  seed('webhook-other-release-names', 'webhook-configuration', 'warn', 'another Cluster Agent release', 'entries carry the 7.58+ names while 7.49.1 runs', (c) => {
    const renamed: Record<string, string> = { 'datadog.webhook.config': 'datadog.webhook.agent.config', 'datadog.webhook.tags': 'datadog.webhook.standard.tags', 'datadog.webhook.auto.instrumentation': 'datadog.webhook.lib.injection' };
    for (const e of entries(c)) e.name = renamed[e.name];
  }),
  seed('service-wrong-target-port', 'webhook-service', 'fail', 'forwards port 443 to 8443', 'the Service targets 8443, the Cluster Agent listens on 8000', (c) => {
    (c.webhookService as AnyObj).spec.ports[0].targetPort = 8443;
    (c.webhookEndpoints as AnyObj).subsets[0].ports[0].port = 8443;
  }),
  seed('certificate-wrong-namespace', 'certificate', 'fail', 'not datadog-cluster-agent-admission-controller.datadog.svc', 'the certificate was made for namespace default', (c) => {
    c.webhookSecret = webhookSecret('default-namespace');
    c.webhookConfiguration = webhookConfiguration('default-namespace');
  }),
  seed('certificate-expired', 'certificate', 'fail', 'expired on 2026-05-01', 'the certificate expired a month ago', (c) => {
    c.webhookSecret = webhookSecret('expired');
    c.webhookConfiguration = webhookConfiguration('expired');
  }),
  seed('certificate-ca-bundle-mismatch', 'certificate', 'fail', 'x509: certificate signed by unknown authority', 'the webhooks trust another certificate than the Secret holds', (c) => {
    c.webhookConfiguration = webhookConfiguration('other-webhook');
  }),
  seed('failure-policy-fail', 'failure-policy', 'warn', 'failurePolicy Fail', 'failure_policy Fail', (c) => {
    setAgentEnv(c, 'DD_ADMISSION_CONTROLLER_FAILURE_POLICY', 'Fail');
    for (const e of entries(c)) e.failurePolicy = 'Fail';
  }),
  seed('injection-mode-autopilot', 'injection-mode', 'fail', 'GKE Autopilot', 'GKE Autopilot nodes, socket mode, the web pods refused by Warden', (c) => {
    socketModeNoWebPods(c);
    relabelNodes(
      c,
      (i) => `gk3-prod-pool-1-9f3c2a1b-${i === 0 ? 'x7kq' : 'm2np'}`,
      { 'cloud.google.com/gke-nodepool': 'pool-1', 'cloud.google.com/gke-autopilot': 'true' },
      (i) => `gce://acme-prod/us-central1-${i === 0 ? 'a' : 'b'}/gk3-prod-pool-1-9f3c2a1b-${i === 0 ? 'x7kq' : 'm2np'}`,
      'v1.30.5-gke.1014001',
    );
  }),
  seed('injection-mode-openshift', 'injection-mode', 'fail', 'OpenShift', 'OpenShift nodes, socket mode, the web pods refused by their SCC', (c) => {
    socketModeNoWebPods(c);
    relabelNodes(c, (i) => `worker-${i}.ocp.example.com`, { 'node.openshift.io/os_id': 'rhcos', 'node-role.kubernetes.io/worker': '' }, () => '', 'v1.29.10+67d3387');
  }),
  seed('injection-mode-pod-security', 'injection-mode', 'fail', 'shop (restricted)', 'namespace shop enforces restricted, socket mode', (c) => {
    socketModeNoWebPods(c);
    const shop = c.namespaces.find((n) => (n as AnyObj).metadata.name === APP_NAMESPACE) as AnyObj;
    shop.metadata.labels['pod-security.kubernetes.io/enforce'] = 'restricted';
  }),
  seed('aks-without-selectors', 'aks-selectors', 'fail', 'AKS', 'AKS nodes, add_aks_selectors left false', (c) => {
    relabelNodes(
      c,
      (i) => `aks-nodepool1-31718369-vmss00000${i}`,
      { 'kubernetes.azure.com/cluster': 'MC_prod_prod_eastus', 'kubernetes.azure.com/role': 'agent', agentpool: 'nodepool1' },
      (i) => `azure:///subscriptions/0000/resourceGroups/mc_prod/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-31718369-vmss/virtualMachines/${i}`,
      'v1.29.7',
    );
  }),
  seed('network-policy-deny-all', 'network-policy', 'fail', 'isolates the Cluster Agent', "a deny-all ingress policy in datadog replaces the chart's", (c) => {
    c.networkPolicies = [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'default-deny-ingress', namespace: AGENT_NAMESPACE },
        spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }] },
      },
    ];
  }),
  seed('network-policy-cilium', 'network-policy', 'warn', 'verify by hand', 'a CiliumNetworkPolicy in datadog', (c) => {
    c.networkPolicies.push({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'datadog-cluster-agent', namespace: AGENT_NAMESPACE },
      specs: [{ endpointSelector: { matchLabels: { app: 'datadog-cluster-agent' } }, ingress: [{ fromEndpoints: [{}] }] }],
    });
  }),
  seed('workload-labels-on-deployment', 'workload-labels', 'warn', 'deployment/api -n shop', "the api Deployment's opt-in label and library annotation sit on its own metadata", (c) => {
    c.workloads.push(...apiDeployment());
  }),
  seed('opt-in-nothing', 'opt-in', 'fail', 'nothing will ever be mutated', 'no pod template carries the enabled label; the web pods are not mutated', (c) => {
    for (const o of c.workloads.filter((w) => (w as AnyObj).metadata.namespace === APP_NAMESPACE) as AnyObj[]) {
      for (const meta of [o.metadata, o.spec?.template?.metadata, o.spec?.jobTemplate?.spec?.template?.metadata]) delete meta?.labels?.['admission.datadoghq.com/enabled'];
      if (o.kind === 'Pod' && o.metadata.name.startsWith('web-')) o.spec.containers[0].env = [{ name: 'PORT', value: '8080' }];
    }
  }),
  seed('stale-pods-before-webhook', 'stale-pods', 'warn', 'kubectl rollout restart deployment/web -n shop', 'a web pod created before the webhook existed', (c) => {
    c.workloads.push(webPod('web-7c9d8f6b5-old01', '2025-12-20T09:00:00Z', []));
  }),
  seed('connectivity-timeout-eks', 'connectivity', 'fail', 'aws ec2 authorize-security-group-ingress', 'the probe pod comes back unmutated after the 10s timeout: the security group blocks 8000', () => {}, {
    outcome: 'created',
    namespace: APP_NAMESPACE,
    elapsedMs: 10_012,
    pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dd-admission-doctor-r2d8x', namespace: APP_NAMESPACE, labels: { 'admission.datadoghq.com/enabled': 'true' } }, spec: { containers: [{ name: 'probe', image: 'registry.k8s.io/pause:3.9' }] } },
  }),
  seed('connectivity-other-version', 'connectivity', 'warn', 'another Cluster Agent version or configuration', 'the webhook that answers injects DD_EXTERNAL_ENV (7.57+) as well', () => {}, withExtraEnv(mutatedProbe(), { name: 'DD_EXTERNAL_ENV', value: 'it-false,cn-probe,pu-$(DD_INTERNAL_POD_UID)' })),
];

function withExtraEnv(probe: ProbeResult, entry: Obj): ProbeResult {
  const copy = structuredClone(probe) as AnyObj;
  copy.pod.spec.containers[0].env.unshift(entry);
  return copy as ProbeResult;
}
