import type { AdmissionConfig } from '../config/schema.js';
import type { InstrumentationTarget, TargetLabelSelector, TraceConfig } from '../config/instrumentation-targets.js';
import { hasChange } from '../versions/behaviour-changes.js';
import type { Pod } from '../review/pod.js';
import { matchesSelector, type LabelSelector } from './selection.js';

// Single Step Instrumentation targets (lib-injection-7.78.md §9.2, §9.3): the
// first target whose namespace and pod selectors match a pod wins. Without
// configured targets (or before 7.64, which has none) one implicit target named
// "default" stands for enabled_namespaces and lib_versions.

/** The targets a release evaluates, in order. */
export function effectiveTargets(config: AdmissionConfig): InstrumentationTarget[] {
  const ssi = config.apm_config.instrumentation;
  if (hasChange(config.agentVersion, 'ssi-targets') && ssi.targets.length > 0) return ssi.targets;
  return [defaultTarget(ssi.enabled_namespaces, ssi.lib_versions)];
}

/** The implicit target: `matchNames` = enabled_namespaces, `ddTraceVersions` = lib_versions (each only when set). */
export function defaultTarget(namespaces: readonly string[], libVersions: Readonly<Record<string, string>>): InstrumentationTarget {
  const target: InstrumentationTarget = { name: 'default' };
  if (Object.keys(libVersions).length > 0) target.ddTraceVersions = { ...libVersions };
  if (namespaces.length > 0) target.namespaceSelector = { matchNames: [...namespaces] };
  return target;
}

/** The first target matching the pod in `namespace`, with its position; namespace labels come from the adapter. */
export function matchingTarget(
  targets: readonly InstrumentationTarget[],
  pod: Pod,
  namespace: string,
  namespaceLabels: Readonly<Record<string, string>>,
): { target: InstrumentationTarget; index: number } | undefined {
  const podLabels = pod.metadata?.labels ?? {};
  const index = targets.findIndex((t) => matchesNamespace(t, namespace, namespaceLabels) && matchesSelector(asSelector(t.podSelector), podLabels));
  return index < 0 ? undefined : { target: targets[index]!, index };
}

/** Labels when the selector has matchLabels/matchExpressions, else matchNames (empty: every namespace). */
function matchesNamespace(t: InstrumentationTarget, namespace: string, labels: Readonly<Record<string, string>>): boolean {
  const s = t.namespaceSelector;
  if (!s) return true;
  if (Object.keys(s.matchLabels ?? {}).length + (s.matchExpressions ?? []).length > 0) return matchesSelector(asSelector(s), labels);
  return (s.matchNames ?? []).length === 0 || s.matchNames!.includes(namespace);
}

function asSelector(s: TargetLabelSelector | undefined): LabelSelector | undefined {
  if (!s) return undefined;
  return { ...(s.matchLabels ? { matchLabels: s.matchLabels } : {}), ...(s.matchExpressions ? { matchExpressions: s.matchExpressions } : {}) };
}

// Go's encoding/json: struct fields in declaration order, empty ones left out, map keys sorted.
const ENV_SOURCE_ORDER: Readonly<Record<string, readonly string[]>> = {
  '': ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'],
  fieldRef: ['apiVersion', 'fieldPath'],
  resourceFieldRef: ['containerName', 'resource', 'divisor'],
  configMapKeyRef: ['name', 'key', 'optional'],
  secretKeyRef: ['name', 'key', 'optional'],
};

/** The target as the agent writes it into the applied-target annotation and env var. */
export function targetJson(t: InstrumentationTarget): string {
  const out: Record<string, unknown> = {};
  if (t.name) out.name = t.name;
  // Selectors are pointers in Go: present means written, even when empty.
  if (t.podSelector) out.podSelector = selectorJson(t.podSelector);
  if (t.namespaceSelector) out.namespaceSelector = { ...listed('matchNames', t.namespaceSelector.matchNames), ...selectorJson(t.namespaceSelector) };
  if (t.ddTraceVersions && Object.keys(t.ddTraceVersions).length > 0) out.ddTraceVersions = sortedKeys(t.ddTraceVersions);
  if (t.ddTraceConfigs && t.ddTraceConfigs.length > 0) out.ddTraceConfigs = t.ddTraceConfigs.map(traceConfigJson);
  return JSON.stringify(out);
}

function listed<T>(key: string, list: readonly T[] | undefined): Record<string, readonly T[]> {
  return list && list.length > 0 ? { [key]: list } : {};
}

function selectorJson(s: TargetLabelSelector): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.matchLabels && Object.keys(s.matchLabels).length > 0) out.matchLabels = sortedKeys(s.matchLabels);
  if (s.matchExpressions && s.matchExpressions.length > 0) {
    out.matchExpressions = s.matchExpressions.map((r) => ({ ...(r.key ? { key: r.key } : {}), operator: r.operator, ...listed('values', r.values) }));
  }
  return out;
}

function traceConfigJson(c: TraceConfig): Record<string, unknown> {
  return { name: c.name, ...(c.value ? { value: c.value } : {}), ...(c.valueFrom ? { valueFrom: ordered(c.valueFrom, '') } : {}) };
}

/** An EnvVarSource in Go's field order (unknown members last, as given). */
function ordered(value: unknown, kind: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  const order = ENV_SOURCE_ORDER[kind] ?? [];
  const keys = [...order.filter((k) => Object.hasOwn(obj, k)), ...Object.keys(obj).filter((k) => !order.includes(k))];
  return Object.fromEntries(keys.map((k) => [k, ordered(obj[k], kind === '' ? k : '-')]));
}

function sortedKeys(m: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]!]));
}
