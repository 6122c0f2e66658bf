import { compareAgentVersions, readAgentVersion, type AgentVersion } from './agent-version.js';

/** How sure the spec is of a change (spec/7.78/README.md): read in 7.78-era code, read in older code only, or one of two variants. */
export type Certainty = '7.78' | 'older-code' | 'unconfirmed';

/** One way the Cluster Agent's admission controller changed after 7.49. */
export interface BehaviourChange {
  /** Stable id the code asks about with `hasChange`. */
  readonly id: string;
  /** The first release with the change (`≈` in `note` when dated from a pull request's merge). */
  readonly since: string;
  /** The spec section it comes from, relative to spec/. */
  readonly spec: string;
  readonly certainty: Certainty;
  /** What changed, as users see it. */
  readonly summary: string;
  readonly note?: string;
}

/**
 * Every behaviour difference between 7.49 and 7.78 that is emulated, oldest first.
 * A new release is an entry here plus the code that asks for it.
 */
export const BEHAVIOUR_CHANGES = [
  { id: 'external-env', since: '7.57', spec: '7.78/config-injection-7.78.md §5', certainty: '7.78', summary: 'the config webhook adds DD_EXTERNAL_ENV and DD_INTERNAL_POD_UID to every container' },
  { id: 'apm-injector', since: '7.57', spec: '7.78/lib-injection-7.78.md §4', certainty: '7.78', summary: 'libraries are loaded by the apm-inject launcher (LD_PRELOAD) instead of per-language env vars' },
  { id: 'lib-tags-v1-v5-v2', since: '7.57', spec: '7.78/lib-injection-7.78.md §1', certainty: '7.78', summary: 'default library tags java v1, js v5, python v2, dotnet v2, ruby v2' },
  { id: 'init-security-context', since: '7.57', spec: '7.78/lib-injection-7.78.md §7', certainty: '7.78', summary: 'admission_controller.auto_instrumentation.init_security_context sets the securityContext of injected init containers' },
  { id: 'init-memory-100mi', since: '7.57.2', spec: '7.78/README.md (deltas)', certainty: '7.78', summary: 'default init-container memory 20Mi -> 100Mi' },
  { id: 'type-socket-volumes', since: '7.58', spec: '7.78/config-injection-7.78.md §3.2', certainty: '7.78', summary: 'socket-type volumes (type_socket_volumes and its pod label)' },
  { id: 'safe-to-evict', since: '7.58', spec: '7.78/config-injection-7.78.md §6', certainty: '7.78', summary: 'injected volumes are listed in cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes' },
  { id: 'webhook-names-renamed', since: '7.58', spec: '7.78/webhooks-7.78.md §2', certainty: '7.78', summary: 'webhook entries renamed datadog.webhook.agent.config, .standard.tags, .lib.injection', note: '≈: PR #28512, merged Aug 2024' },
  { id: 'dotnet-v3', since: '7.59', spec: '7.78/lib-injection-7.78.md §1', certainty: 'unconfirmed', summary: 'default dotnet library tag v3', note: 'first seen in code of ≈7.59-7.62; the release was not established' },
  { id: 'ld-preload-join', since: '7.61', spec: '7.78/lib-injection-7.78.md §4.4', certainty: '7.78', summary: 'an existing LD_PRELOAD is joined with ":" instead of overwritten; version "default" means the default tag' },
  { id: 'admission-events', since: '7.61', spec: '7.78/webhooks-7.78.md §3', certainty: '7.78', summary: 'a ValidatingWebhookConfiguration with the kubernetes_admission_events webhook (off by default)' },
  { id: 'delete-disabled-configurations', since: '7.63', spec: '7.78/webhooks-7.78.md §1', certainty: '7.78', summary: 'the Validating/Mutating configuration is deleted when validation.enabled / mutation.enabled is false' },
  { id: 'ssi-targets', since: '7.64', spec: '7.78/lib-injection-7.78.md §9.2', certainty: '7.78', summary: 'apm_config.instrumentation.targets choose libraries per workload' },
  { id: 'php-default', since: '7.64', spec: '7.78/lib-injection-7.78.md §1', certainty: 'unconfirmed', summary: 'the PHP library (v1) is injected by default', note: '≈: PR #34572, merged Mar 2025' },
  { id: 'csi-mode', since: '7.65', spec: '7.78/config-injection-7.78.md §4', certainty: '7.78', summary: 'config webhook csi mode (with fallback to socket when csi.enabled is false)' },
  { id: 'init-resources-from-pod', since: '7.65.2', spec: '7.78/lib-injection-7.78.md §6', certainty: '7.78', summary: 'init-container resources follow the pod; below 50m/100Mi the injection is skipped with an injection-error annotation' },
  { id: 'trace-config-value-from', since: '7.66', spec: '7.78/lib-injection-7.78.md §9.2', certainty: '7.78', summary: 'valueFrom in a target\'s ddTraceConfigs' },
  { id: 'istio-proxy-excluded', since: '7.66', spec: '7.78/lib-injection-7.78.md §4.4', certainty: '7.78', summary: 'the istio-proxy container is never mutated by library injection' },
  { id: 'python-v3', since: '7.68', spec: '7.78/lib-injection-7.78.md §1', certainty: '7.78', summary: 'default python library tag v3' },
  { id: 'mounts-when-volume-exists', since: '7.68', spec: '7.78/config-injection-7.78.md §3.4', certainty: '7.78', summary: 'volume mounts are added to containers that lack them even when the volume already exists' },
  { id: 'restricted-security-context', since: '7.69', spec: '7.78/lib-injection-7.78.md §7', certainty: '7.78', summary: 'a restricted securityContext on injected init containers in namespaces enforcing the restricted Pod Security level' },
  { id: 'host-socket-paths', since: '7.72', spec: '7.78/config-injection-7.78.md §3.1', certainty: '7.78', summary: 'separate host socket paths; socket URLs built from socket_path and the socket file names' },
  { id: 'namespace-exclusion', since: '7.73', spec: '7.78/webhooks-7.78.md §4', certainty: '7.78', summary: 'mutating webhooks exclude kube-system and the agent namespace by namespaceSelector' },
  { id: 'targets-respect-enabled-label', since: '7.73', spec: '7.78/lib-injection-7.78.md §9.3', certainty: '7.78', summary: 'SSI targets respect the enabled label and mutate_unlabelled' },
  { id: 'ssi-selector-dropped', since: '7.75', spec: '7.78/webhooks-7.78.md §4.1', certainty: '7.78', summary: 'SSI no longer widens the config and tags webhooks\' selectors; a pod labelled enabled=false is never mutated' },
  { id: 'python-v4', since: '7.75', spec: '7.78/lib-injection-7.78.md §1', certainty: '7.78', summary: 'default python library tag v4' },
  { id: 'injection-mode', since: '7.76', spec: '7.78/lib-injection-7.78.md §3', certainty: '7.78', summary: 'apm_config.instrumentation.injection_mode and the apm-inject.injection-mode annotation; error annotation renamed internal.apm.datadoghq.com/injection-error' },
  { id: 'probe', since: '7.78', spec: '7.78/probe-7.78.md', certainty: '7.78', summary: 'the connectivity probe (admission_controller.probe.*, off by default) and its status block' },
  { id: 'read-only-app-mounts', since: '7.78', spec: '7.78/lib-injection-7.78.md §4.3', certainty: '7.78', summary: 'library volumes are mounted read-only in application containers' },
  { id: 'targeted-library-mount', since: '7.78.1', spec: '7.78/lib-injection-7.78.md §4.4', certainty: '7.78', summary: 'container-targeted library annotations mount the library only into the named container' },
] as const satisfies readonly BehaviourChange[];

/** The id of an emulated behaviour change. */
export type BehaviourChangeId = (typeof BEHAVIOUR_CHANGES)[number]['id'];

const SINCE: ReadonlyMap<string, AgentVersion> = new Map(BEHAVIOUR_CHANGES.map((c) => [c.id, readAgentVersion(c.since)!]));

/** Whether Cluster Agent `version` has `change`: every change released at or before it. */
export function hasChange(version: AgentVersion, change: BehaviourChangeId): boolean {
  return compareAgentVersions(version, SINCE.get(change)!) >= 0;
}

/** The changes `version` has, oldest first. */
export function changesOf(version: AgentVersion): readonly BehaviourChange[] {
  return BEHAVIOUR_CHANGES.filter((c) => hasChange(version, c.id));
}
