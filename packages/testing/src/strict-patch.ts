// RFC 6902 as the Kubernetes API server applies a webhook's JSONPatch
// (evanphx/json-patch v4, no options): an `add` never creates missing parents,
// array indexes are checked against the array's length, `replace`, `remove`,
// `test`, `move` and `copy` need their targets to exist. fast-json-patch is
// more forgiving in places (it accepts some out-of-range and missing-parent
// cases), so a patch that passes it can still be rejected by a real cluster;
// this module is written from the rules instead.

/** One RFC 6902 operation as it travels in an AdmissionReview (loosely typed on purpose: it is under test). */
export interface PatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** Thrown when an operation cannot be applied; names the operation's index and path. */
export class StrictPatchError extends Error {
  constructor(
    readonly index: number,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`patch operation ${index} (path ${JSON.stringify(path)}): ${reason}`);
    this.name = 'StrictPatchError';
  }
}

/** Thrown by `parsePointer` for a malformed JSON pointer. */
export class PointerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PointerError';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Container = Json[] | { [key: string]: Json };

/** Splits a JSON pointer into unescaped tokens (`~1` -> `/`, `~0` -> `~`); rejects a bad `~` escape. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PointerError(`JSON pointer ${JSON.stringify(pointer)} must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => {
      if (/~(?![01])/.test(raw)) throw new PointerError(`JSON pointer token ${JSON.stringify(raw)} has a "~" not followed by 0 or 1`);
      // ~1 first, then ~0: "~01" must become "~1", not "/".
      return raw.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/** Escapes path tokens into a JSON pointer (the inverse of parsePointer). */
export function formatPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => '/' + String(t).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/**
 * Applies `patch` to a deep copy of `document` with the API server's strictness and
 * returns the copy; `document` is never modified. Throws StrictPatchError on the first
 * operation that the API server would reject.
 */
export function applyStrictPatch(document: unknown, patch: readonly unknown[]): unknown {
  let doc = toJson(document, 'document');
  patch.forEach((raw, index) => {
    const op = readOperation(raw, index);
    try {
      doc = applyOperation(doc, op);
    } catch (e) {
      if (e instanceof StrictPatchError) throw e;
      throw new StrictPatchError(index, op.path, (e as Error).message);
    }
  });
  return doc;
}

/** The operation, checked for the members its kind requires. */
function readOperation(raw: unknown, index: number): PatchOperation {
  const fail = (reason: string, path = '') => new StrictPatchError(index, path, reason);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('an operation must be an object');
  const o = raw as Record<string, unknown>;
  if (typeof o.path !== 'string') throw fail('missing "path"');
  const path = o.path;
  if (typeof o.op !== 'string') throw fail('missing "op"', path);
  if (['add', 'replace', 'test'].includes(o.op) && !Object.hasOwn(o, 'value')) throw fail(`"${o.op}" needs a "value"`, path);
  if (['move', 'copy'].includes(o.op) && typeof o.from !== 'string') throw fail(`"${o.op}" needs a "from"`, path);
  return { op: o.op, path, from: o.from as string | undefined, value: o.value };
}

function applyOperation(doc: Json, op: PatchOperation): Json {
  switch (op.op) {
    case 'add':
      return add(doc, parsePointer(op.path), toJson(op.value, 'value'));
    case 'remove':
      return remove(doc, parsePointer(op.path)).doc;
    case 'replace':
      return replace(doc, parsePointer(op.path), toJson(op.value, 'value'));
    case 'test':
      if (!jsonEqual(get(doc, parsePointer(op.path)), toJson(op.value, 'value'))) throw new Error('test failed: value differs');
      return doc;
    case 'move': {
      const from = parsePointer(op.from!);
      const to = parsePointer(op.path);
      if (to.length > from.length && from.every((t, i) => t === to[i])) throw new Error('cannot move a value into itself');
      const removed = remove(doc, from);
      return add(removed.doc, to, removed.value);
    }
    case 'copy':
      return add(doc, parsePointer(op.path), clone(get(doc, parsePointer(op.from!))));
    default:
      throw new Error(`unknown op ${JSON.stringify(op.op)}`);
  }
}

