import { probePod, type ProbeResult } from '@dd-admission/core';
import { clusterCertificate, type ClusterCertificate } from '../cluster-certificates.js';

// A healthy cluster, as `kubectl get -A -o yaml` would show it: an EKS cluster
// with the Cluster Agent 7.49.1 installed by the Helm chart (release `datadog`
// in namespace `datadog`, mode hostip), its webhook configuration, Service,
// endpoints, certificate Secret and network policy, and an application in
// `shop` whose pods the webhook already mutated. Every doctor check is ok on
// it. The seeded clusters (seeded.ts) each change one thing.

type Obj = Record<string, unknown>;

/** The healthy cluster's objects by role, so a seeded cluster can change one of them. */
export interface ClusterObjects {
  namespaces: Obj[];
  nodes: Obj[];
  agentDeployment: Obj;
  agentConfigMap: Obj;
  agentReplicaSet: Obj;
  agentPods: Obj[];
  webhookService: Obj;
  webhookEndpoints: Obj;
  webhookSecret: Obj;
  webhookConfiguration: Obj;
  networkPolicies: Obj[];
  /** Application workloads and their pods, and system pods. */
  workloads: Obj[];
}

export const AGENT_NAMESPACE = 'datadog';
export const APP_NAMESPACE = 'shop';
export const SERVICE_NAME = 'datadog-cluster-agent-admission-controller';
export const AGENT_IMAGE = 'gcr.io/datadoghq/cluster-agent:7.49.1';
/** The time the seeded clusters are examined at (certificates are valid 2026-01-01 to 2027-01-01). */
export const CLUSTER_NOW = '2026-06-01T12:00:00Z';

const ENABLED = 'admission.datadoghq.com/enabled';
const AGENT_LABELS = { app: 'datadog-cluster-agent', [ENABLED]: 'false', 'app.kubernetes.io/component': 'cluster-agent' };
const HELM_LABELS = {
  'app.kubernetes.io/instance': 'datadog',
  'app.kubernetes.io/managed-by': 'Helm',
  'app.kubernetes.io/name': 'datadog',
  'helm.sh/chart': 'datadog-3.69.0',
};
const WEB_LABELS = {
  app: 'web',
  [ENABLED]: 'true',
  'tags.datadoghq.com/env': 'prod',
  'tags.datadoghq.com/service': 'web',
  'tags.datadoghq.com/version': '1.4.2',
};

/** Base64 of UTF-8 text, as the API carries Secret data and CA bundles. */
export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

const owner = (apiVersion: string, kind: string, name: string) => ({ apiVersion, kind, name, uid: `uid-${name}`, controller: true, blockOwnerDeletion: true });
const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });

function namespace(name: string, labels: Record<string, string> = {}): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

function node(name: string, zone: string, ip: string, instance: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': name, 'eks.amazonaws.com/nodegroup': 'workers', 'topology.kubernetes.io/zone': zone } },
    spec: { providerID: `aws:///${zone}/${instance}` },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: { kubeletVersion: 'v1.29.3-eks-ae9a62a', osImage: 'Amazon Linux 2' },
    },
  };
}

function agentContainer(): Obj {
  return {
    name: 'cluster-agent',
    image: AGENT_IMAGE,
    ports: [
      { containerPort: 5005, name: 'agentport', protocol: 'TCP' },
      { containerPort: 8000, name: 'datadog-webhook', protocol: 'TCP' },
    ],
    env: [
      { name: 'DD_HEALTH_PORT', value: '5556' },
      { name: 'DD_API_KEY', valueFrom: { secretKeyRef: { name: 'datadog', key: 'api-key' } } },
      { name: 'DD_ADMISSION_CONTROLLER_ENABLED', value: 'true' },
      { name: 'DD_ADMISSION_CONTROLLER_WEBHOOK_NAME', value: 'datadog-webhook' },
      { name: 'DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED', value: 'false' },
      { name: 'DD_ADMISSION_CONTROLLER_SERVICE_NAME', value: SERVICE_NAME },
      { name: 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE', valueFrom: { configMapKeyRef: { name: 'datadog-cluster-agent-admission', key: 'mode' } } },
      { name: 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_LOCAL_SERVICE_NAME', value: 'datadog' },
      { name: 'DD_ADMISSION_CONTROLLER_FAILURE_POLICY', value: 'Ignore' },
      { name: 'DD_ADMISSION_CONTROLLER_PORT', value: '8000' },
      fieldEnv('DD_KUBE_RESOURCES_NAMESPACE', 'metadata.namespace'),
    ],
  };
}

/** The MutatingWebhookConfiguration the Cluster Agent 7.49 writes, trusting `certificate`. */
export function webhookConfiguration(certificate: ClusterCertificate = 'webhook'): Obj {
  const caBundle = base64(clusterCertificate(certificate));
  const entry = (suffix: string, path: string) => ({
    name: `datadog.webhook.${suffix}`,
    clientConfig: { service: { namespace: AGENT_NAMESPACE, name: SERVICE_NAME, port: 443, path }, caBundle },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*' }],
    failurePolicy: 'Ignore',
    matchPolicy: 'Exact',
    namespaceSelector: {},
    objectSelector: { matchLabels: { [ENABLED]: 'true' } },
    sideEffects: 'None',
    timeoutSeconds: 10,
    admissionReviewVersions: ['v1', 'v1beta1'],
    reinvocationPolicy: 'IfNeeded',
  });
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'datadog-webhook', creationTimestamp: '2026-01-01T00:05:00Z' },
    webhooks: [entry('config', '/injectconfig'), entry('tags', '/injecttags'), entry('auto.instrumentation', '/injectlib')],
  };
}

