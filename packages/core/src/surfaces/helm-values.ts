import type { Distribution, HelmDeployment } from './agent-deployment.js';
import { surfaceAgentVersion, surfaceConfig, type DerivedEnvVar, type SurfaceConfigResult } from './cluster-agent-env.js';
import type { ConfigIssue } from '../config/parse.js';
import type { AdmissionConfig } from '../config/schema.js';
import { formatAgentVersion, type AgentVersion } from '../versions/agent-version.js';
import { hasChange } from '../versions/behaviour-changes.js';
import type { AgentVersionEvidence } from '../versions/evidence.js';
import { helmConfigMode, helmFullname, helmRegistry, helmSite, isValidMigrationMode, type Decided, type OriginOf } from './helm-chart.js';
import { coalesceValues, HELM_CHART_VERSION, HELM_DEFAULTS, helmValuesSchema, type HelmValues } from './helm-values-schema.js';
import { isMap, issuesOf, originOf, showValue, truthy, valueAt } from './user-values.js';

// Helm values -> the env the chart renders on the cluster-agent container
// (spec/helm-values.md §2-§5) -> parseConfig. The env is rendered in the
// template's order: chart variables first, then `clusterAgent.env` and
// `clusterAgent.envDict`, so a user's entry of the same name wins.

/** Where the values are installed: Helm knows these from the command line, not from the values. */
export interface HelmOptions {
  /** Helm release name (default `datadog`). */
  release?: string;
  /** Release namespace, where the Cluster Agent runs (default `default`). */
  namespace?: string;
  /** Names the values in messages (a file name; default `Helm values`). */
  source?: string;
  /** The release to emulate when the user names one (`--agent-version`); it wins over clusterAgent.image.tag. */
  agentVersion?: AgentVersionEvidence['explicit'];
}

const AC = 'DD_ADMISSION_CONTROLLER_';
const DEFAULT_SOCKET_DIR = '/var/run/datadog';

/** The admission configuration a Helm release with these values gives the Cluster Agent, each key naming the value behind it. */
export function configFromHelmValues(values: unknown, options: HelmOptions = {}): SurfaceConfigResult {
  const source = options.source ?? 'Helm values';
  if (values !== undefined && values !== null && !isMap(values)) {
    return { ok: false, errors: [{ key: '(root)', origin: source, message: `expected the Helm values as a map, got ${showValue(values)}` }], warnings: [] };
  }
  const user = values ?? {};
  const parsed = helmValuesSchema.safeParse(coalesceValues(HELM_DEFAULTS, user));
  if (!parsed.success) return { ok: false, errors: issuesOf(parsed.error, source), warnings: [] };
  const v = parsed.data;
  const o: OriginOf = (path) => originOf(user, path, valueAt(HELM_DEFAULTS, path));
  const failures = renderFailures(v, source);
  if (failures.length > 0) return { ok: false, errors: failures, warnings: [] };

  const agentVersion = surfaceAgentVersion({ explicit: options.agentVersion, image: helmImageEvidence(v, user) });
  if ('ok' in agentVersion) return agentVersion;

  const release = options.release ?? 'datadog';
  const namespace = options.namespace ?? 'default';
  const fullname = helmFullname(v, release);
  const env = helmEnv(v, o, fullname, namespace, source);
  return surfaceConfig({
    env: env.env,
    warnings: [...env.warnings, ...helmNotices(v, source, agentVersion.version)],
    defaultNotes: defaultNotes(v),
    deployment: helmDeployment(v, release, fullname.value, namespace),
    agentVersion,
  });
}

/** The Cluster Agent image the chart deploys: clusterAgent.image.digest wins over its tag, which defaults to the chart's. */
function helmImageEvidence(v: HelmValues, user: unknown): AgentVersionEvidence['image'] {
  const image = v.clusterAgent?.image ?? {};
  if (image.digest) return { tag: image.digest, origin: 'clusterAgent.image.digest' };
  const given = valueAt(user, 'clusterAgent.image.tag') !== undefined;
  return { tag: image.tag ?? '', origin: given ? 'clusterAgent.image.tag' : `chart ${HELM_CHART_VERSION} default clusterAgent.image.tag` };
}

