import type { Operation } from 'fast-json-patch';
import type { ContainerList, Container, EnvVar, Pod, Volume, VolumeMount } from './pod.js';
import { toPointer } from './json-pointer.js';
import type { MutationEvent, WebhookName } from './report.js';

type Token = string | number;
type Json = unknown;

/**
 * The edits one webhook makes to a pod. Each edit updates `pod` by copying only
 * the path it touches (the input is never modified and unchanged subtrees are
 * shared) and records the RFC 6902 operation that makes the same change, so the
 * patch is exact by construction and applies under the API server's strict rules.
 */
export interface Journal {
  readonly webhook: WebhookName;
  pod: Pod;
  readonly ops: Operation[];
  readonly events: MutationEvent[];
  /** Nodes this journal copied: private to it, so later edits may change them in place. */
  readonly owned: Set<object>;
}

/** Starts an empty journal over `pod`. */
export function openJournal(webhook: WebhookName, pod: Pod): Journal {
  return { webhook, pod, ops: [], events: [], owned: new Set() };
}

function isMissing(value: Json): boolean {
  return value === undefined || value === null;
}

function child(node: Json, token: Token): Json {
  if (isMissing(node)) return undefined;
  return (node as Record<string | number, Json>)[token];
}

/**
 * Copy-on-write update of `root` at `tokens`; missing objects on the way are
 * created. A node is copied the first time the journal touches it and edited in
 * place afterwards. Values placed by an edit are never owned: the recorded
 * operation holds them, so they must stay as they were.
 */
function updateIn(j: Journal, root: Json, tokens: readonly Token[], depth: number, fn: (old: Json) => Json): Json {
  if (depth === tokens.length) return fn(root);
  const token = tokens[depth]!;
  const next = updateIn(j, child(root, token), tokens, depth + 1, fn);
  const node = writable(j, root);
  (node as Record<string | number, Json>)[token] = next;
  return node;
}

function writable(j: Journal, node: Json): object {
  if (typeof node === 'object' && node !== null && j.owned.has(node)) return node;
  const copy = Array.isArray(node) ? node.slice() : { ...(isMissing(node) ? {} : (node as object)) };
  j.owned.add(copy);
  return copy;
}

function nest(tokens: readonly Token[], leaf: Json): Json {
  let value = leaf;
  for (let i = tokens.length - 1; i >= 0; i--) value = { [tokens[i] as string]: value };
  return value;
}

/** Records `add` of `value` at `tokens`, creating the first missing ancestor with one whole-subtree add. */
function addAt(j: Journal, tokens: readonly Token[], value: Json): void {
  let node: Json = j.pod;
  for (let i = 0; i < tokens.length - 1; i++) {
    const next = child(node, tokens[i]!);
    if (isMissing(next)) {
      const cut = tokens.slice(0, i + 1);
      j.ops.push({ op: 'add', path: toPointer(cut), value: nest(tokens.slice(i + 1), value) });
      j.pod = updateIn(j, j.pod, tokens, 0, () => value) as Pod;
      return;
    }
    node = next;
  }
  j.ops.push({ op: 'add', path: toPointer(tokens), value });
  j.pod = updateIn(j, j.pod, tokens, 0, () => value) as Pod;
}

/** Inserts `value` into the array at `tokens` (at the start or the end), creating the array when missing. */
function insertInArray(j: Journal, tokens: readonly Token[], where: 'start' | 'end', value: Json): void {
  const array = tokens.reduce<Json>((node, t) => child(node, t), j.pod);
  if (!Array.isArray(array)) {
    addAt(j, tokens, [value]);
    return;
  }
  const index = where === 'start' ? 0 : array.length;
  j.ops.push({ op: 'add', path: toPointer([...tokens, index]), value });
  j.pod = updateIn(j, j.pod, tokens, 0, (old) => {
    const copy = writable(j, old) as Json[];
    copy.splice(index, 0, value);
    return copy;
  }) as Pod;
}

/** The containers of one list as they are now (empty when the list is missing). */
export function containersOf(pod: Pod, list: ContainerList): readonly Container[] {
  return pod.spec?.[list] ?? [];
}

/** Inserts env var `env` at index 0 of a container's env (the shared injection rule). */
export function prependEnv(j: Journal, list: ContainerList, index: number, env: EnvVar): void {
  insertInArray(j, ['spec', list, index, 'env'], 'start', env);
}

/** Appends env var `env` at the end of a container's env. */
export function appendEnv(j: Journal, list: ContainerList, index: number, env: EnvVar): void {
  insertInArray(j, ['spec', list, index, 'env'], 'end', env);
}

/** Sets the literal value of an existing env entry, keeping its position. */
export function setEnvValue(j: Journal, list: ContainerList, index: number, envIndex: number, value: string): void {
  addAt(j, ['spec', list, index, 'env', envIndex, 'value'], value);
}

/** Appends a volume mount to a container. */
export function appendVolumeMount(j: Journal, list: ContainerList, index: number, mount: VolumeMount): void {
  insertInArray(j, ['spec', list, index, 'volumeMounts'], 'end', mount);
}

/** Appends a volume to the pod. */
export function appendVolume(j: Journal, volume: Volume): void {
  insertInArray(j, ['spec', 'volumes'], 'end', volume);
}

/** Inserts an init container before all others. */
export function prependInitContainer(j: Journal, container: Container): void {
  insertInArray(j, ['spec', 'initContainers'], 'start', container);
}

/** Records why a change was made (one event per change). */
export function note(j: Journal, event: Omit<MutationEvent, 'webhook'>): void {
  // The caller hands over a fresh literal; stamping it avoids a copy per change.
  (event as MutationEvent).webhook = j.webhook;
  j.events.push(event as MutationEvent);
}