/** The Secret the Cluster Agent writes, holding `certificate` (key.pem is stripped by the doctor). */
export function webhookSecret(certificate: ClusterCertificate = 'webhook'): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'webhook-certificate', namespace: AGENT_NAMESPACE, creationTimestamp: '2026-01-01T00:05:00Z' },
    type: 'Opaque',
    data: { 'cert.pem': base64(clusterCertificate(certificate)), 'key.pem': base64('-----BEGIN EC PRIVATE KEY-----\nnot a real key\n-----END EC PRIVATE KEY-----\n') },
  };
}

/** A `web` pod as the webhook left it: hostip mode's DD_AGENT_HOST and DD_ENTITY_ID, the tags from its labels. */
export function webPod(name: string, created: string, env: Obj[] = injectedWebEnv()): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: APP_NAMESPACE,
      uid: `uid-${name}`,
      creationTimestamp: created,
      labels: { ...WEB_LABELS, 'pod-template-hash': '7c9d8f6b5' },
      ownerReferences: [owner('apps/v1', 'ReplicaSet', 'web-7c9d8f6b5')],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.25',
          env: [...env, { name: 'PORT', value: '8080' }],
          volumeMounts: [{ name: 'kube-api-access-7xq2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
        },
      ],
      volumes: [{ name: 'kube-api-access-7xq2p', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }] } }],
      nodeName: 'ip-10-0-1-10.ec2.internal',
      serviceAccountName: 'default',
    },
    status: { phase: 'Running', podIP: '10.0.1.40' },
  };
}

/** What the config (hostip) and tags webhooks inject into a `web` container, in their order. */
export function injectedWebEnv(): Obj[] {
  return [
    { name: 'DD_VERSION', value: '1.4.2' },
    { name: 'DD_SERVICE', value: 'web' },
    { name: 'DD_ENV', value: 'prod' },
    fieldEnv('DD_ENTITY_ID', 'metadata.uid'),
    fieldEnv('DD_AGENT_HOST', 'status.hostIP'),
  ];
}

function webDeployment(): Obj[] {
  const template = { metadata: { labels: { ...WEB_LABELS } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25', env: [{ name: 'PORT', value: '8080' }] }] } };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: APP_NAMESPACE, labels: { app: 'web' } },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template },
    status: { replicas: 2, readyReplicas: 2, availableReplicas: 2 },
  };
  const replicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-7c9d8f6b5', namespace: APP_NAMESPACE, labels: { app: 'web', 'pod-template-hash': '7c9d8f6b5' }, ownerReferences: [owner('apps/v1', 'Deployment', 'web')] },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7c9d8f6b5' } }, template },
    status: { replicas: 2, readyReplicas: 2 },
  };
  return [deployment, replicaSet, webPod('web-7c9d8f6b5-2kx8w', '2026-05-25T08:00:00Z'), webPod('web-7c9d8f6b5-9pq4d', '2026-05-25T08:00:05Z')];
}

