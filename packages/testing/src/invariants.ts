import { hasChange, type AgentVersion } from '@dd-admission/core';
import { applyStrictPatch, formatPointer, jsonEqual, parsePointer, type PatchOperation } from './strict-patch.js';
import { APPENDED_ENV_NAMES, PREFIXED_ENV_NAMES, REPLACED_ENV_NAMES } from './arbitraries/values.js';

// What a mutation must keep (DESIGN.md "Properties the core must keep" and the
// spec README's decisions): nothing the user set is removed or overwritten,
// except the library env vars the lib-injection table combines; fields the
// core does not model survive; the patch is well-formed for the API server.
// Each check returns human-readable violations (empty = holds), so a property
// failure says what broke rather than just "false".

type Obj = Record<string, unknown>;
const LISTS = ['containers', 'initContainers'] as const;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

function without(obj: Obj, keys: readonly string[]): Obj {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
}

function spec(pod: unknown): Obj {
  return isObject(pod) && isObject(pod.spec) ? pod.spec : {};
}

/**
 * How the lib webhook may change a user's env entry of this name in an application container:
 * the 7.49 per-language table, or from 7.57 (the injector) only LD_PRELOAD, replaced and
 * from 7.61 joined after the user's value.
 */
export function combinationRule(name: string, version?: AgentVersion): 'append' | 'prefix' | 'replace' | undefined {
  if (version && hasChange(version, 'apm-injector')) {
    if (name !== 'LD_PRELOAD') return undefined;
    return hasChange(version, 'ld-preload-join') ? 'append' : 'replace';
  }
  if ((APPENDED_ENV_NAMES as readonly string[]).includes(name)) return 'append';
  if ((PREFIXED_ENV_NAMES as readonly string[]).includes(name)) return 'prefix';
  if ((REPLACED_ENV_NAMES as readonly string[]).includes(name)) return 'replace';
  return undefined;
}

/** The output container matching an input container: same list, same name. */
function counterpart(output: unknown, key: (typeof LISTS)[number], name: unknown): Obj | undefined {
  return list(spec(output)[key]).find((c) => c.name === name);
}

/** Whether `small` occurs in `big` in order, using `matches` to pair items. */
function isSubsequence<T>(small: readonly T[], big: readonly T[], matches: (a: T, b: T) => boolean): boolean {
  let j = 0;
  for (const item of small) {
    while (j < big.length && !matches(item, big[j]!)) j++;
    if (j === big.length) return false;
    j++;
  }
  return true;
}

/**
 * Every env entry of the input is still in the same container, unchanged and in the same
 * relative order — except the library vars of application containers, which may be
 * appended to (value still starts with the user's), prefixed (still ends with it) or replaced.
 */
export function userEnvViolations(input: unknown, output: unknown, version?: AgentVersion): string[] {
  const out: string[] = [];
  for (const key of LISTS) {
    for (const c of list(spec(input)[key])) {
      const where = `${key} ${String(c.name)}`;
      const after = counterpart(output, key, c.name);
      if (!after) {
        out.push(`${where}: container is gone`);
        continue;
      }
      const before = list(c.env);
      const now = list(after.env);
      const same = (a: Obj, b: Obj) => a.name === b.name && (key === 'containers' && combinationRule(String(a.name), version) ? true : jsonEqual(a, b));
      if (!isSubsequence(before, now, same)) {
        out.push(`${where}: user env ${JSON.stringify(before.map((e) => e.name))} not kept in order in ${JSON.stringify(now.map((e) => e.name))}`);
        continue;
      }
      if (key === 'containers') out.push(...combinedEnvViolations(where, before, now, version));
    }
  }
  return out;
}

function combinedEnvViolations(where: string, before: Obj[], now: Obj[], version?: AgentVersion): string[] {
  const out: string[] = [];
  for (const entry of before) {
    const rule = combinationRule(String(entry.name), version);
    if (!rule) continue;
    const result = now.find((e) => e.name === entry.name)!;
    const at = `${where}: env ${String(entry.name)}`;
    if (!jsonEqual(without(entry, ['value']), without(result, ['value']))) {
      out.push(`${at}: fields other than value changed: ${JSON.stringify(entry)} -> ${JSON.stringify(result)}`);
      continue;
    }
    const old = typeof entry.value === 'string' ? entry.value : '';
    const value = typeof result.value === 'string' ? result.value : '';
    if (old === '' || rule === 'replace') continue;
    if (rule === 'append' && !value.startsWith(old)) out.push(`${at}: appended value ${JSON.stringify(value)} does not start with the user's ${JSON.stringify(old)}`);
    if (rule === 'prefix' && !value.endsWith(old)) out.push(`${at}: prefixed value ${JSON.stringify(value)} does not end with the user's ${JSON.stringify(old)}`);
  }
  return out;
}

/** What a mutation may replace that the user wrote: volumes of these names (the 7.57+ injector replaces its own). */
export interface PreservationOptions {
  replaceableVolumes?: readonly string[];
}

