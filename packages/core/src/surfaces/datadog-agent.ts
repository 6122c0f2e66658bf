import { OPERATOR_WEBHOOK_PORT, type Distribution, type OperatorDeployment } from './agent-deployment.js';
import { surfaceAgentVersion, surfaceConfig, type DerivedEnvVar, type SurfaceConfigResult } from './cluster-agent-env.js';
import type { ConfigIssue } from '../config/parse.js';
import { formatAgentVersion, type AgentVersion } from '../versions/agent-version.js';
import { hasChange } from '../versions/behaviour-changes.js';
import { imageTag, type AgentVersionEvidence } from '../versions/evidence.js';
import { DATADOG_AGENT_DEFAULTS, datadogAgentSchema, OPERATOR_AGENT_VERSION, type DatadogAgent } from './datadog-agent-schema.js';
import type { Decided, OriginOf } from './helm-chart.js';
import { issuesOf, originOf, valueAt } from './user-values.js';

// A DatadogAgent -> the env the Datadog Operator puts on the cluster-agent
// container (spec/datadogagent-crd.md) -> parseConfig. The Operator builds the
// env in layers, a later layer replacing a variable of the same name:
// built-in defaults, then spec.global, then features, then spec.override.

/** What the Operator would learn from the cluster rather than from the resource. */
export interface DatadogAgentOptions {
  /** Namespace when the resource has none (default `default`). */
  namespace?: string;
  /** The distribution the Operator (1.29+) would auto-detect from node labels: `aks`, `eks`, `openshift` matter. */
  distribution?: Distribution;
  /** Names the resource in messages (a file name; default `DatadogAgent`). */
  source?: string;
  /** The release to emulate when the user names one (`--agent-version`); it wins over the Cluster Agent image. */
  agentVersion?: AgentVersionEvidence['explicit'];
}

const AC = 'DD_ADMISSION_CONTROLLER_';
const PROVIDER_ANNOTATION = 'agent.datadoghq.com/cluster-provider';
const AUTOPILOT_ANNOTATION = 'experimental.agent.datadoghq.com/autopilot';
const DEFAULT_SOCKET_DIR = '/var/run/datadog';

/** The admission configuration the Operator gives the Cluster Agent for this DatadogAgent, each key naming the field behind it. */
export function configFromDatadogAgent(resource: unknown, options: DatadogAgentOptions = {}): SurfaceConfigResult {
  const source = options.source ?? 'DatadogAgent';
  const parsed = datadogAgentSchema.safeParse(resource);
  if (!parsed.success) return { ok: false, errors: issuesOf(parsed.error, source), warnings: [] };
  const dda = parsed.data;
  const o: OriginOf = (path) => originOf(resource, path, valueAt(DATADOG_AGENT_DEFAULTS, path));
  const failures = specFailures(dda, source);
  if (failures.length > 0) return { ok: false, errors: failures, warnings: [] };

  const agentVersion = surfaceAgentVersion({ explicit: options.agentVersion, image: operatorImageEvidence(dda) });
  if ('ok' in agentVersion) return agentVersion;

  const namespace = dda.metadata.namespace || options.namespace || 'default';
  const provider = clusterProvider(dda, options.distribution);
  const env = [...builtinEnv(dda, namespace), ...globalEnv(dda, o), ...featureEnv(dda, o, provider), ...overrideEnv(dda)];
  return surfaceConfig({
    env: env.filter((e): e is DerivedEnvVar => e.value !== undefined),
    warnings: [...valueFromWarnings(dda, source), ...operatorNotices(dda, source, provider, agentVersion.version)],
    defaultNotes: defaultNotes(dda, provider),
    deployment: operatorDeployment(dda, namespace, provider),
    agentVersion,
  });
}