function reportCronJob(): Obj[] {
  const template = { metadata: { labels: { app: 'report', [ENABLED]: 'true' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'report', image: 'busybox:1.36' }] } };
  return [
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'report', namespace: APP_NAMESPACE },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template } } },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'report-29660940', namespace: APP_NAMESPACE, ownerReferences: [owner('batch/v1', 'CronJob', 'report')] },
      spec: { template },
      status: { succeeded: 1 },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'report-29660940-wq7zn',
        namespace: APP_NAMESPACE,
        labels: { app: 'report', [ENABLED]: 'true' },
        ownerReferences: [owner('batch/v1', 'Job', 'report-29660940')],
        creationTimestamp: '2026-06-01T03:00:00Z',
      },
      spec: template.spec,
      // Finished pods are not checked for staleness.
      status: { phase: 'Succeeded' },
    },
  ];
}

function systemPods(): Obj[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'coredns-5d78c9869d-4vlsx', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.1' }] },
      status: { phase: 'Running' },
    },
  ];
}

/** A fresh copy of the healthy cluster's objects. */
export function healthyCluster(): ClusterObjects {
  const container = agentContainer();
  const template = { metadata: { labels: { ...AGENT_LABELS } }, spec: { serviceAccountName: 'datadog-cluster-agent', containers: [container] } };
  const agentPod = (name: string, ip: string, phase = 'Running') => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: AGENT_NAMESPACE,
      labels: { ...AGENT_LABELS, 'pod-template-hash': '6b7f9d8c4d' },
      ownerReferences: [owner('apps/v1', 'ReplicaSet', 'datadog-cluster-agent-6b7f9d8c4d')],
      creationTimestamp: '2026-05-20T10:00:00Z',
    },
    spec: structuredClone(template.spec),
    status: { phase, podIP: ip },
  });
  return {
    namespaces: [namespace('default'), namespace('kube-system'), namespace(AGENT_NAMESPACE), namespace(APP_NAMESPACE)],
    nodes: [node('ip-10-0-1-10.ec2.internal', 'us-east-1a', '10.0.1.10', 'i-04f2a9c1d7e3b5a61'), node('ip-10-0-2-20.ec2.internal', 'us-east-1b', '10.0.2.20', 'i-0b8e6d2f4a1c9e735')],
    agentDeployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'datadog-cluster-agent', namespace: AGENT_NAMESPACE, labels: { ...HELM_LABELS, 'app.kubernetes.io/component': 'cluster-agent' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'datadog-cluster-agent' } }, template },
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 },
    },
    agentConfigMap: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'datadog-cluster-agent-admission', namespace: AGENT_NAMESPACE }, data: { mode: 'hostip' } },
    agentReplicaSet: {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'datadog-cluster-agent-6b7f9d8c4d',
        namespace: AGENT_NAMESPACE,
        labels: { app: 'datadog-cluster-agent', 'pod-template-hash': '6b7f9d8c4d' },
        ownerReferences: [owner('apps/v1', 'Deployment', 'datadog-cluster-agent')],
      },
      spec: { replicas: 1, selector: { matchLabels: { app: 'datadog-cluster-agent', 'pod-template-hash': '6b7f9d8c4d' } }, template },
      status: { replicas: 1, readyReplicas: 1 },
    },
    agentPods: [agentPod('datadog-cluster-agent-6b7f9d8c4d-x2x7q', '10.0.1.23')],
    webhookService: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SERVICE_NAME, namespace: AGENT_NAMESPACE, labels: { ...HELM_LABELS } },
      spec: { selector: { app: 'datadog-cluster-agent' }, ports: [{ name: 'datadog-webhook', port: 443, targetPort: 8000, protocol: 'TCP' }], type: 'ClusterIP' },
    },
    webhookEndpoints: {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: SERVICE_NAME, namespace: AGENT_NAMESPACE },
      subsets: [
        {
          addresses: [{ ip: '10.0.1.23', targetRef: { kind: 'Pod', name: 'datadog-cluster-agent-6b7f9d8c4d-x2x7q', namespace: AGENT_NAMESPACE } }],
          ports: [{ name: 'datadog-webhook', port: 8000, protocol: 'TCP' }],
        },
      ],
    },
    webhookSecret: webhookSecret(),
    webhookConfiguration: webhookConfiguration(),
    networkPolicies: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'datadog-cluster-agent', namespace: AGENT_NAMESPACE, labels: { ...HELM_LABELS } },
        spec: {
          podSelector: { matchLabels: { app: 'datadog-cluster-agent' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            { from: [{ podSelector: { matchLabels: { app: 'datadog' } } }], ports: [{ port: 5000 }] },
            { from: [{ podSelector: { matchLabels: { app: 'datadog' } } }, { podSelector: { matchLabels: { app: 'datadog-cluster-agent' } } }], ports: [{ port: 5005 }] },
            { ports: [{ port: 8000 }] },
          ],
          egress: [{ to: [{ podSelector: { matchLabels: { app: 'datadog-cluster-agent' } } }], ports: [{ port: 5005 }] }, { ports: [{ port: 443 }, { port: 6443 }, { port: 53, protocol: 'UDP' }] }],
        },
      },
    ],
    workloads: [...webDeployment(), ...reportCronJob(), ...systemPods()],
  };
}

