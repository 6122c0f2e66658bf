import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasPodShape, parsePod, podSchema, InvalidPodError, type Pod } from '@dd-admission/core';
import { oneFaultArbitrary, podArbitrary } from '@dd-admission/testing';

// hasPodShape is a fast path in front of podSchema: it may say "no" where the
// schema says "yes" (the schema then decides), but never the opposite.

// Valid generated pods with one fault anywhere (a field dropped, a value of the
// wrong type), so both answers are common and the accepted pods are rich ones.
const pods = oneFaultArbitrary(podArbitrary());
const runs = 2000;

/** Whether some container of an object with the pod's shape has a non-empty env list. */
function hasContainerEnv(pod: Pod): boolean {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => (c.env?.length ?? 0) > 0);
}

describe('hasPodShape', () => {
  it('never accepts what podSchema rejects', () => {
    const seen = { accepted: 0, rejected: 0, acceptedWithEnv: 0 };
    fc.assert(
      fc.property(pods, ({ doc, fault }) => {
        const fast = hasPodShape(doc);
        if (fault.kind === 'none') expect(fast, 'a valid pod takes the fast path').toBe(true);
        const valid = podSchema.safeParse(doc).success;
        if (!valid) expect(() => parsePod(doc)).toThrow(InvalidPodError);
        if (!fast) {
          seen.rejected++;
          return;
        }
        seen.accepted++;
        if (hasContainerEnv(doc)) seen.acceptedWithEnv++;
        expect(valid).toBe(true);
      }),
      { numRuns: runs },
    );
    // The property says little unless both answers are common and accepted pods carry containers with env.
    expect(seen.accepted).toBeGreaterThan(runs * 0.2);
    expect(seen.rejected).toBeGreaterThan(runs * 0.2);
    expect(seen.acceptedWithEnv).toBeGreaterThan(runs * 0.25);
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