/** The Cluster Agent image the Operator runs: an image name with a tag wins over image.tag, else the Operator's bundled version. */
function operatorImageEvidence(dda: DatadogAgent): AgentVersionEvidence['image'] {
  const image = dda.spec?.override?.clusterAgent?.image ?? {};
  const fromName = image.name ? imageTag(image.name) : undefined;
  if (fromName !== undefined) return { tag: fromName, origin: 'spec.override.clusterAgent.image.name' };
  if (image.tag) return { tag: image.tag, origin: 'spec.override.clusterAgent.image.tag' };
  return { tag: OPERATOR_AGENT_VERSION, origin: 'Operator default image' };
}

/** Specs the Operator refuses to reconcile. */
function specFailures(dda: DatadogAgent, source: string): ConfigIssue[] {
  const ssi = dda.spec?.features?.apm?.instrumentation;
  if (ssi?.enabledNamespaces?.length && ssi.disabledNamespaces?.length) {
    return [{ key: 'spec.features.apm.instrumentation', origin: source, message: 'enabledNamespaces and disabledNamespaces cannot both be set: the Operator refuses this spec' }];
  }
  return [];
}

/** The resolved cluster provider and where it comes from (§6). */
interface Provider {
  name: string;
  autopilot: boolean;
  origin: string;
}

function clusterProvider(dda: DatadogAgent, detected: Distribution | undefined): Provider {
  const annotations = dda.metadata.annotations ?? {};
  const declared = annotations[PROVIDER_ANNOTATION];
  const experimental = (annotations[AUTOPILOT_ANNOTATION] ?? '').toLowerCase() === 'true';
  const autopilot = declared === 'gke-autopilot' || experimental;
  if (declared) return { name: declared, autopilot, origin: `metadata.annotations[${PROVIDER_ANNOTATION}]` };
  if (experimental) return { name: 'gke-autopilot', autopilot, origin: `metadata.annotations[${AUTOPILOT_ANNOTATION}]` };
  const auto = detected === 'aks' ? 'aks' : detected === 'eks' || detected === 'rancher-eks' ? 'eks' : detected === 'openshift' ? 'openshift' : undefined;
  if (auto) return { name: auto, autopilot: false, origin: `cluster provider ${auto} (auto-detected by the Operator 1.29+ from node labels)` };
  return { name: 'default', autopilot: false, origin: 'cluster provider default' };
}

type MaybeEnv = { name: string; value: string | undefined; origin: string };

function builtinEnv(dda: DatadogAgent, namespace: string): MaybeEnv[] {
  return [
    { name: 'DD_CLUSTER_AGENT_KUBERNETES_SERVICE_NAME', value: `${dda.metadata.name}-cluster-agent`, origin: 'Operator built-in (metadata.name + "-cluster-agent")' },
    { name: 'DD_KUBE_RESOURCES_NAMESPACE', value: namespace, origin: "Operator built-in (the DatadogAgent's namespace)" },
    { name: 'DD_LEADER_ELECTION', value: 'true', origin: 'Operator built-in' },
  ];
}

function globalEnv(dda: DatadogAgent, o: OriginOf): MaybeEnv[] {
  const g = dda.spec?.global ?? {};
  const out: MaybeEnv[] = [
    { name: 'DD_SITE', value: site(dda), origin: o('spec.global.site') },
    { name: 'DD_DD_URL', value: g.endpoint?.url, origin: o('spec.global.endpoint.url') },
    { name: 'DD_LOG_LEVEL', value: g.logLevel || DATADOG_AGENT_DEFAULTS.spec.global.logLevel, origin: o('spec.global.logLevel') },
    { name: 'DD_CLUSTER_NAME', value: g.clusterName || undefined, origin: o('spec.global.clusterName') },
    { name: 'DD_CSI_ENABLED', value: g.csi?.enabled === undefined ? undefined : String(g.csi.enabled), origin: o('spec.global.csi.enabled') },
  ];
  return [...out, ...envEntries(g.env, 'spec.global.env')];
}

function site(dda: DatadogAgent): string {
  return dda.spec?.global?.site || DATADOG_AGENT_DEFAULTS.spec.global.site;
}

