// What a deployment surface says about the install itself, beyond the Cluster
// Agent's configuration: object names, pod labels, the network-policy switch,
// the distribution it targets. Network policies, the webhook Service and the
// distribution checks are built from it, as the chart or the Operator builds them.

/** Kubernetes distributions with Admission Controller advice (spec/distributions.md). */
export const DISTRIBUTIONS = ['gke-autopilot', 'openshift', 'aks', 'eks', 'gke-private', 'rancher-eks', 'rancher-gke-private'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

/** The Operator's webhook port: it has no field for it and hard-codes 8000 in the Service and the network policy. */
export const OPERATOR_WEBHOOK_PORT = 8000;

/** Network policy flavors both the chart and the Operator create. */
export const NETWORK_POLICY_FLAVORS = ['kubernetes', 'cilium'] as const;
export type NetworkPolicyFlavor = (typeof NETWORK_POLICY_FLAVORS)[number];

/** An install by the Helm chart `datadog` (3.240.0). */
export interface HelmDeployment {
  surface: 'helm';
  release: string;
  /** The chart's `datadog.fullname`. */
  fullname: string;
  namespace: string;
  /** `clusterAgent.enabled` and not `existingClusterAgent.join`. */
  clusterAgentDeployed: boolean;
  /** `clusterAgent.admissionController.enabled` and `.port`: the chart's Service and network policy follow the values, not the env. */
  webhook: { enabled: boolean; port: number };
  /** The Admission Controller Service the chart creates: `<fullname>-cluster-agent-admission-controller`. */
  serviceName: string;
  /** The chart's standard labels plus `commonLabels`, on every object it creates. */
  labels: Record<string, string>;
  clusterAgentPodLabels: Record<string, string>;
  clusterAgentHostNetwork: boolean;
  agents: { enabled: boolean; useHostNetwork: boolean; podLabels: Record<string, string> };
  clusterChecksRunnerEnabled: boolean;
  metricsProvider: { enabled: boolean; port: number };
  site: string;
  ddUrl?: string | undefined;
  /** `datadog.networkPolicy.cilium.dnsSelector`: the peers of the Cilium DNS egress rule. */
  ciliumDnsSelector: Record<string, unknown>;
  networkPolicy: { create: boolean; flavor: string };
  providers: { gkeAutopilot: boolean; gkeGdc: boolean; aks: boolean };
  /** Distributions the values name (providers, OpenShift SCC switches). */
  distributions: Distribution[];
  /** Whether `clusterAgent.admissionController.configMode` is set. */
  configModeSet: boolean;
}

/** An install by the Datadog Operator from one DatadogAgent (v2alpha1). */
export interface OperatorDeployment {
  surface: 'datadog-agent';
  /** metadata.name of the DatadogAgent. */
  name: string;
  namespace: string;
  /** `spec.features.admissionController.enabled`: the Operator's Service and network-policy rule follow it. */
  admissionEnabled: boolean;
  /** The Service the Operator creates (`serviceName`, default `datadog-admission-controller`). */
  serviceName: string;
  site: string;
  endpointUrl?: string | undefined;
  /** `spec.global.networkPolicy.dnsSelectorEndpoints`, when set. */
  dnsSelectorEndpoints?: unknown[] | undefined;
  clusterAgentHostNetwork: boolean;
  clusterAgentDnsPolicy?: string | undefined;
  clusterChecksEnabled: boolean;
  externalMetrics: { enabled: boolean; port: number };
  networkPolicy: { create: boolean; flavor: string };
  /** The resolved cluster provider (`default`, `aks`, `eks`, `gke-autopilot`, `openshift-<os>`). */
  clusterProvider: string;
  distributions: Distribution[];
  /** Whether `spec.features.admissionController.agentCommunicationMode` is set. */
  agentCommunicationModeSet: boolean;
}

/** A hand-written install configured by datadog.yaml keys: only its namespace is known. */
export interface PlainDeployment {
  surface: 'config';
  namespace: string;
}

export type AgentDeployment = HelmDeployment | OperatorDeployment | PlainDeployment;