/** Values the chart refuses to render with (NOTES.txt `fail`, `_helpers.tpl` checks). */
function renderFailures(v: HelmValues, source: string): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const fail = (key: string, message: string) => out.push({ key, origin: source, message });
  const ssi = v.datadog?.apm?.instrumentation;
  if (ssi?.enabled && !v.clusterAgent?.admissionController?.enabled) {
    fail('datadog.apm.instrumentation.enabled', 'the chart refuses to render: Single Step Instrumentation needs clusterAgent.admissionController.enabled: true');
  }
  if (ssi?.injectionMode === 'csi' && !v.datadog?.csi?.enabled) {
    fail('datadog.apm.instrumentation.injectionMode', 'the chart refuses to render: injectionMode csi needs datadog.csi.enabled: true');
  }
  const clusterName = v.datadog?.clusterName;
  if (clusterName && (clusterName.length > 80 || !CLUSTER_NAME.test(clusterName))) {
    fail('datadog.clusterName', `the chart refuses to render ${showValue(clusterName)}: at most 80 characters, lower-case dot-separated words of letters, digits and '-', each starting with a letter`);
  }
  if (!isValidMigrationMode(v.registryMigrationMode)) {
    fail('registryMigrationMode', `the chart refuses to render ${showValue(v.registryMigrationMode)}: expected auto, all or "" (no migration)`);
  }
  return out;
}

// The chart's check on datadog.clusterName.
const CLUSTER_NAME = /^([a-z]([a-z0-9-]*[a-z0-9])?\.)*([a-z]([a-z0-9-]*[a-z0-9])?)$/;

interface EnvOut {
  env: DerivedEnvVar[];
  warnings: ConfigIssue[];
}