/** `spec.global.registry` after defaulting, and the Autopilot rewrite to GCR (§2, §6). */
function globalRegistry(dda: DatadogAgent, o: OriginOf, provider: Provider): Decided {
  const set = dda.spec?.global?.registry;
  const base: Decided = set
    ? { value: set, origin: 'spec.global.registry' }
    : site(dda) === 'ddog-gov.com'
      ? { value: 'public.ecr.aws/datadog', origin: `spec.global.registry (default for ${o('spec.global.site')} ddog-gov.com)` }
      : { value: DATADOG_AGENT_DEFAULTS.spec.global.registry, origin: o('spec.global.registry') };
  if (!provider.autopilot || isGcr(base.value)) return base;
  return { value: 'gcr.io/datadoghq', origin: `${provider.origin}: gke-autopilot forces spec.global.registry to GCR` };
}

function isGcr(registry: string): boolean {
  const host = registry.split('/')[0] ?? '';
  return host === 'gcr.io' || host.endsWith('.gcr.io');
}

function featureEnv(dda: DatadogAgent, o: OriginOf, provider: Provider): MaybeEnv[] {
  const f = dda.spec?.features ?? {};
  const out: MaybeEnv[] = [];
  const add = (name: string, value: string | undefined, origin: string) => out.push({ name, value, origin });
  const ac = f.admissionController ?? {};
  const p = 'spec.features.admissionController';
  if (ac.enabled ?? true) {
    add(`${AC}ENABLED`, 'true', o(`${p}.enabled`));
    add(`${AC}VALIDATION_ENABLED`, String(ac.validation?.enabled ?? true), o(`${p}.validation.enabled`));
    add(`${AC}MUTATION_ENABLED`, String(ac.mutation?.enabled ?? true), o(`${p}.mutation.enabled`));
    add(`${AC}MUTATE_UNLABELLED`, String(ac.mutateUnlabelled ?? false), o(`${p}.mutateUnlabelled`));
    add(`${AC}SERVICE_NAME`, ac.serviceName || DATADOG_AGENT_DEFAULTS.spec.features.admissionController.serviceName, o(`${p}.serviceName`));
    const mode = operatorConfigMode(dda, o, provider);
    if (mode) add(`${AC}INJECT_CONFIG_MODE`, mode.value, mode.origin);
    const local = dda.spec?.global?.localService?.nameOverride;
    add(`${AC}INJECT_CONFIG_LOCAL_SERVICE_NAME`, local || `${dda.metadata.name}-agent`, local ? 'spec.global.localService.nameOverride' : 'metadata.name + "-agent"');
    add(`${AC}FAILURE_POLICY`, ac.failurePolicy || undefined, o(`${p}.failurePolicy`));
    add(`${AC}WEBHOOK_NAME`, ac.webhookName ?? DATADOG_AGENT_DEFAULTS.spec.features.admissionController.webhookName, o(`${p}.webhookName`));
    const registry: Decided = ac.registry ? { value: ac.registry, origin: `${p}.registry` } : globalRegistry(dda, o, provider);
    add(`${AC}CONTAINER_REGISTRY`, registry.value, registry.origin);
    if (ac.cwsInstrumentation?.enabled) {
      add(`${AC}CWS_INSTRUMENTATION_ENABLED`, 'true', o(`${p}.cwsInstrumentation.enabled`));
      add(`${AC}CWS_INSTRUMENTATION_MODE`, ac.cwsInstrumentation.mode || 'remote_copy', o(`${p}.cwsInstrumentation.mode`));
    }
    if (ac.kubernetesAdmissionEvents?.enabled) add(`${AC}KUBERNETES_ADMISSION_EVENTS_ENABLED`, 'true', o(`${p}.kubernetesAdmissionEvents.enabled`));
    const probe = ac.probe?.enabled ?? true;
    add(`${AC}PROBE_ENABLED`, String(probe), o(`${p}.probe.enabled`));
    if (probe) {
      add(`${AC}PROBE_INTERVAL`, String(ac.probe?.interval ?? 60), o(`${p}.probe.interval`));
      add(`${AC}PROBE_GRACE_PERIOD`, String(ac.probe?.gracePeriod ?? 60), o(`${p}.probe.gracePeriod`));
    }
    if (provider.name === 'aks') add(`${AC}ADD_AKS_SELECTORS`, 'true', provider.origin);
    out.push(...sidecarEnv(dda, o, provider));
  }
  if (provider.autopilot) add('DD_CLOUD_PROVIDER_METADATA', '["gcp"]', provider.origin);
  out.push(...socketEnv(dda, o, provider), ...instrumentationEnv(dda, o));
  return out;
}

