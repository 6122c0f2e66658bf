import type { AdmissionConfig } from '../config/schema.js';
import { injectionModes, INJECTION_MODES } from '../config/parse.js';
import type { AgentVersion } from '../versions/agent-version.js';
import { hasChange } from '../versions/behaviour-changes.js';
import { injectDynamicEnv, injectEnv, type EnvValue } from './env-injection.js';
import { CONFIG_MODE_LABEL, configFilterGate, configGate, podLabel } from './labels.js';
import type { Pod } from '../review/pod.js';
import { injectVolume, markSafeToEvict, type PlannedVolume } from './volume-injection.js';
import { done, failed, skipped, startRun, warn, type MutationContext, type Run, type WebhookResult } from './webhook.js';
import type { WebhookFailure } from './report.js';

export type InjectionMode = (typeof INJECTION_MODES)[number] | 'csi';

/** Name of the socket-mode hostPath volume and its mounts. */
export const SOCKET_VOLUME_NAME = 'datadog';
/** Per-pod override of type_socket_volumes (7.58). */
export const TYPE_SOCKET_VOLUMES_LABEL = 'admission.datadoghq.com/config.type_socket_volumes';

/** The config webhook (`/injectconfig`): how application containers reach the node's Datadog Agent. */
export function injectConfig(pod: Pod, context: MutationContext, config: AdmissionConfig): WebhookResult {
  const run = startRun('config', pod);
  const gate = hasChange(config.agentVersion, 'config-filter-namespaces') ? configFilterGate(pod, config, context.agentNamespace) : configGate(pod, config);
  if (gate.warning) warn(run, gate.warning);
  if (!gate.pass) return skipped(run, gate.code, gate.reason);
  const failure = injectAgentConfig(run, context, config);
  return failure ? failed(run, failure.code, failure.message) : done(run);
}

/**
 * The config webhook's injection without its gate, into `run`'s journal: the
 * mode's env and volumes, DD_ENTITY_ID, then (7.57+) DD_EXTERNAL_ENV and
 * DD_INTERNAL_POD_UID. `/injectlib` runs it for the pods SSI selects
 * (config-injection-7.78.md §9). An unknown mode injects nothing and is returned.
 */
export function injectAgentConfig(run: Run, context: MutationContext, config: AdmissionConfig): Omit<WebhookFailure, 'webhook'> | undefined {
  const version = config.agentVersion;
  const { mode, reason } = resolveMode(run, run.journal.pod, config);
  if (!injectionModes(version).includes(mode)) return { code: 'unknown mode', message: `invalid injection mode "${mode}"` };
  const ic = config.admission_controller.inject_config;
  switch (mode as InjectionMode) {
    case 'hostip':
      injectEnv(run.journal, { name: 'DD_AGENT_HOST', fieldPath: 'status.hostIP' }, reason);
      break;
    case 'service': {
      const host = `${ic.local_service_name}.${context.agentNamespace || 'default'}.svc.cluster.local`;
      injectEnv(run.journal, { name: 'DD_AGENT_HOST', value: host }, reason);
      break;
    }
    case 'socket':
    case 'csi': {
      const sockets = socketPlan(run, config, mode === 'csi');
      injectEnv(run.journal, { name: 'DD_TRACE_AGENT_URL', value: sockets.traceUrl }, reason);
      injectEnv(run.journal, { name: 'DD_DOGSTATSD_URL', value: sockets.dogstatsdUrl }, reason);
      injectSocketVolumes(run, sockets.volumes, `${reason}: ${sockets.why}`, version);
      break;
    }
  }
  const entityId: EnvValue = { name: 'DD_ENTITY_ID', fieldPath: 'metadata.uid' };
  injectEnv(run.journal, entityId, 'the pod UID lets the agent tag this container\'s data (every mode)');
  if (hasChange(version, 'external-env')) injectExternalEnv(run);
  return undefined;
}

/** The global mode as written, unless the pod's config.mode label names a valid one; csi without csi.enabled becomes socket (7.65). */
function resolveMode(run: Run, pod: Pod, config: AdmissionConfig): { mode: string; reason: string } {
  const decided = labelledMode(run, pod, config);
  if (decided.mode !== 'csi' || config.csi.enabled || !hasChange(config.agentVersion, 'csi-mode')) return decided;
  warn(run, 'csi mode needs csi.enabled (false): using socket');
  return { mode: 'socket', reason: `mode socket (csi.enabled is false; ${decided.reason})` };
}