function helmEnv(v: HelmValues, o: OriginOf, fullname: Decided, namespace: string, source: string): EnvOut {
  if (!clusterAgentDeployed(v)) return { env: [], warnings: [] };
  const env: DerivedEnvVar[] = [];
  const add = (name: string, value: string, origin: string) => env.push({ name, value, origin });
  const quoted = (x: unknown) => (x === undefined || x === null ? '' : String(x));
  const d = v.datadog ?? {};
  const ac = v.clusterAgent?.admissionController ?? {};

  if (d.site) add('DD_SITE', d.site, o('datadog.site'));
  if (d.dd_url) add('DD_DD_URL', d.dd_url, o('datadog.dd_url'));
  if (d.logLevel !== undefined) add('DD_LOG_LEVEL', d.logLevel, o('datadog.logLevel'));
  if (d.clusterName) add('DD_CLUSTER_NAME', d.clusterName, o('datadog.clusterName'));
  add('DD_KUBE_RESOURCES_NAMESPACE', namespace, 'Helm release namespace');
  if (v.providers?.gke?.autopilot) add('DD_CLOUD_PROVIDER_METADATA', '["gcp"]', o('providers.gke.autopilot'));

  if (ac.enabled) {
    const p = 'clusterAgent.admissionController';
    add(`${AC}ENABLED`, 'true', o(`${p}.enabled`));
    add(`${AC}VALIDATION_ENABLED`, quoted(ac.validation?.enabled), o(`${p}.validation.enabled`));
    add(`${AC}MUTATION_ENABLED`, quoted(ac.mutation?.enabled), o(`${p}.mutation.enabled`));
    add(`${AC}WEBHOOK_NAME`, quoted(ac.webhookName), o(`${p}.webhookName`));
    add(`${AC}MUTATE_UNLABELLED`, quoted(ac.mutateUnlabelled), o(`${p}.mutateUnlabelled`));
    add(`${AC}SERVICE_NAME`, `${fullname.value}-cluster-agent-admission-controller`, `${fullname.origin} + "-cluster-agent-admission-controller"`);
    const mode = helmConfigMode(v, o);
    add(`${AC}INJECT_CONFIG_MODE`, mode.value, mode.origin);
    const local = v.agents?.localService?.overrideName;
    add(`${AC}INJECT_CONFIG_LOCAL_SERVICE_NAME`, local || fullname.value, local ? o('agents.localService.overrideName') : fullname.origin);
    if (v.providers?.aks?.enabled) add(`${AC}ADD_AKS_SELECTORS`, 'true', o('providers.aks.enabled'));
    add(`${AC}FAILURE_POLICY`, quoted(ac.failurePolicy), o(`${p}.failurePolicy`));
    add(`${AC}PORT`, quoted(ac.port), o(`${p}.port`));
    if (ac.probe?.enabled) {
      add(`${AC}PROBE_ENABLED`, 'true', o(`${p}.probe.enabled`));
      add(`${AC}PROBE_INTERVAL`, quoted(ac.probe.interval), o(`${p}.probe.interval`));
      add(`${AC}PROBE_GRACE_PERIOD`, quoted(ac.probe.gracePeriod), o(`${p}.probe.gracePeriod`));
    }
    // Rendered whenever non-empty, whatever socketEnabled / useSocketVolume say (§3.2).
    if (d.apm?.hostSocketPath) add('DD_TRACE_AGENT_HOST_SOCKET_PATH', d.apm.hostSocketPath, o('datadog.apm.hostSocketPath'));
    if (d.dogstatsd?.hostSocketPath) add('DD_DOGSTATSD_HOST_SOCKET_PATH', d.dogstatsd.hostSocketPath, o('datadog.dogstatsd.hostSocketPath'));
    if (d.dogstatsd?.socketPath) add('DD_DOGSTATSD_SOCKET', d.dogstatsd.socketPath, o('datadog.dogstatsd.socketPath'));
    if (d.apm?.socketPath) add('DD_APM_RECEIVER_SOCKET', d.apm.socketPath, o('datadog.apm.socketPath'));
    env.push(...sidecarEnv(v, o));
  }

  // Rendered even with the Admission Controller disabled (§2).
  if (ac.remoteInstrumentation?.enabled) {
    add(`${AC}AUTO_INSTRUMENTATION_PATCHER_ENABLED`, 'true', o('clusterAgent.admissionController.remoteInstrumentation.enabled'));
    if (v.remoteConfiguration?.enabled && !v.providers?.gke?.gdc) {
      add('DD_REMOTE_CONFIGURATION_ENABLED', 'true', `${o('clusterAgent.admissionController.remoteInstrumentation.enabled')}, ${o('remoteConfiguration.enabled')}`);
    }
  }
  const registry: Decided = ac.containerRegistry
    ? { value: ac.containerRegistry, origin: o('clusterAgent.admissionController.containerRegistry') }
    : helmRegistry(v, o);
  add(`${AC}CONTAINER_REGISTRY`, registry.value, registry.origin);
  if (ac.cwsInstrumentation?.enabled) {
    add(`${AC}CWS_INSTRUMENTATION_ENABLED`, 'true', o('clusterAgent.admissionController.cwsInstrumentation.enabled'));
    add(`${AC}CWS_INSTRUMENTATION_MODE`, quoted(ac.cwsInstrumentation.mode), o('clusterAgent.admissionController.cwsInstrumentation.mode'));
  }
  if (ac.kubernetesAdmissionEvents?.enabled) {
    add(`${AC}KUBERNETES_ADMISSION_EVENTS_ENABLED`, 'true', o('clusterAgent.admissionController.kubernetesAdmissionEvents.enabled'));
  }
  env.push(...instrumentationEnv(v, o));
  add('DD_CSI_ENABLED', quoted(d.csi?.enabled), o('datadog.csi.enabled'));

  const user = userEnv(v, source);
  return { env: [...env, ...user.env], warnings: user.warnings };
}

function clusterAgentDeployed(v: HelmValues): boolean {
  return v.clusterAgent?.enabled === true && v.existingClusterAgent?.join !== true;
}

