import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import jsonpatch from 'fast-json-patch';
import { applyStrictPatch, deepFreeze, formatPointer, jsonEqual, parsePointer, StrictPatchError, toJson } from '@dd-admission/testing';

const doc = () => ({ spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] }, metadata: { labels: { 'a/b': 'x', 'c~d': 'y' } } });

function failure(document: unknown, patch: unknown[]): StrictPatchError {
  try {
    applyStrictPatch(document, patch);
  } catch (e) {
    if (e instanceof StrictPatchError) return e;
    throw e;
  }
  throw new Error('patch applied but should have failed');
}

describe('parsePointer / formatPointer', () => {
  it('unescapes ~1 then ~0', () => {
    expect(parsePointer('/metadata/labels/a~1b')).toEqual(['metadata', 'labels', 'a/b']);
    expect(parsePointer('/c~0d')).toEqual(['c~d']);
    // "~01" is "~" followed by "1", not "/".
    expect(parsePointer('/~01')).toEqual(['~1']);
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('/')).toEqual(['']);
  });

  it('rejects a pointer without leading slash and a bad escape', () => {
    expect(() => parsePointer('spec')).toThrow(/must start with/);
    expect(() => parsePointer('/a~2b')).toThrow(/~/);
    expect(() => parsePointer('/a~')).toThrow(/~/);
  });

  it('round-trips any tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (tokens) => {
        expect(parsePointer(formatPointer(tokens))).toEqual(tokens);
      }),
    );
  });
});

