import type { AdmissionConfig } from '../config/schema.js';
import type { EnvVar, Pod } from '../review/pod.js';
import { hasChange } from '../versions/behaviour-changes.js';
import type { EnvValue } from './env-injection.js';
import type { MutationContext } from './webhook.js';

/**
 * Whether Single Step Instrumentation applies to `namespace`: the 7.49 rule
 * (lib-injection spec §6), or from early 2024 only when enabled, with
 * enabled_namespaces as an allow-list and the disabled namespaces left out.
 */
export function isSsiActive(config: AdmissionConfig, namespace: string, context: MutationContext = {}): boolean {
  const { enabled, enabled_namespaces: on, disabled_namespaces: off } = config.apm_config.instrumentation;
  if (on.length > 0 && off.length > 0) return false;
  if (hasChange(config.agentVersion, 'ssi-allow-list')) {
    if (!enabled || disabledNamespaces(config, context).has(namespace)) return false;
    return on.length === 0 || on.includes(namespace);
  }
  if (on.includes(namespace)) return true;
  if (namespace === 'kube-system') return false;
  if (off.includes(namespace)) return false;
  return enabled;
}

/** Whether SSI is switched on at all: enabled, and not both namespace lists (the agent refuses that). */
export function isSsiEnabled(config: AdmissionConfig): boolean {
  const { enabled, enabled_namespaces: on, disabled_namespaces: off } = config.apm_config.instrumentation;
  return enabled && !(on.length > 0 && off.length > 0);
}

/** The namespace the Cluster Agent's own resources live in: kube_resources_namespace, else its own namespace. */
export function agentNamespaceOf(config: AdmissionConfig, context: MutationContext): string {
  return config.kube_resources_namespace || context.agentNamespace || 'default';
}

/** Namespaces library injection leaves alone: kube-system, the agent's and apm_config.instrumentation.disabled_namespaces. */
export function disabledNamespaces(config: AdmissionConfig, context: MutationContext): ReadonlySet<string> {
  return new Set(['kube-system', agentNamespaceOf(config, context), ...config.apm_config.instrumentation.disabled_namespaces]);
}

/** The namespace SSI judges a pod by: the pod object's own metadata.namespace, as in 7.49. */
export function podNamespace(pod: Pod): string {
  return pod.metadata?.namespace ?? '';
}

const DEPLOYMENT_HASH_CHARS = /^[bcdfghjklmnpqrstvwxz2456789]+$/;
const DIGITS = /^[0-9]+$/;
const NAMED_OWNER_KINDS = new Set(['StatefulSet', 'Job', 'CronJob', 'DaemonSet']);

/** The DD_SERVICE SSI derives from a pod's single owner, or undefined when it derives none. */
export function serviceNameFromOwner(pod: Pod): string | undefined {
  const owners = pod.metadata?.ownerReferences ?? [];
  if (owners.length !== 1) return undefined;
  const owner = owners[0]!;
  if (NAMED_OWNER_KINDS.has(owner.kind)) return owner.name;
  if (owner.kind === 'ReplicaSet') return deploymentOfReplicaSet(owner.name);
  return '';
}

/** `web-5d8f7c9b4` -> `web`: strips a pod-template-hash suffix, else the empty string. */
export function deploymentOfReplicaSet(name: string): string {
  const cut = name.lastIndexOf('-');
  if (cut < 0) return '';
  const suffix = name.slice(cut + 1);
  if (suffix.length < 3) return '';
  if (!DIGITS.test(suffix) && !DEPLOYMENT_HASH_CHARS.test(suffix)) return '';
  return name.slice(0, cut);
}

const BASIC_LIB_CONFIG: readonly EnvValue[] = [
  { name: 'DD_TRACE_ENABLED', value: 'true' },
  { name: 'DD_LOGS_INJECTION', value: 'true' },
  { name: 'DD_TRACE_HEALTH_METRICS_ENABLED', value: 'true' },
  { name: 'DD_RUNTIME_METRICS_ENABLED', value: 'true' },
];

/** The basic library config SSI adds to every container (lib-injection-7.78.md §8 step 6), in injection order. */
export function ssiBasicConfig(): EnvValue[] {
  return BASIC_LIB_CONFIG.map((e) => ({ ...e }));
}

/**
 * The env vars SSI adds to every container in the 7.49 webhook (lib-injection spec §5.2),
 * in injection order; without the sampling pair from early 2024.
 */
export function ssiDefaultEnv(pod: Pod, config?: AdmissionConfig): EnvValue[] {
  const service = serviceNameFromOwner(pod);
  const out: EnvValue[] = service === undefined ? [] : [{ name: 'DD_SERVICE', value: service }];
  out.push(...ssiBasicConfig());
  if (config && hasChange(config.agentVersion, 'ssi-defaults-trimmed')) return out;
  out.push({ name: 'DD_TRACE_SAMPLE_RATE', value: '1.00' }, { name: 'DD_TRACE_RATE_LIMIT', value: '100' });
  return out;
}

/**
 * DD_SERVICE for an SSI pod (lib-injection-7.78.md §8 step 3) and the DD_SERVICE_K8S_ENV_SOURCE
 * that tells the tracer where it came from: a DD_SERVICE an application container already has
 * (7.66), else the owner's name; nothing when neither gives one.
 */
export function ssiServiceEnv(pod: Pod, config: AdmissionConfig): { service: EnvVar; source: EnvVar } | undefined {
  const existing = hasChange(config.agentVersion, 'ssi-service-existing') ? existingService(pod) : undefined;
  if (existing) return { service: existing, source: { name: 'DD_SERVICE_K8S_ENV_SOURCE', value: existing.value ? `existing=${existing.value}` : 'existing' } };
  const name = serviceNameFromOwner(pod);
  if (!name) return undefined;
  return { service: { name: 'DD_SERVICE', value: name }, source: { name: 'DD_SERVICE_K8S_ENV_SOURCE', value: `owner=${name}` } };
}

/** The first DD_SERVICE entry of an application container, copied. */
function existingService(pod: Pod): EnvVar | undefined {
  for (const c of pod.spec?.containers ?? []) {
    const e = (c.env ?? []).find((x) => x.name === 'DD_SERVICE');
    if (e) return structuredClone(e);
  }
  return undefined;
}