/** `_ac-agent-sidecar-env.yaml` (§3.3). */
function sidecarEnv(v: HelmValues, o: OriginOf): DerivedEnvVar[] {
  const sc = v.clusterAgent?.admissionController?.agentSidecarInjection;
  if (!sc?.enabled) return [];
  const p = 'clusterAgent.admissionController.agentSidecarInjection';
  const out: DerivedEnvVar[] = [];
  const add = (name: string, value: string, origin: string) => out.push({ name: `${AC}AGENT_SIDECAR_${name}`, value, origin });
  add('ENABLED', 'true', o(`${p}.enabled`));
  add('CLUSTER_AGENT_ENABLED', String(sc.clusterAgentCommunicationEnabled === true), o(`${p}.clusterAgentCommunicationEnabled`));
  const tls = sc.clusterAgentTlsVerification;
  if (tls?.enabled) {
    add('CLUSTER_AGENT_TLS_VERIFICATION_ENABLED', 'true', o(`${p}.clusterAgentTlsVerification.enabled`));
    if (tls.copyCaConfigMap) add('CLUSTER_AGENT_TLS_VERIFICATION_COPY_CA_CONFIGMAP', 'true', o(`${p}.clusterAgentTlsVerification.copyCaConfigMap`));
  }
  if (sc.provider) add('PROVIDER', sc.provider, o(`${p}.provider`));
  if (sc.containerRegistry) add('CONTAINER_REGISTRY', sc.containerRegistry, o(`${p}.containerRegistry`));
  add('IMAGE_NAME', sc.imageName || (v.agents?.image?.name ?? ''), sc.imageName ? o(`${p}.imageName`) : o('agents.image.name'));
  add('IMAGE_TAG', sc.imageTag || (v.agents?.image?.tag ?? ''), sc.imageTag ? o(`${p}.imageTag`) : o('agents.image.tag'));
  if (sc.selectors && sc.selectors.length > 0) add('SELECTORS', JSON.stringify(sc.selectors), o(`${p}.selectors`));
  if (sc.profiles && sc.profiles.length > 0) add('PROFILES', JSON.stringify(sc.profiles), o(`${p}.profiles`));
  return out;
}

/** Single Step Instrumentation and the library-injection extras (§3.4). */
function instrumentationEnv(v: HelmValues, o: OriginOf): DerivedEnvVar[] {
  const out: DerivedEnvVar[] = [];
  const add = (name: string, value: string, origin: string) => out.push({ name, value, origin });
  const p = 'datadog.apm.instrumentation';
  const ssi = v.datadog?.apm?.instrumentation ?? {};
  if (ssi.enabled) add('DD_APM_INSTRUMENTATION_ENABLED', 'true', o(`${p}.enabled`));
  if (ssi.enabledNamespaces?.length) add('DD_APM_INSTRUMENTATION_ENABLED_NAMESPACES', JSON.stringify(ssi.enabledNamespaces), o(`${p}.enabledNamespaces`));
  if (ssi.disabledNamespaces?.length) add('DD_APM_INSTRUMENTATION_DISABLED_NAMESPACES', JSON.stringify(ssi.disabledNamespaces), o(`${p}.disabledNamespaces`));
  if (ssi.libVersions && Object.keys(ssi.libVersions).length > 0) add('DD_APM_INSTRUMENTATION_LIB_VERSIONS', JSON.stringify(ssi.libVersions), o(`${p}.libVersions`));
  if (ssi.targets?.length) add('DD_APM_INSTRUMENTATION_TARGETS', JSON.stringify(ssi.targets), o(`${p}.targets`));
  if (ssi.injector?.imageTag) add('DD_APM_INSTRUMENTATION_INJECTOR_IMAGE_TAG', ssi.injector.imageTag, o(`${p}.injector.imageTag`));
  if (ssi.injectionMode) add('DD_APM_INSTRUMENTATION_INJECTION_MODE', ssi.injectionMode, o(`${p}.injectionMode`));
  const allow = v.global?.apmRegistryAllowList ?? [];
  if (allow.length > 0) add(`${AC}AUTO_INSTRUMENTATION_CONTAINER_REGISTRY_ALLOW_LIST`, allow.join(','), o('global.apmRegistryAllowList'));
  const asm = v.datadog?.asm;
  if (asm?.threats?.enabled) add(`${AC}AUTO_INSTRUMENTATION_APPSEC_ENABLED`, 'true', o('datadog.asm.threats.enabled'));
  if (asm?.sca?.enabled) add(`${AC}AUTO_INSTRUMENTATION_APPSEC_SCA_ENABLED`, 'true', o('datadog.asm.sca.enabled'));
  if (asm?.iast?.enabled) add(`${AC}AUTO_INSTRUMENTATION_IAST_ENABLED`, 'true', o('datadog.asm.iast.enabled'));
  const profiling = v.datadog?.profiling?.enabled;
  if (profiling !== undefined) add(`${AC}AUTO_INSTRUMENTATION_PROFILING_ENABLED`, String(profiling), o('datadog.profiling.enabled'));
  if (ssi.enabled && ssi.language_detection?.enabled) {
    const why = `${o(`${p}.enabled`)}, ${o(`${p}.language_detection.enabled`)}`;
    for (const name of ['DD_LANGUAGE_DETECTION_ENABLED', 'DD_LANGUAGE_DETECTION_REPORTING_ENABLED', 'DD_CLUSTER_AGENT_LANGUAGE_DETECTION_PATCHER_ENABLED']) add(name, 'true', why);
  }
  return out;
}