/**
 * The mode as the Operator derives it (§4), or undefined when it sets none
 * (the Cluster Agent then uses its default, hostip).
 */
export function operatorConfigMode(dda: DatadogAgent, o: OriginOf, provider: { autopilot: boolean; origin: string }): Decided | undefined {
  const set = dda.spec?.features?.admissionController?.agentCommunicationMode;
  if (set) return { value: set, origin: 'spec.features.admissionController.agentCommunicationMode' };
  if (provider.autopilot) return { value: 'hostip', origin: `${provider.origin} (Autopilot: hostip)` };
  const apm = dda.spec?.features?.apm;
  const apmSocket = (apm?.enabled ?? true) && (apm?.unixDomainSocketConfig?.enabled ?? true);
  const dsdSocket = dda.spec?.features?.dogstatsd?.unixDomainSocketConfig?.enabled ?? true;
  if (!apmSocket && !dsdSocket) return undefined;
  const why = [
    ...(apmSocket ? [`${o('spec.features.apm.enabled')}, ${o('spec.features.apm.unixDomainSocketConfig.enabled')}`] : []),
    ...(dsdSocket ? [o('spec.features.dogstatsd.unixDomainSocketConfig.enabled')] : []),
  ];
  return { value: 'socket', origin: why.join('; ') };
}

/** Socket paths from the APM and DogStatsD features: the host file path and its directory, none on Autopilot (§3.2). */
function socketEnv(dda: DatadogAgent, o: OriginOf, provider: Provider): MaybeEnv[] {
  if (provider.autopilot) return [];
  const out: MaybeEnv[] = [];
  const apm = dda.spec?.features?.apm;
  if ((apm?.enabled ?? true) && (apm?.unixDomainSocketConfig?.enabled ?? true)) {
    const path = apm?.unixDomainSocketConfig?.path || DATADOG_AGENT_DEFAULTS.spec.features.apm.unixDomainSocketConfig.path;
    const origin = o('spec.features.apm.unixDomainSocketConfig.path');
    out.push({ name: 'DD_TRACE_AGENT_HOST_SOCKET_PATH', value: dirname(path), origin }, { name: 'DD_APM_RECEIVER_SOCKET', value: path, origin });
  }
  const dsd = dda.spec?.features?.dogstatsd?.unixDomainSocketConfig;
  if (dsd?.enabled ?? true) {
    const path = dsd?.path || DATADOG_AGENT_DEFAULTS.spec.features.dogstatsd.unixDomainSocketConfig.path;
    const origin = o('spec.features.dogstatsd.unixDomainSocketConfig.path');
    out.push({ name: 'DD_DOGSTATSD_HOST_SOCKET_PATH', value: dirname(path), origin }, { name: 'DD_DOGSTATSD_SOCKET', value: path, origin });
  }
  return out;
}