function labelledMode(run: Run, pod: Pod, config: AdmissionConfig): { mode: string; reason: string } {
  const global = config.admission_controller.inject_config.mode;
  const globalReason = `mode ${global} (admission_controller.inject_config.mode)`;
  const label = podLabel(pod, CONFIG_MODE_LABEL);
  if (label === undefined) return { mode: global, reason: globalReason };
  const wanted = label.toLowerCase();
  const modes = injectionModes(config.agentVersion);
  if (modes.includes(wanted)) {
    return { mode: wanted, reason: `mode ${wanted} (label ${CONFIG_MODE_LABEL})` };
  }
  warn(run, `invalid label value ${CONFIG_MODE_LABEL}="${label}" (expected ${modes.slice(0, -1).join(', ')} or ${modes.at(-1)}): using ${global}`);
  return { mode: global, reason: globalReason };
}

/** What socket and csi modes inject: the two URLs and the volumes behind them. */
interface SocketPlan {
  traceUrl: string;
  dogstatsdUrl: string;
  volumes: PlannedVolume[];
  /** Why these volumes, for events. */
  why: string;
}

/** The URLs and volumes of socket / csi mode for the emulated release (config-injection-7.78.md §3-§4). */
function socketPlan(run: Run, config: AdmissionConfig, csi: boolean): SocketPlan {
  const version = config.agentVersion;
  const ic = config.admission_controller.inject_config;
  if (!hasChange(version, 'type-socket-volumes')) {
    const volume = hostPathVolume(SOCKET_VOLUME_NAME, ic.socket_path, 'DirectoryOrCreate', ic.socket_path);
    return { traceUrl: ic.trace_agent_socket, dogstatsdUrl: ic.dogstatsd_socket, volumes: [volume], why: `the agent's unix sockets live in ${ic.socket_path} on the node` };
  }
  const socketType = useSocketVolumes(run, config);
  if (!hasChange(version, 'host-socket-paths')) return legacySocketPlan(config, csi, socketType);
  const apmFile = basename(config.apm_config.receiver_socket);
  const dsdFile = basename(config.dogstatsd_socket);
  const hostApm = config.trace_agent_host_socket_path;
  const hostDsd = config.dogstatsd_host_socket_path;
  const base = ic.socket_path;
  const split = !socketType && (csi || hostDsd !== hostApm);
  const urls = {
    traceUrl: `unix://${split ? `${base}/apm` : base}/${apmFile}`,
    dogstatsdUrl: `unix://${split ? `${base}/dsd` : base}/${dsdFile}`,
  };
  if (socketType) {
    const volumes = csi
      ? [csiVolume(config, 'datadog-dogstatsd', 'DSDSocket', `${base}/${dsdFile}`), csiVolume(config, 'datadog-trace-agent', 'APMSocket', `${base}/${apmFile}`)]
      : [
          hostPathVolume('datadog-dogstatsd', `${hostDsd}/${dsdFile}`, 'Socket', `${base}/${dsdFile}`),
          hostPathVolume('datadog-trace-agent', `${hostApm}/${apmFile}`, 'Socket', `${base}/${apmFile}`),
        ];
    return { ...urls, volumes, why: 'socket-type volumes: the pod starts once the agent\'s sockets exist' };
  }
  if (csi) {
    const volumes = [csiVolume(config, 'datadog-dsd', 'DSDSocketDirectory', `${base}/dsd`), csiVolume(config, 'datadog-apm', 'APMSocketDirectory', `${base}/apm`)];
    return { ...urls, volumes, why: `the Datadog CSI driver ${config.csi.driver} provides the agent's socket directories` };
  }
  if (!split) {
    return { ...urls, volumes: [hostPathVolume(SOCKET_VOLUME_NAME, hostDsd, 'DirectoryOrCreate', base)], why: `the agent's unix sockets live in ${hostDsd} on the node` };
  }
  const volumes = [hostPathVolume('datadog-dsd', hostDsd, 'DirectoryOrCreate', `${base}/dsd`), hostPathVolume('datadog-apm', hostApm, 'DirectoryOrCreate', `${base}/apm`)];
  return { ...urls, volumes, why: `the agent's sockets live in ${hostDsd} (DogStatsD) and ${hostApm} (APM) on the node` };
}