describe('applyStrictPatch', () => {
  it('adds into an existing array at 0..length and with "-"', () => {
    const out = applyStrictPatch(doc(), [
      { op: 'add', path: '/spec/containers/0/env/0', value: { name: 'FIRST' } },
      { op: 'add', path: '/spec/containers/0/env/2', value: { name: 'LAST' } },
      { op: 'add', path: '/spec/containers/0/env/-', value: { name: 'END' } },
    ]) as ReturnType<typeof doc>;
    expect(out.spec.containers[0]!.env.map((e) => e.name)).toEqual(['FIRST', 'X', 'LAST', 'END']);
  });

  it('never creates a missing parent (no implicit arrays or objects)', () => {
    expect(failure(doc(), [{ op: 'add', path: '/spec/volumes/-', value: { name: 'v' } }]).path).toBe('/spec/volumes/-');
    expect(() => applyStrictPatch(doc(), [{ op: 'add', path: '/spec/initContainers/0', value: {} }])).toThrow(StrictPatchError);
    expect(() => applyStrictPatch({}, [{ op: 'add', path: '/spec/containers', value: [] }])).toThrow(/does not exist/);
    // Adding the missing array itself, whole, is the accepted way.
    expect(applyStrictPatch(doc(), [{ op: 'add', path: '/spec/volumes', value: [{ name: 'v' }] }])).toMatchObject({ spec: { volumes: [{ name: 'v' }] } });
  });

  it('rejects array indexes outside 0..length, negative or with leading zeros', () => {
    for (const index of ['2', '-1', '01', '1e0', 'x']) {
      expect(() => applyStrictPatch(doc(), [{ op: 'add', path: `/spec/containers/0/env/${index}`, value: {} }]), index).toThrow(StrictPatchError);
    }
  });

  it('needs an existing target for replace, remove and test', () => {
    expect(() => applyStrictPatch(doc(), [{ op: 'replace', path: '/spec/nodeName', value: 'n' }])).toThrow(/missing key/);
    expect(() => applyStrictPatch(doc(), [{ op: 'remove', path: '/spec/nodeName' }])).toThrow(/missing key/);
    expect(() => applyStrictPatch(doc(), [{ op: 'remove', path: '/spec/containers/1' }])).toThrow(/out of bounds/);
    expect(() => applyStrictPatch(doc(), [{ op: 'replace', path: '/spec/containers/1', value: {} }])).toThrow(/out of bounds/);
    expect(() => applyStrictPatch(doc(), [{ op: 'test', path: '/spec/nodeName', value: null }])).toThrow(StrictPatchError);
  });

  it('replaces, removes and tests existing targets', () => {
    const out = applyStrictPatch(doc(), [
      { op: 'test', path: '/spec/containers/0/env/0', value: { value: '1', name: 'X' } },
      { op: 'replace', path: '/spec/containers/0/env/0/value', value: '2' },
      { op: 'remove', path: '/metadata/labels/c~0d' },
      { op: 'add', path: '/metadata/labels/a~1b', value: 'replaced' },
    ]);
    expect(out).toEqual({ spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '2' }] }] }, metadata: { labels: { 'a/b': 'replaced' } } });
    expect(() => applyStrictPatch(doc(), [{ op: 'test', path: '/metadata/labels/a~1b', value: 'nope' }])).toThrow(/test failed/);
  });

  it('moves and copies', () => {
    const out = applyStrictPatch({ a: [1, 2], b: {} }, [
      { op: 'copy', from: '/a/0', path: '/b/x' },
      { op: 'move', from: '/a/1', path: '/a/0' },
    ]);
    expect(out).toEqual({ a: [2, 1], b: { x: 1 } });
    expect(() => applyStrictPatch({ a: {} }, [{ op: 'move', from: '/a', path: '/a/b' }])).toThrow(/into itself/);
    expect(() => applyStrictPatch({ a: {} }, [{ op: 'copy', from: '/nope', path: '/b' }])).toThrow(StrictPatchError);
  });

  it('names the failing operation index and path', () => {
    const e = failure(doc(), [
      { op: 'add', path: '/spec/x', value: 1 },
      { op: 'add', path: '/spec/y', value: 2 },
      { op: 'add', path: '/spec/volumes/0', value: {} },
    ]);
    expect(e.index).toBe(2);
    expect(e.path).toBe('/spec/volumes/0');
    expect(e.message).toContain('patch operation 2');
    expect(e.message).toContain('/spec/volumes/0');
  });

  it('rejects malformed operations and values JSON cannot carry', () => {
    expect(() => applyStrictPatch({}, [{ op: 'add', path: '/a' }])).toThrow(/needs a "value"/);
    expect(() => applyStrictPatch({}, [{ op: 'add', path: '/a', value: undefined }])).toThrow(/not representable/);
    expect(() => applyStrictPatch({}, [{ op: 'add', path: '/a', value: { b: undefined } }])).toThrow(/not representable/);
    expect(() => applyStrictPatch({}, [{ op: 'add', path: '/a', value: Number.NaN }])).toThrow(/not representable/);
    expect(() => applyStrictPatch({}, [{ op: 'frobnicate', path: '/a' }])).toThrow(/unknown op/);
    expect(() => applyStrictPatch({}, [{ path: '/a' }])).toThrow(/missing "op"/);
    expect(() => applyStrictPatch({}, ['add'])).toThrow(/must be an object/);
    expect(() => applyStrictPatch({}, [{ op: 'move', path: '/a' }])).toThrow(/needs a "from"/);
  });

  it('refuses operations on the document root, as the API server does', () => {
    expect(() => applyStrictPatch({}, [{ op: 'add', path: '', value: {} }])).toThrow(/root/);
    expect(() => applyStrictPatch({}, [{ op: 'replace', path: '', value: {} }])).toThrow(/root/);
  });

  it('never modifies the document, even when an operation fails midway', () => {
    const original = deepFreeze(doc());
    const out = applyStrictPatch(original, [{ op: 'add', path: '/spec/containers/0/env/-', value: { name: 'Y' } }]);
    expect(out).not.toBe(original);
    expect(original.spec.containers[0]!.env).toHaveLength(1);
    const unfrozen = doc();
    expect(() => applyStrictPatch(unfrozen, [{ op: 'add', path: '/spec/z', value: 1 }, { op: 'remove', path: '/nope' }])).toThrow();
    expect(unfrozen).toEqual(doc());
  });

  it('treats "__proto__" as an ordinary member name', () => {
    const out = applyStrictPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses what fast-json-patch lets through (why it is not used here)', () => {
    const lenient = (d: unknown, op: jsonpatch.Operation, validate: boolean) => jsonpatch.applyPatch(d, [op], validate, false).newDocument;
    // Without validation fast-json-patch appends out of range, creates on replace, ignores a missing remove.
    expect(lenient({ a: [1] }, { op: 'add', path: '/a/5', value: 2 }, false)).toEqual({ a: [1, 2] });
    expect(lenient({ a: {} }, { op: 'replace', path: '/a/b', value: 1 }, false)).toEqual({ a: { b: 1 } });
    expect(lenient({ a: {} }, { op: 'remove', path: '/a/b' }, false)).toEqual({ a: {} });
    // Even with validation it takes a leading-zero index.
    expect(lenient({ a: [1] }, { op: 'add', path: '/a/01', value: 2 }, true)).toEqual({ a: [1, 2] });
    expect(() => applyStrictPatch({ a: [1] }, [{ op: 'add', path: '/a/5', value: 2 }])).toThrow(StrictPatchError);
    expect(() => applyStrictPatch({ a: {} }, [{ op: 'replace', path: '/a/b', value: 1 }])).toThrow(StrictPatchError);
    expect(() => applyStrictPatch({ a: {} }, [{ op: 'remove', path: '/a/b' }])).toThrow(StrictPatchError);
    expect(() => applyStrictPatch({ a: [1] }, [{ op: 'add', path: '/a/01', value: 2 }])).toThrow(StrictPatchError);
  });

  it('agrees with fast-json-patch on patches that are valid under both', () => {
    // Inserting at valid indexes of existing arrays: the mechanics must match the reference library.
    const arb = fc.array(fc.integer(), { maxLength: 6 }).chain((items) =>
      fc.tuple(fc.constant(items), fc.array(fc.tuple(fc.nat(), fc.integer()), { maxLength: 5 })),
    );
    fc.assert(
      fc.property(arb, ([items, inserts]) => {
        let length = items.length;
        const patch = inserts.map(([at, value]) => ({ op: 'add' as const, path: `/list/${at % (length++ + 1)}`, value }));
        const expected = jsonpatch.applyPatch({ list: [...items] }, structuredClone(patch), true, false).newDocument;
        expect(applyStrictPatch({ list: items }, patch)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('toJson / jsonEqual', () => {
  it('copies plain JSON and compares ignoring member order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const copy = toJson(v, 'v');
        expect(jsonEqual(copy, v)).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
  });

  it('rejects class instances and functions', () => {
    expect(() => toJson(new Date(0), 'd')).toThrow(/plain object/);
    expect(() => toJson(() => 1, 'f')).toThrow(/not representable/);
  });
});