function dirname(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

function sidecarEnv(dda: DatadogAgent, o: OriginOf, provider: Provider): MaybeEnv[] {
  const sc = dda.spec?.features?.admissionController?.agentSidecarInjection;
  if (!sc?.enabled) return [];
  const p = 'spec.features.admissionController.agentSidecarInjection';
  const name = (n: string) => `${AC}AGENT_SIDECAR_${n}`;
  const nodeImage = dda.spec?.override?.nodeAgent?.image;
  const global = globalRegistry(dda, o, provider);
  const out: MaybeEnv[] = [
    { name: name('ENABLED'), value: 'true', origin: o(`${p}.enabled`) },
    { name: name('CLUSTER_AGENT_ENABLED'), value: String(sc.clusterAgentCommunicationEnabled ?? true), origin: o(`${p}.clusterAgentCommunicationEnabled`) },
    { name: name('PROVIDER'), value: sc.provider || undefined, origin: o(`${p}.provider`) },
    { name: name('CONTAINER_REGISTRY'), value: sc.registry || global.value, origin: sc.registry ? `${p}.registry` : global.origin },
    imageEnv(name('IMAGE_NAME'), sc.image?.name, nodeImage ? nodeImage.name : undefined, nodeImage !== undefined, 'agent', `${p}.image.name`, 'spec.override.nodeAgent.image.name'),
    imageEnv(name('IMAGE_TAG'), sc.image?.tag, nodeImage ? (nodeImage.tag ?? '') : undefined, nodeImage !== undefined, OPERATOR_AGENT_VERSION, `${p}.image.tag`, 'spec.override.nodeAgent.image.tag'),
  ];
  const selectors = (sc.selectors ?? []).filter((s) => hasAny(s, ['namespaceSelector', 'objectSelector']));
  if (selectors.length > 0) out.push({ name: name('SELECTORS'), value: JSON.stringify(selectors), origin: `${p}.selectors` });
  const profiles = (sc.profiles ?? []).filter((s) => hasAny(s, ['env', 'resources', 'securityContext']));
  if (profiles.length > 0) out.push({ name: name('PROFILES'), value: JSON.stringify(profiles), origin: `${p}.profiles` });
  const tls = sc.clusterAgentTlsVerification;
  if (tls?.enabled !== undefined) out.push({ name: name('CLUSTER_AGENT_TLS_VERIFICATION_ENABLED'), value: String(tls.enabled), origin: `${p}.clusterAgentTlsVerification.enabled` });
  if (tls?.copyCaConfigMap !== undefined) {
    out.push({ name: name('CLUSTER_AGENT_TLS_VERIFICATION_COPY_CA_CONFIGMAP'), value: String(tls.copyCaConfigMap), origin: `${p}.clusterAgentTlsVerification.copyCaConfigMap` });
  }
  return out;
}

// Sidecar image name / tag: the field, else the node Agent's override image when that block exists (an empty tag there
// suppresses the variable), else the Operator's default.
function imageEnv(name: string, own: string | undefined, node: string | undefined, hasNode: boolean, fallback: string, ownPath: string, nodePath: string): MaybeEnv {
  if (own) return { name, value: own, origin: ownPath };
  if (hasNode && node !== undefined) return { name, value: node || undefined, origin: nodePath };
  return { name, value: fallback, origin: `${ownPath} (default ${fallback})` };
}

function hasAny(v: unknown, keys: readonly string[]): boolean {
  return typeof v === 'object' && v !== null && keys.some((k) => (v as Record<string, unknown>)[k] !== undefined && (v as Record<string, unknown>)[k] !== null);
}

/** Single Step Instrumentation (§3.2), part of the APM feature. */
function instrumentationEnv(dda: DatadogAgent, o: OriginOf): MaybeEnv[] {
  const apm = dda.spec?.features?.apm;
  const ssi = apm?.instrumentation;
  if (!(apm?.enabled ?? true) || !ssi?.enabled) return [];
  const p = 'spec.features.apm.instrumentation';
  const json = (list: unknown, path: string, name: string): MaybeEnv[] =>
    list && (Array.isArray(list) ? list.length > 0 : Object.keys(list).length > 0) ? [{ name, value: JSON.stringify(list), origin: path }] : [];
  const out: MaybeEnv[] = [
    { name: 'DD_APM_INSTRUMENTATION_ENABLED', value: 'true', origin: o(`${p}.enabled`) },
    ...json(ssi.enabledNamespaces, `${p}.enabledNamespaces`, 'DD_APM_INSTRUMENTATION_ENABLED_NAMESPACES'),
    ...json(ssi.disabledNamespaces, `${p}.disabledNamespaces`, 'DD_APM_INSTRUMENTATION_DISABLED_NAMESPACES'),
    ...json(ssi.libVersions, `${p}.libVersions`, 'DD_APM_INSTRUMENTATION_LIB_VERSIONS'),
    ...json(ssi.targets, `${p}.targets`, 'DD_APM_INSTRUMENTATION_TARGETS'),
    { name: 'DD_APM_INSTRUMENTATION_INJECTOR_IMAGE_TAG', value: ssi.injector?.imageTag || undefined, origin: `${p}.injector.imageTag` },
    { name: 'DD_APM_INSTRUMENTATION_INJECTION_MODE', value: ssi.injectionMode || undefined, origin: `${p}.injectionMode` },
  ];
  const detection = ssi.languageDetection?.enabled;
  if (detection !== undefined) {
    for (const name of ['DD_LANGUAGE_DETECTION_ENABLED', 'DD_LANGUAGE_DETECTION_REPORTING_ENABLED']) out.push({ name, value: String(detection), origin: `${p}.languageDetection.enabled` });
  }
  return out;
}

/** spec.override.clusterAgent: component env, then the cluster-agent container's env and log level; final. */
function overrideEnv(dda: DatadogAgent): MaybeEnv[] {
  const dca = dda.spec?.override?.clusterAgent;
  const container = dca?.containers?.['cluster-agent'];
  const base = 'spec.override.clusterAgent';
  const out = [...envEntries(dca?.env, `${base}.env`), ...envEntries(container?.env, `${base}.containers.cluster-agent.env`)];
  if (container?.logLevel) out.push({ name: 'DD_LOG_LEVEL', value: container.logLevel, origin: `${base}.containers.cluster-agent.logLevel` });
  return out;
}

type EnvEntries = NonNullable<NonNullable<NonNullable<DatadogAgent['spec']>['global']>['env']>;

// Entries with valueFrom cannot be read offline: left out here, reported by valueFromWarnings.
function envEntries(list: EnvEntries | undefined, path: string): MaybeEnv[] {
  return (list ?? []).flatMap((e, i) => (e.valueFrom !== undefined && e.value === undefined ? [] : [{ name: e.name, value: e.value ?? '', origin: `${path}[${i}]` }]));
}

function valueFromWarnings(dda: DatadogAgent, source: string): ConfigIssue[] {
  const lists: [EnvEntries | undefined, string][] = [
    [dda.spec?.global?.env, 'spec.global.env'],
    [dda.spec?.override?.clusterAgent?.env, 'spec.override.clusterAgent.env'],
    [dda.spec?.override?.clusterAgent?.containers?.['cluster-agent']?.env, 'spec.override.clusterAgent.containers.cluster-agent.env'],
  ];
  return lists.flatMap(([list, path]) =>
    (list ?? []).flatMap((e, i) =>
      e.valueFrom !== undefined && e.value === undefined
        ? [{ key: `${path}[${i}]`, origin: source, message: `${e.name} comes from valueFrom, which cannot be read offline: the preview ignores it` }]
        : [],
    ),
  );
}

/** Specs that work but surprise, and what the emulated agent does not do. */
function operatorNotices(dda: DatadogAgent, source: string, provider: Provider, version: AgentVersion): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const note = (key: string, message: string) => out.push({ key, origin: source, message });
  const ac = dda.spec?.features?.admissionController ?? {};
  if (!(ac.enabled ?? true)) return out;
  const mode = operatorConfigMode(dda, () => '', provider)?.value;
  if (ac.agentCommunicationMode === 'csi' && !hasChange(version, 'csi-mode')) {
    note('spec.features.admissionController.agentCommunicationMode', `csi is a Cluster Agent 7.65+ mode; the ${formatAgentVersion(version)} Cluster Agent previewed here does not know it`);
  }
  if (ac.mutation?.enabled === false) {
    note('spec.features.admissionController.mutation.enabled', 'false: Cluster Agent 7.59+ registers no mutating webhook, so nothing is injected; the 7.49 preview does not read this field');
  }
  if (!ac.agentCommunicationMode && mode === 'socket' && dda.spec?.features?.apm?.hostPortConfig?.enabled) {
    note(
      'spec.features.apm.hostPortConfig.enabled',
      'does not choose the mode: with an APM or DogStatsD Unix socket enabled the Operator derives socket. Turn both sockets off (unixDomainSocketConfig.enabled: false) or set spec.features.admissionController.agentCommunicationMode: hostip',
    );
  }
  const paths = [dda.spec?.features?.apm?.unixDomainSocketConfig?.path, dda.spec?.features?.dogstatsd?.unixDomainSocketConfig?.path];
  if (mode === 'socket' && paths.some((p) => p && dirname(p) !== DEFAULT_SOCKET_DIR) && !hasChange(version, 'host-socket-paths')) {
    note(
      'spec.features.apm.unixDomainSocketConfig.path',
      `a socket outside ${DEFAULT_SOCKET_DIR}: in socket mode the ${formatAgentVersion(version)} Cluster Agent still mounts admission_controller.inject_config.socket_path (${DEFAULT_SOCKET_DIR}); custom host socket paths are honoured from 7.72`,
    );
  }
  const port = [...overrideEnv(dda), ...envEntries(dda.spec?.global?.env, 'spec.global.env')].find((e) => e.name === `${AC}PORT`);
  if (port && port.value !== String(OPERATOR_WEBHOOK_PORT)) {
    note(port.origin, `sets ${AC}PORT to ${port.value}, but the Operator's Service and network policy target ${OPERATOR_WEBHOOK_PORT}: the API server could not reach the webhook`);
  }
  return out;
}