/**
 * Everything outside the injection points is unchanged: top-level fields and metadata
 * (annotations may be added; the user's stay, the autoscaler's safe-to-evict list only
 * grows), spec fields other than the three lists, every container field but env and
 * volumeMounts; user volumes, mounts and containers kept in order, no new app container.
 */
export function preservationViolations(input: unknown, output: unknown, options: PreservationOptions = {}): string[] {
  const out: string[] = [];
  if (!isObject(input) || !isObject(output)) return ['input or output is not an object'];
  for (const [k, v] of Object.entries(without(input, ['spec', 'metadata']))) {
    if (!jsonEqual(v, output[k])) out.push(`${k} changed`);
  }
  out.push(...metadataViolations(input.metadata, output.metadata));
  const before = spec(input);
  const after = spec(output);
  for (const [k, v] of Object.entries(without(before, [...LISTS, 'volumes']))) {
    if (!jsonEqual(v, after[k])) out.push(`spec.${k} changed`);
  }
  const replaceable = (v: Obj) => (options.replaceableVolumes ?? []).includes(String(v.name));
  if (!isSubsequence(list(before.volumes).filter((v) => !replaceable(v)), list(after.volumes), jsonEqual)) out.push('user volumes not kept in order');
  if (list(before.containers).length !== list(after.containers).length) out.push('number of application containers changed');
  for (const key of LISTS) {
    const names = (p: Obj) => list(p[key]).map((c) => c.name);
    if (!isSubsequence(names(before), names(after), (a, b) => a === b)) out.push(`spec.${key} not kept in order`);
    for (const c of list(before[key])) {
      const now = counterpart(output, key, c.name);
      if (!now) continue;
      const where = `spec.${key} ${String(c.name)}`;
      for (const [k, v] of Object.entries(without(c, ['env', 'volumeMounts']))) {
        if (!jsonEqual(v, now[k])) out.push(`${where}.${k} changed`);
      }
      if (!isSubsequence(list(c.volumeMounts), list(now.volumeMounts), jsonEqual)) out.push(`${where}: user volumeMounts not kept in order`);
    }
  }
  return out;
}

/** Annotations a webhook may add, and how it may change a user's value (safe-to-evict: names appended after a comma). */
const INJECTED_ANNOTATIONS: Readonly<Record<string, 'append' | 'add'>> = {
  'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'append',
  // Library injection's markers (lib-injection-7.78.md §5).
  'internal.apm.datadoghq.com/applied-target': 'add',
  'internal.apm.datadoghq.com/injection-error': 'add',
  'apm.datadoghq.com/injection-error': 'add',
};

/** Metadata is unchanged, but for the injected annotations (the map may appear for them). */
function metadataViolations(before: unknown, after: unknown): string[] {
  if (!isObject(before) || !isObject(after)) return jsonEqual(before, after) ? [] : ['metadata changed'];
  if (!jsonEqual(without(before, ['annotations']), without(after, ['annotations']))) return ['metadata changed'];
  if (!isObject(after.annotations)) return jsonEqual(before.annotations, after.annotations) ? [] : ['metadata.annotations changed'];
  const was = isObject(before.annotations) ? before.annotations : {};
  const now = after.annotations;
  const out: string[] = [];
  for (const [k, v] of Object.entries(was)) {
    const appendable = INJECTED_ANNOTATIONS[k] === 'append' && typeof now[k] === 'string';
    const kept = now[k] === v || (appendable && (v === '' || (now[k] as string).startsWith(`${String(v)},`)));
    if (!kept) out.push(`annotation ${k} changed`);
  }
  for (const k of Object.keys(now)) if (!Object.hasOwn(was, k) && !Object.hasOwn(INJECTED_ANNOTATIONS, k)) out.push(`annotation ${k} added`);
  return out;
}

/**
 * The patch is well-formed for the API server: every path is a canonical JSON pointer
 * (re-escaping its tokens gives it back: `~0`/`~1` used exactly where keys hold `~` or `/`),
 * no `add` targets `/-`, and each op, applied in turn, puts its value exactly at its path.
 */
export function patchViolations(input: unknown, patch: readonly PatchOperation[]): string[] {
  const out: string[] = [];
  let doc = input;
  patch.forEach((op, i) => {
    let tokens: string[];
    try {
      tokens = parsePointer(op.path);
    } catch (e) {
      out.push(`op ${i}: ${(e as Error).message}`);
      return;
    }
    if (formatPointer(tokens) !== op.path) out.push(`op ${i}: path ${op.path} is not canonically escaped`);
    if (op.op === 'add' && tokens[tokens.length - 1] === '-') out.push(`op ${i}: add to "-" (${op.path})`);
    try {
      doc = applyStrictPatch(doc, [op]);
    } catch (e) {
      out.push(`op ${i}: ${(e as Error).message}`);
      return;
    }
    if (op.op === 'add' || op.op === 'replace') {
      const at = tokens.reduce<unknown>((node, t) => (Array.isArray(node) ? node[t === '-' ? node.length - 1 : Number(t)] : isObject(node) ? node[t] : undefined), doc);
      if (!jsonEqual(at, op.value)) out.push(`op ${i}: value not found at ${op.path} after applying it`);
    }
  });
  return out;
}
