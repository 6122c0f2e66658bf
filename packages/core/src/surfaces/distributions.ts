import type { AgentDeployment, Distribution } from './agent-deployment.js';
import type { DerivedEnvVar } from './cluster-agent-env.js';
import type { AdmissionConfig } from '../config/schema.js';
import { webhookPort } from './network-policies.js';

// Checks of the effective configuration against the distribution it runs on
// (spec/distributions.md), each with the fix in the user's own surface: the
// Helm value, the DatadogAgent field, or the datadog.yaml key to set.

/** One finding: a `warning` breaks pods or the webhook; a `note` is something to do outside the tools. */
export interface DistributionFinding {
  level: 'warning' | 'note';
  /** The distribution it is about, `pod-security` for a namespace's Pod Security level, or `deployment` for the install itself. */
  topic: Distribution | 'pod-security' | 'deployment';
  message: string;
  /** What to set, in the surface the user writes. */
  fix: string;
}

/** What the checks read. */
export interface DistributionInput {
  config: AdmissionConfig;
  /** Origin of each key (parseConfig / configFromHelmValues / configFromDatadogAgent). */
  origins: Readonly<Record<string, string>>;
  deployment: AgentDeployment;
  /** The surface's cluster-agent env, to tell a mode the surface set from one a datadog.yaml or `--set` layered on top. */
  env?: readonly DerivedEnvVar[];
  /** Distributions the user declares, added to those the deployment names. */
  distributions?: readonly Distribution[];
  /** Labels of namespaces pods are created in, by namespace name. */
  namespaces?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const MODE_KEY = 'admission_controller.inject_config.mode';
const MODE_ENV = 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE';
const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
const HOSTPATH_FORBIDDEN = new Set(['baseline', 'restricted']);

/** Every finding for this configuration on these distributions, warnings first. */
export function distributionChecks(input: DistributionInput): DistributionFinding[] {
  const all = new Set<Distribution>([...deploymentDistributions(input.deployment), ...(input.distributions ?? [])]);
  const findings = [
    ...socketChecks(input, all),
    ...podSecurityChecks(input),
    ...aksChecks(input, all),
    ...deploymentChecks(input),
    ...reachabilityNotes(input, all),
  ];
  return [...findings.filter((f) => f.level === 'warning'), ...findings.filter((f) => f.level === 'note')];
}

function deploymentDistributions(d: AgentDeployment): Distribution[] {
  return d.surface === 'config' ? [] : d.distributions;
}

/** Whether the config webhook runs and injects hostPath volumes into every mutated pod. */
function injectsHostPath(config: AdmissionConfig): boolean {
  const ac = config.admission_controller;
  return ac.enabled && ac.inject_config.enabled && ac.inject_config.mode === 'socket';
}

function socketChecks(input: DistributionInput, all: ReadonlySet<Distribution>): DistributionFinding[] {
  if (!injectsHostPath(input.config)) return [];
  const out: DistributionFinding[] = [];
  const why = modeWhy(input);
  if (all.has('gke-autopilot')) {
    out.push({
      level: 'warning',
      topic: 'gke-autopilot',
      message: `GKE Autopilot: mode socket${why} injects hostPath volumes, which Autopilot forbids: GKE Warden rejects every mutated pod`,
      fix: hostipFix(input, 'gke-autopilot'),
    });
  }
  if (all.has('openshift')) {
    out.push({
      level: 'warning',
      topic: 'openshift',
      message: `OpenShift: mode socket${why} injects hostPath volumes, which the SecurityContextConstraints of application pods do not allow: the mutated pods are rejected`,
      fix: hostipFix(input, 'openshift'),
    });
  }
  return out;
}

function podSecurityChecks(input: DistributionInput): DistributionFinding[] {
  if (!injectsHostPath(input.config)) return [];
  return Object.entries(input.namespaces ?? {}).flatMap(([name, labels]) => {
    const level = labels[ENFORCE_LABEL];
    if (level === undefined || !HOSTPATH_FORBIDDEN.has(level)) return [];
    return [
      {
        level: 'warning' as const,
        topic: 'pod-security' as const,
        message: `namespace ${name} enforces Pod Security "${level}" (${ENFORCE_LABEL}): mode socket${modeWhy(input)} injects hostPath volumes, which "${level}" forbids: the API server rejects the mutated pods`,
        fix: `${hostipFix(input)}; or label the pods of namespace ${name} admission.datadoghq.com/config.mode: hostip`,
      },
    ];
  });
}

function aksChecks(input: DistributionInput, all: ReadonlySet<Distribution>): DistributionFinding[] {
  const ac = input.config.admission_controller;
  if (!all.has('aks') || !ac.enabled || ac.add_aks_selectors) return [];
  return [
    {
      level: 'warning',
      topic: 'aks',
      message:
        'AKS: admission_controller.add_aks_selectors is false: AKS adds its own namespace-selector requirements to webhook configurations, and the Cluster Agent reconciling its webhook without them conflicts with AKS',
      fix: aksFix(input),
    },
  ];
}

function aksFix(input: DistributionInput): string {
  const d = input.deployment;
  const origin = input.origins['admission_controller.add_aks_selectors'] ?? 'default';
  if (layered(input, 'admission_controller.add_aks_selectors', 'DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS') || d.surface === 'config') {
    return `set admission_controller.add_aks_selectors: true${origin.startsWith('default') ? '' : ` (now set by ${origin})`}`;
  }
  if (isUserEnv(origin)) return `remove DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS from ${bare(origin)}, or set it to "true"`;
  if (d.surface === 'helm') return 'set providers.aks.enabled: true';
  return 'annotate the DatadogAgent with agent.datadoghq.com/cluster-provider: aks (Operator 1.29+ also detects AKS from node labels), or add DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS: "true" to spec.override.clusterAgent.containers.cluster-agent.env';
}

/** The install's own objects disagree with the Cluster Agent's settings. */
function deploymentChecks(input: DistributionInput): DistributionFinding[] {
  const d = input.deployment;
  const ac = input.config.admission_controller;
  if (d.surface === 'config' || !ac.enabled) return [];
  const out: DistributionFinding[] = [];
  const servicePort = webhookPort(input.config, d);
  if (ac.port !== servicePort) {
    out.push({
      level: 'warning',
      topic: 'deployment',
      message: `the Cluster Agent listens on port ${ac.port} (${input.origins['admission_controller.port']}), but the ${d.surface === 'helm' ? "chart's" : "Operator's"} Service and network policy target ${servicePort}: the API server cannot reach the webhook`,
      fix: d.surface === 'helm' ? 'set clusterAgent.admissionController.port instead of the DD_ADMISSION_CONTROLLER_PORT variable' : 'remove DD_ADMISSION_CONTROLLER_PORT: the Operator only supports 8000',
    });
  }
  if (ac.service_name !== d.serviceName) {
    out.push({
      level: 'warning',
      topic: 'deployment',
      message: `the webhooks name Service ${ac.service_name} (${input.origins['admission_controller.service_name']}), but the ${d.surface === 'helm' ? 'chart' : 'Operator'} creates ${d.serviceName}: the API server cannot reach the webhook`,
      fix: d.surface === 'helm' ? 'remove DD_ADMISSION_CONTROLLER_SERVICE_NAME (change the name with the release name, nameOverride or fullnameOverride)' : 'set spec.features.admissionController.serviceName instead of the variable',
    });
  }
  return out;
}

/** What the control plane needs to reach the webhook port, which no chart or Operator setting opens. */
function reachabilityNotes(input: DistributionInput, all: ReadonlySet<Distribution>): DistributionFinding[] {
  if (!input.config.admission_controller.enabled) return [];
  const port = webhookPort(input.config, input.deployment);
  const out: DistributionFinding[] = [];
  const sgRule = `an inbound security-group rule on the nodes that can run the Cluster Agent: TCP ${port} (or a range containing it) from the cluster security group (EKS console > cluster > Networking); with several node groups, on each one's security group`;
  if (all.has('eks')) {
    out.push({ level: 'note', topic: 'eks', message: `EKS: the control plane reaches the webhook on the Cluster Agent pod, TCP ${port}, only where the node security group allows it`, fix: `add ${sgRule}` });
  }
  if (all.has('gke-private')) {
    out.push({
      level: 'note',
      topic: 'gke-private',
      message: `GKE private cluster: the control plane reaches nodes only on a few ports, not TCP ${port}`,
      fix: `allow ingress TCP ${port} from the control plane's CIDR (masterIpv4CidrBlock) to the nodes: edit the firewall rule gke-<CLUSTER_NAME>-master or add one`,
    });
  }
  if (all.has('rancher-eks')) out.push(...rancherEks(input, port, sgRule));
  if (all.has('rancher-gke-private')) {
    out.push({
      level: 'note',
      topic: 'rancher-gke-private',
      message: 'Rancher on a private GKE cluster: the control plane must reach the nodes on TCP 8000 and 9443',
      fix: `add a firewall rule allowing inbound TCP ${port === 8000 ? '8000' : `${port}, 8000`} and 9443 from the control plane's CIDR to the nodes`,
    });
  }
  return out;
}

function rancherEks(input: DistributionInput, port: number, sgRule: string): DistributionFinding[] {
  const d = input.deployment;
  const out: DistributionFinding[] = [];
  const hostNetwork = d.surface !== 'config' && d.clusterAgentHostNetwork;
  if (!hostNetwork) {
    out.push({
      level: 'warning',
      topic: 'rancher-eks',
      message: 'Rancher on EKS: the control plane reaches the webhook only if the Cluster Agent runs with host networking',
      fix:
        d.surface === 'helm'
          ? 'set clusterAgent.useHostNetwork: true (the chart also sets dnsPolicy: ClusterFirstWithHostNet)'
          : d.surface === 'datadog-agent'
            ? 'set spec.override.clusterAgent.hostNetwork: true and spec.override.clusterAgent.dnsPolicy: ClusterFirstWithHostNet (the Operator does not set it)'
            : 'run the Cluster Agent pod with hostNetwork: true and dnsPolicy: ClusterFirstWithHostNet',
    });
  } else if (d.surface === 'datadog-agent' && d.clusterAgentDnsPolicy !== 'ClusterFirstWithHostNet') {
    out.push({
      level: 'warning',
      topic: 'rancher-eks',
      message: 'Rancher on EKS: spec.override.clusterAgent.hostNetwork is true but the Operator leaves dnsPolicy alone: the Cluster Agent cannot resolve cluster Services',
      fix: 'set spec.override.clusterAgent.dnsPolicy: ClusterFirstWithHostNet',
    });
  }
  out.push({ level: 'note', topic: 'rancher-eks', message: `Rancher on EKS: with host networking the webhook listens on the node's TCP ${port}`, fix: `add ${sgRule}` });
  return out;
}

// ---- the fix for "use hostip", in the user's surface --------------------------------

function modeWhy(input: DistributionInput): string {
  const origin = input.origins[MODE_KEY];
  return origin ? ` (${origin})` : '';
}

function hostipFix(input: DistributionInput, distribution?: 'gke-autopilot' | 'openshift'): string {
  const d = input.deployment;
  const origin = input.origins[MODE_KEY] ?? 'default';
  if (d.surface === 'config' || layered(input, MODE_KEY, MODE_ENV)) return `set admission_controller.inject_config.mode: hostip${origin.startsWith('default') ? '' : ` (now set by ${origin})`}`;
  if (isUserEnv(origin)) return `remove ${MODE_ENV} from ${bare(origin)}, or set it to hostip`;
  if (d.surface === 'helm') {
    if (distribution === 'gke-autopilot' && !d.providers.gkeAutopilot) {
      return `set providers.gke.autopilot: true (the chart then derives hostip and uses a gcr.io registry)${d.configModeSet ? ' and remove clusterAgent.admissionController.configMode' : ''}`;
    }
    if (distribution === 'openshift' && !d.configModeSet) {
      return 'set datadog.apm.portEnabled: true and datadog.apm.socketEnabled: false (the chart then derives hostip), or clusterAgent.admissionController.configMode: hostip';
    }
    return 'set clusterAgent.admissionController.configMode: hostip';
  }
  if (distribution === 'gke-autopilot' && !d.distributions.includes('gke-autopilot')) {
    return `annotate the DatadogAgent with agent.datadoghq.com/cluster-provider: gke-autopilot (the Operator then derives hostip and moves APM and DogStatsD to host ports)${d.agentCommunicationModeSet ? ' and remove spec.features.admissionController.agentCommunicationMode' : ''}`;
  }
  if (distribution === 'openshift' && !d.agentCommunicationModeSet) {
    return 'set spec.features.apm.hostPortConfig.enabled: true, spec.features.apm.unixDomainSocketConfig.enabled: false and spec.features.dogstatsd.unixDomainSocketConfig.enabled: false (the Operator then sets no mode: hostip), or spec.features.admissionController.agentCommunicationMode: hostip';
  }
  return 'set spec.features.admissionController.agentCommunicationMode: hostip';
}

/** Whether a key's value comes from a datadog.yaml or `--set` layered over the surface rather than from the surface's env. */
function layered(input: DistributionInput, key: string, envName: string): boolean {
  const origin = input.origins[key];
  if (origin === undefined || origin.startsWith('default') || input.env === undefined) return false;
  return input.env.find((e) => e.name === envName)?.origin !== origin;
}

// Env entries the user wrote on the Cluster Agent: Helm clusterAgent.env / envDict, DatadogAgent global or override env.
function isUserEnv(origin: string): boolean {
  return /^(clusterAgent\.env|spec\.global\.env|spec\.override\.)/.test(origin);
}

// `clusterAgent.env[0] (overrides ...)` -> `clusterAgent.env[0]`.
function bare(origin: string): string {
  return origin.replace(/ \(overrides .*\)$/, '');
}
