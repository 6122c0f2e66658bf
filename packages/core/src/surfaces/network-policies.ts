import { OPERATOR_WEBHOOK_PORT, type AgentDeployment, type HelmDeployment, type NetworkPolicyFlavor, type OperatorDeployment } from './agent-deployment.js';
import type { AdmissionConfig } from '../config/schema.js';
import { plainHelmDeployment } from './helm-values.js';

// The Cluster Agent's NetworkPolicy / CiliumNetworkPolicy as the chart and the
// Operator create them (spec/network-policies.md §1.2, §1.3, §2.2, §2.3). The
// whole policy is produced, not only the webhook rule: a policy that selects the
// Cluster Agent isolates it, so a webhook-only policy would cut its other traffic.

type Obj = Record<string, unknown>;

// Only datadog.yaml keys known: the chart's shapes for release datadog in namespace default.
const PLAIN: AgentDeployment = { surface: 'config', namespace: 'default' };

/** The Cluster Agent network policy of this deployment (default: the chart's shapes), in the given flavor, letting the control plane reach the webhook port. */
export function networkPolicies(config: AdmissionConfig, flavor: NetworkPolicyFlavor, deployment: AgentDeployment = PLAIN): Obj[] {
  if (deployment.surface === 'datadog-agent') {
    const admission = deployment.admissionEnabled;
    return [copy(flavor === 'cilium' ? operatorCilium(deployment, admission) : operatorKubernetes(deployment, admission))];
  }
  const helm = deployment.surface === 'helm' ? deployment : plainHelmDeployment(config, deployment.namespace);
  const port = helm.webhook.enabled ? helm.webhook.port : undefined;
  return [copy(flavor === 'cilium' ? helmCilium(helm, port) : helmKubernetes(helm, port))];
}

/** The webhook port the control plane must reach on the Cluster Agent pod, as the deployment's Service targets it. */
export function webhookPort(config: AdmissionConfig, deployment: AgentDeployment): number {
  if (deployment.surface === 'datadog-agent') return OPERATOR_WEBHOOK_PORT;
  return deployment.surface === 'helm' ? deployment.webhook.port : config.admission_controller.port;
}

const tcp = (port: number) => ({ port });
const pods = (matchLabels: Record<string, string>) => ({ podSelector: { matchLabels } });

function metadata(name: string, namespace: string, labels?: Record<string, string>): Obj {
  return labels && Object.keys(labels).length > 0 ? { name, namespace, labels: { ...labels } } : { name, namespace };
}

// ---- Helm chart -------------------------------------------------------------

function helmKubernetes(d: HelmDeployment, webhookPort: number | undefined): Obj {
  const nodeAgents = pods({ app: d.fullname });
  const clusterAgents = pods({ app: `${d.fullname}-cluster-agent` });
  const ingress: Obj[] = [
    { from: [nodeAgents], ports: [tcp(5000)] },
    { from: [nodeAgents, clusterAgents, ...(d.clusterChecksRunnerEnabled ? [pods({ app: `${d.fullname}-clusterchecks` })] : [])], ports: [tcp(5005)] },
  ];
  // No `from`: the API server is outside the pod network, so any source is allowed.
  if (webhookPort !== undefined) ingress.push({ ports: [tcp(webhookPort)] });
  if (d.metricsProvider.enabled) ingress.push({ ports: [tcp(d.metricsProvider.port)] });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(`${d.fullname}-cluster-agent`, d.namespace, d.labels),
    spec: {
      podSelector: { matchLabels: { app: `${d.fullname}-cluster-agent` } },
      policyTypes: ['Ingress', 'Egress'],
      ingress,
      egress: [
        { to: [clusterAgents], ports: [tcp(5005)] },
        { ports: [tcp(443), tcp(6443), { port: 53, protocol: 'UDP' }] },
      ],
    },
  };
}

const ciliumPorts = (...ports: (number | string)[]) => [{ ports: ports.map((port) => ({ port: String(port), protocol: 'TCP' })) }];