/** `clusterAgent.env` then `clusterAgent.envDict` (keys sorted, as Go ranges over a map): rendered last, so they win. */
function userEnv(v: HelmValues, source: string): EnvOut {
  const env: DerivedEnvVar[] = [];
  const warnings: ConfigIssue[] = [];
  (v.clusterAgent?.env ?? []).forEach((entry, i) => {
    const path = `clusterAgent.env[${i}]`;
    if (truthy(entry.value)) {
      env.push({ name: entry.name, value: String(entry.value), origin: path });
      return;
    }
    // The template renders a false-y value as valueFrom.
    if (entry.valueFrom !== undefined && entry.valueFrom !== null) {
      warnings.push({ key: path, origin: source, message: `${entry.name} comes from valueFrom, which cannot be read offline: the preview ignores it` });
      return;
    }
    if (entry.value === false || entry.value === 0) {
      warnings.push({
        key: `${path}.value`,
        origin: source,
        message: `${showValue(entry.value)} is false-y, so the chart renders ${entry.name} without a value and the Cluster Agent ignores it: quote it ("${String(entry.value)}")`,
      });
    }
    env.push({ name: entry.name, value: '', origin: path });
  });
  for (const name of Object.keys(v.clusterAgent?.envDict ?? {}).sort()) {
    const value = v.clusterAgent!.envDict![name];
    env.push({ name, value: value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value), origin: `clusterAgent.envDict.${name}` });
  }
  return { env, warnings };
}

/** Values that work but surprise: what the chart's NOTES say, and what the emulated agent does not do. */
function helmNotices(v: HelmValues, source: string, version: AgentVersion): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const note = (key: string, message: string) => out.push({ key, origin: source, message });
  if (!clusterAgentDeployed(v)) {
    const why = v.existingClusterAgent?.join ? 'existingClusterAgent.join is true' : 'clusterAgent.enabled is false';
    note(v.existingClusterAgent?.join ? 'existingClusterAgent.join' : 'clusterAgent.enabled', `${why}: this release deploys no Cluster Agent, so no admission controller`);
    return out;
  }
  const ac = v.clusterAgent?.admissionController ?? {};
  if (!ac.enabled) return out;
  const apm = v.datadog?.apm ?? {};
  if (!ac.configMode && apm.useLocalService && apm.socketEnabled && helmConfigMode(v, () => '').value === 'socket') {
    note('datadog.apm.useLocalService', 'datadog.apm.socketEnabled is also true and wins: mode socket. Set datadog.apm.socketEnabled: false for service mode (as the chart NOTES say)');
  }
  const csiNeeds = v.datadog?.csi?.enabled ? '' : ' and needs datadog.csi.enabled (without it the Cluster Agent uses socket)';
  if (ac.configMode === 'csi' && !hasChange(version, 'csi-mode')) {
    note('clusterAgent.admissionController.configMode', `csi is a Cluster Agent 7.65+ mode${csiNeeds}; the ${formatAgentVersion(version)} Cluster Agent previewed here does not know it`);
  } else if (ac.configMode === 'csi' && csiNeeds) {
    note('clusterAgent.admissionController.configMode', `csi${csiNeeds}`);
  }
  if (ac.mutation?.enabled === false) {
    note('clusterAgent.admissionController.mutation.enabled', 'false: Cluster Agent 7.59+ registers no mutating webhook, so nothing is injected; the 7.49 preview does not read this value');
  }
  const isCustom = (dir: string | undefined) => Boolean(dir) && dir !== DEFAULT_SOCKET_DIR;
  const custom = [
    isCustom(apm.hostSocketPath) ? 'datadog.apm.hostSocketPath' : '',
    isCustom(v.datadog?.dogstatsd?.hostSocketPath) ? 'datadog.dogstatsd.hostSocketPath' : '',
  ].filter(Boolean);
  if (custom.length > 0 && helmConfigMode(v, () => '').value === 'socket' && !hasChange(version, 'host-socket-paths')) {
    note(
      custom[0]!,
      `not ${DEFAULT_SOCKET_DIR}: in socket mode the ${formatAgentVersion(version)} Cluster Agent still mounts admission_controller.inject_config.socket_path (${DEFAULT_SOCKET_DIR}); custom host socket paths are honoured from 7.72`,
    );
  }
  return out;
}

