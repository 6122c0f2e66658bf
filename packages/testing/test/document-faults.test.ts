import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { injectFault, jsonPaths, oneFaultArbitrary, valueAtPath, type DocumentFault, type JsonPath } from '@dd-admission/testing';

const docs = fc.jsonValue({ maxDepth: 4 }).filter((d) => jsonPaths(d).length > 0);
/** A document and one of its paths. */
const docAndPath = docs.chain((doc) => fc.constantFrom(...jsonPaths(doc)).map((path) => ({ doc, path })));
const parentOf = (path: JsonPath) => path.slice(0, -1);

describe('jsonPaths', () => {
  it('lists every value once, parents before children, within maxDepth', () => {
    const doc = { a: { b: [1, { c: null }] }, d: 'x' };
    expect(jsonPaths(doc)).toEqual([['a'], ['a', 'b'], ['a', 'b', 0], ['a', 'b', 1], ['a', 'b', 1, 'c'], ['d']]);
    expect(jsonPaths(doc, 2)).toEqual([['a'], ['a', 'b'], ['d']]);
    expect(jsonPaths('scalar')).toEqual([]);
  });
});

describe('injectFault', () => {
  it('replaces the value at the path, leaves the input as it was and changes nothing else', () => {
    fc.assert(
      fc.property(docAndPath, fc.jsonValue({ maxDepth: 1 }), ({ doc, path }, value) => {
        const before = structuredClone(doc);
        const out = injectFault(doc, { kind: 'replace', path, value });
        expect(doc).toEqual(before);
        expect(valueAtPath(out, path)).toEqual(value);
        expect(injectFault(out, { kind: 'replace', path, value: valueAtPath(doc, path) })).toEqual(doc);
      }),
    );
  });

  it('drops the value at the path: the key is gone, or the array is one item shorter', () => {
    fc.assert(
      fc.property(docAndPath, ({ doc, path }) => {
        const out = injectFault(doc, { kind: 'drop', path });
        const parent = valueAtPath(out, parentOf(path));
        const before = valueAtPath(doc, parentOf(path));
        if (Array.isArray(before)) expect((parent as unknown[]).length).toBe(before.length - 1);
        else expect(Object.keys(parent as object)).toEqual(Object.keys(before as object).filter((k) => k !== path.at(-1)));
      }),
    );
  });

  it('keeps a `__proto__` key a plain key', () => {
    const doc = JSON.parse('{"__proto__": {"a": 1}, "b": 2}') as unknown;
    const out = injectFault(doc, { kind: 'replace', path: ['__proto__', 'a'], value: 'x' }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'b']);
    expect(valueAtPath(out, ['__proto__', 'a'])).toBe('x');
  });
});

describe('oneFaultArbitrary', () => {
  const valid = { apiVersion: 'v1', spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }] }] } };
  const sample = fc.sample(oneFaultArbitrary(fc.constant(valid)), { numRuns: 700, seed: 11 });
  const kinds = (k: DocumentFault['kind']) => sample.filter((s) => s.fault.kind === k);

  it('yields valid documents, drops and replacements, each as its fault says', () => {
    for (const kind of ['none', 'drop', 'replace'] as const) expect(kinds(kind).length, kind).toBeGreaterThan(sample.length / 10);
    for (const { doc, fault } of sample) expect(doc).toEqual(injectFault(valid, fault));
  });

  it('replaces a value with one of another JSON type or another scalar', () => {
    for (const { fault } of kinds('replace')) {
      if (fault.kind !== 'replace') continue;
      expect(fault.value).not.toEqual(valueAtPath(valid, fault.path));
    }
  });

  it('reaches shallow and deep paths alike, and stops at maxDepth', () => {
    const depths = new Set(sample.flatMap((s) => (s.fault.kind === 'none' ? [] : [s.fault.path.length])));
    expect([...depths].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const shallow = fc.sample(oneFaultArbitrary(fc.constant(valid), { maxDepth: 1 }), { numRuns: 50, seed: 3 });
    expect(shallow.every((s) => s.fault.kind === 'none' || s.fault.path.length === 1)).toBe(true);
  });
});