function helmCilium(d: HelmDeployment, webhookPort: number | undefined): Obj {
  const endpointSelector = { matchLabels: { app: `${d.fullname}-cluster-agent`, ...d.clusterAgentPodLabels } };
  const spec = (description: string, rule: Obj) => ({ description, endpointSelector: endpointSelector, ...rule });
  // The chart's quirk, kept: both 5005 rules select the node Agents' label, with the Cluster Agent's podLabels.
  const nodeAgentsWithDcaLabels = { matchLabels: { app: d.fullname, ...d.clusterAgentPodLabels } };
  const specs: Obj[] = [
    spec('Egress to metadata server', { egress: [{ toCIDR: ['169.254.169.254/32'], toPorts: ciliumPorts(80) }] }),
    spec('Egress to DNS', { egress: [{ ...d.ciliumDnsSelector, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }] }),
    spec('Egress to Datadog intake', { egress: [{ toFQDNs: helmIntakeFqdns(d), toPorts: ciliumPorts(443) }] }),
    spec('Egress to Kube API server', {
      egress: [
        { toServices: [{ k8sService: { namespace: 'default', serviceName: 'kubernetes' } }] },
        { toEntities: ['kube-apiserver', 'host', 'remote-node'], toPorts: ciliumPorts(443) },
      ],
    }),
    spec('Ingress from cluster agent', { ingress: [{ fromEndpoints: [nodeAgentsWithDcaLabels], toPorts: ciliumPorts(5005) }] }),
    spec('Egress to cluster agent', { egress: [{ toEndpoints: [nodeAgentsWithDcaLabels], toPorts: ciliumPorts(5005) }] }),
  ];
  if (d.agents.enabled) {
    const from = d.agents.useHostNetwork ? { fromEntities: ['host', 'remote-node'] } : { fromEndpoints: [{ matchLabels: { app: d.fullname, ...d.agents.podLabels } }] };
    specs.push(spec('Ingress from agent', { ingress: [{ ...from, toPorts: ciliumPorts(5000, 5005) }] }));
  }
  if (d.clusterChecksRunnerEnabled) {
    specs.push(spec('Ingress from cluster workers', { ingress: [{ fromEndpoints: [{ matchLabels: { app: `${d.fullname}-clusterchecks` } }], toPorts: ciliumPorts(5005) }] }));
  }
  if (d.metricsProvider.enabled) {
    specs.push(spec('Ingress from API server for external metrics', { ingress: [{ fromEntities: ['world'], toPorts: ciliumPorts(d.metricsProvider.port) }] }));
  }
  if (webhookPort !== undefined) {
    specs.push(spec('Ingress from API server for admission controller', { ingress: [{ fromEntities: ['kube-apiserver'], toPorts: ciliumPorts(webhookPort) }] }));
  }
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: metadata(`${d.fullname}-cluster-agent`, d.namespace, d.labels), specs };
}

function helmIntakeFqdns(d: HelmDeployment): Obj[] {
  const s = d.site;
  return [
    ...(d.ddUrl ? [{ matchName: stripHttps(d.ddUrl) }] : []),
    { matchName: `app.${s}` },
    { matchPattern: `*-app.agent.${s}` },
    { matchName: `orchestrator.${s}` },
    { matchName: `instrumentation-telemetry-intake.${s}` },
  ];
}

function stripHttps(url: string): string {
  return url.replace('https://', '');
}

// ---- Datadog Operator -------------------------------------------------------

/** The Operator's `app.kubernetes.io/part-of`: namespace and name with every `-` doubled, joined by `-`. */
export function operatorPartOf(namespace: string, name: string): string {
  return `${namespace.replaceAll('-', '--')}-${name.replaceAll('-', '--')}`;
}

/** The Operator's pod selector for one component of a DatadogAgent. */
export function operatorSelector(d: OperatorDeployment, component: 'agent' | 'cluster-agent' | 'cluster-checks-runner'): Record<string, string> {
  return { 'agent.datadoghq.com/component': component, 'app.kubernetes.io/part-of': operatorPartOf(d.namespace, d.name) };
}