function defaultNotes(v: HelmValues): Record<string, string> {
  if (!clusterAgentDeployed(v)) return { 'admission_controller.enabled': 'default (no Cluster Agent in this release)' };
  if (!v.clusterAgent?.admissionController?.enabled) {
    return { 'admission_controller.enabled': 'default (clusterAgent.admissionController.enabled: false renders no DD_ADMISSION_CONTROLLER_* settings)' };
  }
  return {};
}

/** The deployment the chart makes with its default values: the shapes used when only datadog.yaml keys are known. */
export function defaultHelmDeployment(namespace: string, release = 'datadog'): HelmDeployment {
  const values = helmValuesSchema.parse(coalesceValues(HELM_DEFAULTS, {}));
  return helmDeployment(values, release, helmFullname(values, release).value, namespace);
}

/** The chart's shapes for a hand-written install known only by its datadog.yaml keys (webhook port and Service name from the config). */
export function plainHelmDeployment(config: AdmissionConfig, namespace: string): HelmDeployment {
  const ac = config.admission_controller;
  // No chart labels: nothing says Helm made it.
  return { ...defaultHelmDeployment(namespace), labels: {}, webhook: { enabled: ac.enabled, port: ac.port }, serviceName: ac.service_name };
}

function helmDeployment(v: HelmValues, release: string, fullname: string, namespace: string): HelmDeployment {
  const providers = { gkeAutopilot: v.providers?.gke?.autopilot === true, gkeGdc: v.providers?.gke?.gdc === true, aks: v.providers?.aks?.enabled === true };
  const openshift = v.agents?.podSecurity?.securityContextConstraints?.create === true || v.clusterAgent?.podSecurity?.securityContextConstraints?.create === true;
  const distributions: Distribution[] = [];
  if (providers.gkeAutopilot) distributions.push('gke-autopilot');
  if (providers.aks) distributions.push('aks');
  if (openshift) distributions.push('openshift');
  const np = v.datadog?.networkPolicy;
  return {
    surface: 'helm',
    release,
    fullname,
    namespace,
    clusterAgentDeployed: clusterAgentDeployed(v),
    webhook: { enabled: v.clusterAgent?.admissionController?.enabled === true, port: v.clusterAgent?.admissionController?.port ?? 8000 },
    serviceName: `${fullname}-cluster-agent-admission-controller`,
    labels: {
      'helm.sh/chart': `datadog-${HELM_CHART_VERSION}`,
      'app.kubernetes.io/name': fullname,
      'app.kubernetes.io/instance': release,
      'app.kubernetes.io/managed-by': 'Helm',
      'app.kubernetes.io/version': '7',
      ...v.commonLabels,
    },
    clusterAgentPodLabels: { ...v.clusterAgent?.podLabels },
    clusterAgentHostNetwork: v.clusterAgent?.useHostNetwork === true,
    agents: { enabled: v.agents?.enabled === true, useHostNetwork: v.agents?.useHostNetwork === true, podLabels: { ...v.agents?.podLabels } },
    clusterChecksRunnerEnabled: v.clusterChecksRunner?.enabled === true,
    metricsProvider: { enabled: v.clusterAgent?.metricsProvider?.enabled === true, port: v.clusterAgent?.metricsProvider?.service?.port ?? 8443 },
    site: helmSite(v),
    ddUrl: v.datadog?.dd_url || undefined,
    ciliumDnsSelector: { ...np?.cilium?.dnsSelector },
    networkPolicy: { create: np?.create === true || v.clusterAgent?.networkPolicy?.create === true, flavor: np?.flavor ?? 'kubernetes' },
    providers,
    distributions,
    configModeSet: Boolean(v.clusterAgent?.admissionController?.configMode),
  };
}