/** 7.58-7.71: URLs from inject_config.*_socket; socket-type volumes mount those very paths; csi mounts socket_path. */
function legacySocketPlan(config: AdmissionConfig, csi: boolean, socketType: boolean): SocketPlan {
  const ic = config.admission_controller.inject_config;
  const urls = { traceUrl: ic.trace_agent_socket, dogstatsdUrl: ic.dogstatsd_socket };
  if (socketType) {
    const dsd = stripUnix(ic.dogstatsd_socket);
    const apm = stripUnix(ic.trace_agent_socket);
    const volumes = csi
      ? [csiVolume(config, 'datadog-dogstatsd', 'DSDSocket', dsd), csiVolume(config, 'datadog-trace-agent', 'APMSocket', apm)]
      : [hostPathVolume('datadog-dogstatsd', dsd, 'Socket', dsd), hostPathVolume('datadog-trace-agent', apm, 'Socket', apm)];
    return { ...urls, volumes, why: 'socket-type volumes: the pod starts once the agent\'s sockets exist' };
  }
  if (csi) {
    const volume = csiVolume(config, SOCKET_VOLUME_NAME, 'DSDSocketDirectory', ic.socket_path);
    return { ...urls, volumes: [volume], why: `the Datadog CSI driver ${config.csi.driver} provides the agent's socket directory` };
  }
  const volume = hostPathVolume(SOCKET_VOLUME_NAME, ic.socket_path, 'DirectoryOrCreate', ic.socket_path);
  return { ...urls, volumes: [volume], why: `the agent's unix sockets live in ${ic.socket_path} on the node` };
}

/** The type_socket_volumes label when it says true or false (any case), else the global key. */
function useSocketVolumes(run: Run, config: AdmissionConfig): boolean {
  const global = config.admission_controller.inject_config.type_socket_volumes;
  const label = podLabel(run.journal.pod, TYPE_SOCKET_VOLUMES_LABEL);
  if (label === undefined) return global;
  const value = label.toLowerCase();
  if (value === 'true' || value === 'false') return value === 'true';
  warn(run, `invalid label value ${TYPE_SOCKET_VOLUMES_LABEL}="${value}" (expected true or false): using admission_controller.inject_config.type_socket_volumes (${global})`);
  return global;
}

/** Injects each planned volume; from 7.58 each one added is marked safe to evict. */
function injectSocketVolumes(run: Run, volumes: readonly PlannedVolume[], reason: string, version: AgentVersion): void {
  for (const planned of volumes) {
    const added = injectVolume(run.journal, { ...planned, reason }, version);
    if (added && hasChange(version, 'safe-to-evict')) markSafeToEvict(run.journal, planned.volume.name);
  }
}

/** DD_EXTERNAL_ENV (`it-<init>,cn-<name>,pu-$(DD_INTERNAL_POD_UID)`) then DD_INTERNAL_POD_UID; prepending puts the UID first. */
function injectExternalEnv(run: Run): void {
  const why = 'lets the agent tell this container\'s data from its neighbours\' (origin detection)';
  injectDynamicEnv(run.journal, 'DD_EXTERNAL_ENV', (c, list) => `it-${list === 'initContainers'},cn-${c.name},pu-$(DD_INTERNAL_POD_UID)`, why);
  injectEnv(run.journal, { name: 'DD_INTERNAL_POD_UID', fieldPath: 'metadata.uid' }, why);
}

function hostPathVolume(name: string, path: string, type: string, mountPath: string): PlannedVolume {
  return { volume: { name, hostPath: { path, type } }, mount: { name, mountPath, readOnly: true }, reason: '' };
}

function csiVolume(config: AdmissionConfig, name: string, type: string, mountPath: string): PlannedVolume {
  const volume = { name, csi: { driver: config.csi.driver, readOnly: true, volumeAttributes: { type } } };
  return { volume, mount: { name, mountPath, readOnly: true }, reason: '' };
}

/** Go's filepath.Base: the last element, `.` for an empty path, `/` for only slashes. */
function basename(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function stripUnix(url: string): string {
  return url.startsWith('unix://') ? url.slice('unix://'.length) : url;
}
