import { BEHAVIOUR_CHANGES, hasChange, type BehaviourChangeId } from '../versions/behaviour-changes.js';
import type { AgentVersion } from '../versions/agent-version.js';
import { formatAgentVersion } from '../versions/agent-version.js';

/**
 * When the admission controller reads a key, tied to the behaviour change that
 * brought (`since`) or retired (`until`) it, so the release lives in one table.
 */
export type KeyLifetime = { readonly since: BehaviourChangeId } | { readonly until: BehaviourChangeId };

/** Every key that not every emulated release reads; a key missing here is read by all of them. */
export const KEY_VERSIONS: Readonly<Record<string, KeyLifetime>> = {
  'admission_controller.container_registry': { since: 'global-container-registry' },
  'admission_controller.inject_config.type_socket_volumes': { since: 'type-socket-volumes' },
  'csi.enabled': { since: 'csi-mode' },
  'csi.driver': { since: 'csi-mode' },
  trace_agent_host_socket_path: { since: 'host-socket-paths' },
  dogstatsd_host_socket_path: { since: 'host-socket-paths' },
  'apm_config.receiver_socket': { since: 'host-socket-paths' },
  dogstatsd_socket: { since: 'host-socket-paths' },
  'admission_controller.inject_config.trace_agent_socket': { until: 'host-socket-paths' },
  'admission_controller.inject_config.dogstatsd_socket': { until: 'host-socket-paths' },
  'admission_controller.auto_instrumentation.init_security_context': { since: 'init-security-context' },
  'apm_config.instrumentation.injector_image_tag': { since: 'apm-injector' },
  'apm_config.instrumentation.targets': { since: 'ssi-targets' },
  'apm_config.instrumentation.injection_mode': { since: 'injection-mode' },
  'admission_controller.validation.enabled': { since: 'admission-events' },
  'admission_controller.mutation.enabled': { since: 'admission-events' },
  'admission_controller.kubernetes_admission_events.enabled': { since: 'admission-events' },
  'admission_controller.probe.enabled': { since: 'probe' },
  'admission_controller.probe.interval': { since: 'probe' },
  'admission_controller.probe.grace_period': { since: 'probe' },
};

/** The releases that read `key`, as docs show them: `7.72+`, `before 7.72`, or `all`. */
export function keyReleases(key: string): string {
  const life = KEY_VERSIONS[key];
  if (!life) return 'all';
  return 'since' in life ? `${sinceOf(life.since)}+` : `before ${sinceOf(life.until)}`;
}

/** Why Cluster Agent `version` ignores `key` (a one-line warning), or undefined when it reads it. */
export function unreadKeyReason(key: string, version: AgentVersion): string | undefined {
  const life = KEY_VERSIONS[key];
  if (!life) return undefined;
  const running = formatAgentVersion(version);
  if ('since' in life) {
    return hasChange(version, life.since) ? undefined : `only read since Cluster Agent ${sinceOf(life.since)}: ${running} ignores it`;
  }
  return hasChange(version, life.until) ? `no longer read since Cluster Agent ${sinceOf(life.until)}: ${running} ignores it` : undefined;
}

function sinceOf(id: BehaviourChangeId): string {
  return BEHAVIOUR_CHANGES.find((c) => c.id === id)!.since;
}
