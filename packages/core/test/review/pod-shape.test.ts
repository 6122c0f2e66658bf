import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasPodShape, parsePod, podSchema, InvalidPodError } from '@dd-admission/core';

// hasPodShape is a fast path in front of podSchema: it may say "no" where the
// schema says "yes" (the schema then decides), but never the opposite.

const anyJson = fc.jsonValue({ maxDepth: 2 });
const str = fc.string({ maxLength: 6 });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.constant(undefined), fc.constant(null), anyJson);

const env = fc.record({ name: fc.oneof(str, anyJson), value: maybe(str), valueFrom: maybe(fc.constant({ fieldRef: { fieldPath: 'x' } })) }, { requiredKeys: [] });
const mount = fc.record({ name: fc.oneof(str, anyJson), mountPath: fc.oneof(str, anyJson), readOnly: maybe(fc.boolean()) }, { requiredKeys: [] });
const container = fc.record(
  { name: fc.oneof(str, anyJson), image: maybe(str), env: maybe(fc.array(fc.oneof(env, anyJson), { maxLength: 3 })), volumeMounts: maybe(fc.array(fc.oneof(mount, anyJson), { maxLength: 2 })) },
  { requiredKeys: [] },
);
const owner = fc.record({ apiVersion: fc.oneof(str, anyJson), kind: fc.oneof(str, anyJson), name: fc.oneof(str, anyJson), uid: maybe(str), controller: maybe(fc.boolean()) }, { requiredKeys: [] });
const stringMap = maybe(fc.dictionary(str, fc.oneof(str, anyJson), { maxKeys: 3 }));
const pod = fc.record(
  {
    apiVersion: maybe(str),
    kind: maybe(str),
    metadata: maybe(fc.record({ name: maybe(str), namespace: maybe(str), labels: stringMap, annotations: stringMap, ownerReferences: maybe(fc.array(fc.oneof(owner, anyJson), { maxLength: 2 })) }, { requiredKeys: [] })),
    spec: maybe(
      fc.record(
        { containers: maybe(fc.array(fc.oneof(container, anyJson), { maxLength: 3 })), initContainers: maybe(fc.array(container, { maxLength: 2 })), volumes: maybe(fc.array(fc.oneof(fc.record({ name: str }), anyJson), { maxLength: 2 })) },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

describe('hasPodShape', () => {
  it('never accepts what podSchema rejects', () => {
    fc.assert(
      fc.property(fc.oneof(pod, anyJson), (input) => {
        if (hasPodShape(input)) expect(podSchema.safeParse(input).success).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts a well-formed pod without falling back to the schema', () => {
    const ok = { metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }], volumeMounts: [{ name: 'v', mountPath: '/v' }] }], volumes: [{ name: 'v' }] } };
    expect(hasPodShape(ok)).toBe(true);
    expect(parsePod(ok)).toBe(ok);
  });

  it('reports the field path of the first problem', () => {
    const bad = { spec: { containers: [{ name: 'c', env: [{ name: 'A' }, { value: 'x' }] }] } };
    expect(() => parsePod(bad)).toThrow(InvalidPodError);
    expect(() => parsePod(bad)).toThrow(/^spec\.containers\[0\]\.env\[1\]\.name: /);
  });
});
