import type { AdmissionConfig } from '../config/schema.js';
import type { Pod } from '../review/pod.js';
import type { EnvValue } from './env-injection.js';

/** Whether Single Step Instrumentation applies to `namespace` (7.49 rule, lib-injection spec §6). */
export function isSsiActive(config: AdmissionConfig, namespace: string): boolean {
  const { enabled, enabled_namespaces: on, disabled_namespaces: off } = config.apm_config.instrumentation;
  if (on.length > 0 && off.length > 0) return false;
  if (on.includes(namespace)) return true;
  if (namespace === 'kube-system') return false;
  if (off.includes(namespace)) return false;
  return enabled;
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

/** The env vars SSI adds to every container (lib-injection spec §5.2), in injection order. */
export function ssiDefaultEnv(pod: Pod): EnvValue[] {
  const service = serviceNameFromOwner(pod);
  const out: EnvValue[] = service === undefined ? [] : [{ name: 'DD_SERVICE', value: service }];
  out.push(
    { name: 'DD_TRACE_ENABLED', value: 'true' },
    { name: 'DD_LOGS_INJECTION', value: 'true' },
    { name: 'DD_TRACE_HEALTH_METRICS_ENABLED', value: 'true' },
    { name: 'DD_RUNTIME_METRICS_ENABLED', value: 'true' },
    { name: 'DD_TRACE_SAMPLE_RATE', value: '1.00' },
    { name: 'DD_TRACE_RATE_LIMIT', value: '100' },
  );
  return out;
}