/** Every object of a cluster, as one `kubectl get -A -o yaml` List would hold them (no object shared between two places). */
export function clusterDocuments(c: ClusterObjects): Obj[] {
  const all = [
    ...c.namespaces,
    ...c.nodes,
    c.agentDeployment,
    c.agentConfigMap,
    c.agentReplicaSet,
    ...c.agentPods,
    c.webhookService,
    c.webhookEndpoints,
    c.webhookSecret,
    c.webhookConfiguration,
    ...c.networkPolicies,
    ...c.workloads,
  ];
  // A JSON copy, not structuredClone: shared references would become YAML aliases in a dump.
  return JSON.parse(JSON.stringify(all)) as Obj[];
}

/** The healthy cluster's objects plus `count` web pods in `shop`, every other one created before the webhook (stale), and `nodeAgents` node Agent pods: a cluster of any size. */
export function healthyClusterWithWebPods(count: number, { nodeAgents = 0 }: { nodeAgents?: number } = {}): Obj[] {
  const objects = clusterDocuments(healthyCluster());
  for (let i = 0; i < count; i++) {
    const name = `web-7c9d8f6b5-${i.toString(36).padStart(5, '0')}`;
    objects.push(i % 2 === 0 ? webPod(name, '2026-05-25T08:00:00Z') : webPod(name, '2025-12-20T09:00:00Z', []));
  }
  if (nodeAgents > 0) objects.push(...nodeAgentDaemonSet(nodeAgents));
  return objects;
}

/** The node Agent as the Helm chart runs it beside the Cluster Agent in `datadog`: its DaemonSet and one pod per node (`count`), which the webhook leaves alone. */
export function nodeAgentDaemonSet(count: number): Obj[] {
  const labels = { app: 'datadog', [ENABLED]: 'false' };
  const template = { metadata: { labels }, spec: { serviceAccountName: 'datadog', containers: [{ name: 'agent', image: 'gcr.io/datadoghq/agent:7.49.1' }] } };
  const daemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'datadog', namespace: AGENT_NAMESPACE, labels: { ...HELM_LABELS } },
    spec: { selector: { matchLabels: { app: 'datadog' } }, template },
  };
  const pods = Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `datadog-${i.toString(36).padStart(5, '0')}`,
      namespace: AGENT_NAMESPACE,
      labels: { ...labels, 'controller-revision-hash': '7f8b9c6d5' },
      ownerReferences: [owner('apps/v1', 'DaemonSet', 'datadog')],
      creationTimestamp: '2026-05-20T10:00:00Z',
    },
    spec: { ...structuredClone(template.spec), nodeName: `ip-10-0-${Math.floor(i / 250)}-${i % 250}.ec2.internal` },
    status: { phase: 'Running' },
  }));
  return [daemonSet, ...pods];
}

/** What the API server returns for the probe pod when the healthy webhook runs: hostip mode's env, plus the API server's own additions. */
export function mutatedProbe(namespace: string = APP_NAMESPACE, elapsedMs = 48): ProbeResult {
  const pod = structuredClone(probePod(namespace)) as Obj & { metadata: Obj; spec: { containers: Obj[]; volumes?: Obj[] } };
  pod.metadata = { ...pod.metadata, name: 'dd-admission-doctor-k7t2m', uid: 'uid-probe' };
  const container = pod.spec.containers[0]!;
  container.env = [fieldEnv('DD_ENTITY_ID', 'metadata.uid'), fieldEnv('DD_AGENT_HOST', 'status.hostIP')];
  container.volumeMounts = [{ name: 'kube-api-access-q8w3z', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }];
  pod.spec.volumes = [{ name: 'kube-api-access-q8w3z', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }];
  return { outcome: 'created', namespace, elapsedMs, pod };
}
