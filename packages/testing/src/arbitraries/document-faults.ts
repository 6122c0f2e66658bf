import fc from 'fast-check';

// DocumentFault injection: a valid generated document with one thing wrong. Random JSON
// almost never passes a validator and a valid document always does; one fault
// in a valid document lands on both sides, so a check of a validator sees both.

/** A path into a JSON document: object keys and array indexes. */
export type JsonPath = readonly (string | number)[];

/** One change to a valid document: none, a value removed, or a value replaced (see `oneFaultArbitrary`). */
export type DocumentFault = { kind: 'none' } | { kind: 'drop'; path: JsonPath } | { kind: 'replace'; path: JsonPath; value: unknown };

/** A generated document with the fault injected into it. */
export interface FaultyDocument {
  doc: unknown;
  fault: DocumentFault;
}

/** Options of `oneFaultArbitrary`. */
export interface OneFaultOptions {
  /** Deepest path a fault may hit (1 = the document's own fields); default unbounded. */
  maxDepth?: number;
}

/** A value of each JSON type: null, boolean, number, string, array, object. */
const JSON_SAMPLES: readonly unknown[] = [null, true, 7, 'x', [], {}];

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'array' : typeof v;
}

/** Values that differ from `current`: any other JSON type, or another scalar of its own type (a wrong enum value). */
function replacementsFor(current: unknown): unknown[] {
  return JSON_SAMPLES.filter((v) => jsonType(v) !== jsonType(current) || (typeof v !== 'object' && v !== current));
}

function childrenOf(node: unknown): [string | number, unknown][] {
  if (Array.isArray(node)) return node.map((v, i) => [i, v]);
  if (typeof node === 'object' && node !== null) return Object.entries(node);
  return [];
}

/** Every path to a value inside `doc` up to `maxDepth` (the root excluded), parents before children. */
export function jsonPaths(doc: unknown, maxDepth = Infinity): JsonPath[] {
  const out: JsonPath[] = [];
  const walk = (node: unknown, path: JsonPath): void => {
    if (path.length >= maxDepth) return;
    for (const [key, child] of childrenOf(node)) {
      const at = [...path, key];
      out.push(at);
      walk(child, at);
    }
  };
  walk(doc, []);
  return out;
}

/** The value at `path` in `doc`, or undefined. */
export function valueAtPath(doc: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((node, key) => childrenOf(node).find(([k]) => k === key)?.[1], doc);
}

/** `doc` with `fault` applied; copies only along the path, so `doc` is left as it was. */
export function injectFault(doc: unknown, fault: DocumentFault): unknown {
  if (fault.kind === 'none') return doc;
  const rebuild = (node: unknown, depth: number): unknown => {
    const key = fault.path[depth];
    const last = depth === fault.path.length - 1;
    const entries = childrenOf(node).flatMap(([k, v]): [string | number, unknown][] => {
      if (k !== key) return [[k, v]];
      if (!last) return [[k, rebuild(v, depth + 1)]];
      return fault.kind === 'drop' ? [] : [[k, fault.value]];
    });
    // fromEntries defines keys as data properties, so a `__proto__` key stays a plain key.
    return Array.isArray(node) ? entries.map(([, v]) => v) : Object.fromEntries(entries);
  };
  return rebuild(doc, 0);
}

function groupByDepth(paths: readonly JsonPath[]): Map<number, JsonPath[]> {
  const groups = new Map<number, JsonPath[]>();
  for (const p of paths) {
    const group = groups.get(p.length);
    if (group) group.push(p);
    else groups.set(p.length, [p]);
  }
  return groups;
}

/**
 * Documents from `valid`, each with one fault: left valid (1 in 7), one value
 * dropped (2 in 7), or one value replaced (4 in 7) by a value of another JSON
 * type or, for a scalar, another value of its type.
 * The path is chosen depth first, then among the paths of that depth, so faults
 * reach the document's own fields as often as its deepest leaves.
 */
export function oneFaultArbitrary<T>(valid: fc.Arbitrary<T>, options: OneFaultOptions = {}): fc.Arbitrary<FaultyDocument> {
  return valid.chain((doc) => {
    const byDepth = groupByDepth(jsonPaths(doc, options.maxDepth));
    const none = fc.constant<DocumentFault>({ kind: 'none' });
    if (byDepth.size === 0) return none.map((fault) => ({ doc, fault }));
    const path = fc.constantFrom(...byDepth.keys()).chain((depth) => fc.constantFrom(...byDepth.get(depth)!));
    const replacement = (p: JsonPath) => fc.constantFrom(...replacementsFor(valueAtPath(doc, p)));
    const fault = fc.oneof(
      { weight: 1, arbitrary: none },
      { weight: 2, arbitrary: path.map((p): DocumentFault => ({ kind: 'drop', path: p })) },
      { weight: 4, arbitrary: path.chain((p) => replacement(p).map((value): DocumentFault => ({ kind: 'replace', path: p, value }))) },
    );
    return fault.map((f) => ({ doc: injectFault(doc, f), fault: f }));
  });
}
