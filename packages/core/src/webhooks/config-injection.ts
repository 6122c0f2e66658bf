import type { AdmissionConfig } from '../config/schema.js';
import { INJECTION_MODES } from '../config/parse.js';
import { injectEnv, type EnvValue } from './env-injection.js';
import { containersOf, appendVolume, appendVolumeMount, note } from './journal.js';
import { CONFIG_MODE_LABEL, configGate, podLabel, type Gate } from './labels.js';
import type { ContainerList, Pod } from '../review/pod.js';
import { done, failed, skipped, startRun, warn, type MutationContext, type Run, type WebhookResult } from './webhook.js';

export type InjectionMode = (typeof INJECTION_MODES)[number];

/** Name of the socket-mode hostPath volume and its mounts. */
export const SOCKET_VOLUME_NAME = 'datadog';

/**
 * The config webhook (`/injectconfig`): how application containers reach the node's Datadog Agent.
 * `gate` replaces the webhook's own label check (the lib-injection webhook runs it with its own).
 */
export function injectConfig(pod: Pod, context: MutationContext, config: AdmissionConfig, gate: Gate = configGate(pod, config)): WebhookResult {
  const run = startRun('config', pod);
  if (gate.warning) warn(run, gate.warning);
  if (!gate.pass) return skipped(run, gate.code, gate.reason);

  const { mode, reason } = resolveMode(run, pod, config);
  if (!(INJECTION_MODES as readonly string[]).includes(mode)) {
    return failed(run, 'unknown mode', `invalid injection mode "${mode}"`);
  }
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
      injectEnv(run.journal, { name: 'DD_TRACE_AGENT_URL', value: ic.trace_agent_socket }, reason);
      injectEnv(run.journal, { name: 'DD_DOGSTATSD_URL', value: ic.dogstatsd_socket }, reason);
      injectSocketVolume(run, ic.socket_path, reason);
      break;
  }
  const entityId: EnvValue = { name: 'DD_ENTITY_ID', fieldPath: 'metadata.uid' };
  injectEnv(run.journal, entityId, 'the pod UID lets the agent tag this container\'s data (every mode)');
  return done(run);
}


/** The global mode as written, unless the pod's config.mode label names a valid one. */
function resolveMode(run: Run, pod: Pod, config: AdmissionConfig): { mode: string; reason: string } {
  const global = config.admission_controller.inject_config.mode;
  const globalReason = `mode ${global} (admission_controller.inject_config.mode)`;
  const label = podLabel(pod, CONFIG_MODE_LABEL);
  if (label === undefined) return { mode: global, reason: globalReason };
  const wanted = label.toLowerCase();
  if ((INJECTION_MODES as readonly string[]).includes(wanted)) {
    return { mode: wanted, reason: `mode ${wanted} (label ${CONFIG_MODE_LABEL})` };
  }
  warn(run, `invalid label value ${CONFIG_MODE_LABEL}="${label}" (expected hostip, service or socket): using ${global}`);
  return { mode: global, reason: globalReason };
}

/** Socket mode: a hostPath volume for the agent's sockets, mounted read-only where nothing is there yet. */
function injectSocketVolume(run: Run, socketPath: string, modeReason: string): void {
  const j = run.journal;
  if ((j.pod.spec?.volumes ?? []).some((v) => v.name === SOCKET_VOLUME_NAME)) return;
  const reason = `${modeReason}: the agent's unix sockets live in ${socketPath} on the node`;
  let mounted = false;
  for (const list of ['containers', 'initContainers'] as ContainerList[]) {
    const containers = containersOf(j.pod, list);
    for (let i = 0; i < containers.length; i++) {
      const mounts = containers[i]!.volumeMounts ?? [];
      if (mounts.some((m) => m.name === SOCKET_VOLUME_NAME || m.mountPath === socketPath)) continue;
      appendVolumeMount(j, list, i, { name: SOCKET_VOLUME_NAME, mountPath: socketPath, readOnly: true });
      note(j, { kind: 'volumeMount', action: 'added', name: SOCKET_VOLUME_NAME, container: containers[i]!.name, containerList: list, value: socketPath, reason });
      mounted = true;
    }
  }
  if (!mounted) return;
  appendVolume(j, { name: SOCKET_VOLUME_NAME, hostPath: { path: socketPath, type: 'DirectoryOrCreate' } });
  note(j, { kind: 'volume', action: 'added', name: SOCKET_VOLUME_NAME, value: `hostPath ${socketPath}`, reason });
}