function isContainer(v: Json | undefined): v is Container {
  return typeof v === 'object' && v !== null;
}

/** Array index token for reading or replacing: decimal without leading zeros, within 0..length-1. */
function existingIndex(array: Json[], token: string): number {
  const i = arrayIndex(token);
  if (i >= array.length) throw new Error(`index ${token} is out of bounds (length ${array.length})`);
  return i;
}

function arrayIndex(token: string): number {
  // The API server's decoder also takes "-1" (negative indexes) and "01"; a webhook
  // that relies on either is relying on an implementation accident, so both are refused.
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`${JSON.stringify(token)} is not an array index`);
  return Number(token);
}

/** The value at `tokens`; throws when any step is missing. */
function get(doc: Json, tokens: readonly string[]): Json {
  let node: Json = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[existingIndex(node, token)]!;
    else if (isContainer(node) && Object.hasOwn(node, token)) node = node[token]!;
    else throw new Error(`path does not exist at token ${JSON.stringify(token)}`);
  }
  return node;
}

/** The parent container of `tokens`, which must exist (no implicit creation). */
function parentOf(doc: Json, tokens: readonly string[]): Container {
  const parent = get(doc, tokens.slice(0, -1));
  if (!isContainer(parent)) throw new Error('the parent of the target is not an object or array');
  return parent;
}

function add(doc: Json, tokens: readonly string[], value: Json): Json {
  // evanphx/json-patch v4 cannot address the root for add (no parent to hold it).
  if (tokens.length === 0) throw new Error('add at the document root is not supported by the API server');
  const parent = parentOf(doc, tokens);
  const key = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : arrayIndex(key);
    if (index > parent.length) throw new Error(`index ${key} is out of bounds for add (length ${parent.length})`);
    parent.splice(index, 0, value);
  } else {
    setMember(parent, key, value);
  }
  return doc;
}

function remove(doc: Json, tokens: readonly string[]): { doc: Json; value: Json } {
  if (tokens.length === 0) throw new Error('remove at the document root is not supported');
  const parent = parentOf(doc, tokens);
  const key = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const [value] = parent.splice(existingIndex(parent, key), 1);
    return { doc, value: value! };
  }
  if (!Object.hasOwn(parent, key)) throw new Error(`cannot remove missing key ${JSON.stringify(key)}`);
  const value = parent[key]!;
  delete parent[key];
  return { doc, value };
}

function replace(doc: Json, tokens: readonly string[], value: Json): Json {
  if (tokens.length === 0) throw new Error('replace at the document root is not supported by the API server');
  const parent = parentOf(doc, tokens);
  const key = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent[existingIndex(parent, key)] = value;
  else if (Object.hasOwn(parent, key)) setMember(parent, key, value);
  else throw new Error(`cannot replace missing key ${JSON.stringify(key)}`);
  return doc;
}

/**
 * A deep copy restricted to what JSON can carry. A value JSON cannot encode
 * (undefined, a function, NaN, a class instance) means the in-memory result would
 * differ from what the API server receives, so it is an error rather than dropped.
 */
export function toJson(value: unknown, where: string): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${where}: ${value} is not representable in JSON`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => toJson(v, `${where}[${i}]`));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new Error(`${where}: not a plain object`);
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) setMember(out, k, toJson(v, `${where}.${k}`));
    return out;
  }
  throw new Error(`${where}: ${typeof value} is not representable in JSON`);
}

// Plain assignment of a "__proto__" key would change the prototype instead of adding a member.
function setMember(obj: { [key: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function clone(value: Json): Json {
  return toJson(value, 'value');
}

/** Structural equality of two JSON values (object member order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ak = Object.keys(a);
  const bo = b as Record<string, unknown>;
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.hasOwn(bo, k) && jsonEqual((a as Record<string, unknown>)[k], bo[k]));
}