function operatorKubernetes(d: OperatorDeployment, admission: boolean): Obj {
  const agents = pods(operatorSelector(d, 'agent'));
  const dca = pods(operatorSelector(d, 'cluster-agent'));
  const ccr = pods(operatorSelector(d, 'cluster-checks-runner'));
  const ingress: Obj[] = [
    { from: [agents, dca, ccr], ports: [tcp(5005)] },
    { from: [agents], ports: [tcp(5000)] },
  ];
  // Appended by the features, as the Operator's merger does.
  if (admission) ingress.push({ ports: [tcp(OPERATOR_WEBHOOK_PORT)] });
  if (d.clusterChecksEnabled) ingress.push({ from: [ccr], ports: [tcp(5005)] });
  if (d.externalMetrics.enabled) ingress.push({ ports: [tcp(d.externalMetrics.port)] });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(`${d.name}-cluster-agent`, d.namespace),
    spec: {
      podSelector: { matchLabels: operatorSelector(d, 'cluster-agent') },
      policyTypes: ['Ingress', 'Egress'],
      egress: [
        { ports: [tcp(443)] },
        { ports: [tcp(6443)] },
        { ports: [tcp(80)] },
        { to: [dca], ports: [tcp(5005)] },
        { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
      ],
      ingress,
    },
  };
}

function operatorCilium(d: OperatorDeployment, admission: boolean): Obj {
  const spec = (description: string, rule: Obj) => ({ description, endpointSelector: { matchLabels: operatorSelector(d, 'cluster-agent') }, ...rule });
  const nodeAgents = () => ({ matchLabels: operatorSelector(d, 'agent') });
  const dns: Obj = { toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };
  // The Operator's quirk, kept: this part-of value is not hyphen-escaped.
  const fromAgent = d.clusterAgentHostNetwork
    ? { fromEntities: ['host', 'remote-node'] }
    : { fromEndpoints: [{ matchLabels: { 'app.kubernetes.io/instance': `${d.name}-agent`, 'app.kubernetes.io/part-of': `${d.namespace}-${d.name}` } }] };
  const specs: Obj[] = [
    spec('Egress to metadata server', { egress: [{ toCIDR: ['169.254.169.254/32'], toPorts: ciliumPorts(80) }] }),
    spec('Egress to DNS', { egress: [d.dnsSelectorEndpoints ? { toEndpoints: d.dnsSelectorEndpoints, ...dns } : dns] }),
    spec('Egress to Datadog intake', { egress: [{ toFQDNs: operatorIntakeFqdns(d), toPorts: ciliumPorts(443) }] }),
    spec('Egress to Kube API Server', { egress: [{ toEntities: ['kube-apiserver'] }] }),
    spec('Ingress from agent', { ingress: [{ ...fromAgent, toPorts: ciliumPorts(5000, 5005) }] }),
    spec('Ingress from cluster agent', { ingress: [{ fromEndpoints: [nodeAgents()], toPorts: ciliumPorts(5005) }] }),
    spec('Egress to cluster agent', { egress: [{ toEndpoints: [nodeAgents()], toPorts: ciliumPorts(5005) }] }),
  ];
  if (admission) {
    specs.push(spec('Ingress from API server for admission controller', { ingress: [{ fromEntities: ['kube-apiserver'], toPorts: ciliumPorts(OPERATOR_WEBHOOK_PORT) }] }));
  }
  if (d.clusterChecksEnabled) {
    specs.push(spec('Ingress from cluster workers', { ingress: [{ fromEndpoints: [{ matchLabels: operatorSelector(d, 'cluster-checks-runner') }], toPorts: ciliumPorts(5005) }] }));
  }
  if (d.externalMetrics.enabled) {
    specs.push(spec('Ingress from API server for external metrics', { ingress: [{ fromEntities: ['world'], toPorts: ciliumPorts(d.externalMetrics.port) }] }));
  }
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: metadata(`${d.name}-cluster-agent`, d.namespace), specs };
}

function operatorIntakeFqdns(d: OperatorDeployment): Obj[] {
  return [...(d.endpointUrl ? [{ matchName: stripHttps(d.endpointUrl) }] : []), { matchPattern: `*-app.agent.${d.site}` }, { matchName: `orchestrator.${d.site}` }];
}

// Rules share selector objects while being built; the result shares nothing (with the caller's deployment
// either), so YAML output has no anchors and editing one rule cannot edit another.
function copy<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