function defaultNotes(dda: DatadogAgent, provider: Provider): Record<string, string> {
  if (!(dda.spec?.features?.admissionController?.enabled ?? true)) {
    return { 'admission_controller.enabled': 'default (spec.features.admissionController.enabled: false: the Operator sets no admission settings)' };
  }
  const notes: Record<string, string> = { 'admission_controller.port': `default (the Operator has no port field; its Service targets ${OPERATOR_WEBHOOK_PORT})` };
  if (!operatorConfigMode(dda, () => '', provider)) {
    notes['admission_controller.inject_config.mode'] = 'default (the Operator sets no mode: the APM and DogStatsD Unix sockets are off)';
  }
  return notes;
}

function operatorDeployment(dda: DatadogAgent, namespace: string, provider: Provider): OperatorDeployment {
  const g = dda.spec?.global;
  const f = dda.spec?.features;
  const dca = dda.spec?.override?.clusterAgent;
  const distributions: Distribution[] = [];
  if (provider.autopilot) distributions.push('gke-autopilot');
  if (provider.name === 'aks') distributions.push('aks');
  if (provider.name === 'eks') distributions.push('eks');
  // OperatorHub installs bind this service account to the OpenShift SCCs.
  if (provider.name.startsWith('openshift') || dca?.serviceAccountName === 'datadog-agent-scc') distributions.push('openshift');
  return {
    surface: 'datadog-agent',
    name: dda.metadata.name,
    namespace,
    admissionEnabled: f?.admissionController?.enabled ?? true,
    serviceName: f?.admissionController?.serviceName || DATADOG_AGENT_DEFAULTS.spec.features.admissionController.serviceName,
    site: site(dda),
    endpointUrl: g?.endpoint?.url || undefined,
    dnsSelectorEndpoints: g?.networkPolicy?.dnsSelectorEndpoints,
    clusterAgentHostNetwork: dca?.hostNetwork === true,
    clusterAgentDnsPolicy: dca?.dnsPolicy,
    clusterChecksEnabled: f?.clusterChecks?.enabled ?? true,
    externalMetrics: { enabled: f?.externalMetricsServer?.enabled === true, port: f?.externalMetricsServer?.port ?? 8443 },
    networkPolicy: { create: g?.networkPolicy?.create === true, flavor: g?.networkPolicy?.flavor || 'kubernetes' },
    clusterProvider: provider.name,
    distributions,
    agentCommunicationModeSet: Boolean(f?.admissionController?.agentCommunicationMode),
  };
}
