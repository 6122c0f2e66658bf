// Kubernetes quantities as library injection needs them (lib-injection-7.78.md §6): the exact
// value, sums and comparisons, and the canonical text the API server serializes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addQuantities, compareQuantities, formatQuantity, readQuantity, ZERO_QUANTITY } from '@dd-admission/core';
import { isKubernetesQuantity, quantityArbitrary } from '@dd-admission/testing';

const q = (text: string | number) => {
  const value = readQuantity(text);
  if (!value) throw new Error(`not a quantity: ${text}`);
  return value;
};

describe('readQuantity', () => {
  it('reads exactly the strings Kubernetes accepts', () => {
    fc.assert(
      fc.property(quantityArbitrary, (text) => {
        expect(readQuantity(text) !== undefined, JSON.stringify(text)).toBe(isKubernetesQuantity(text));
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('reads a JSON number as its decimal text', () => {
    expect(formatQuantity(q(2))).toBe('2');
    expect(formatQuantity(q(0.5))).toBe('500m');
  });
});

describe('formatQuantity: the canonical form', () => {
  const cases: [string, string][] = [
    ['0.025', '25m'],
    ['0.05', '50m'],
    ['100m', '100m'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['2000m', '2'],
    ['0.1', '100m'],
    ['100Mi', '100Mi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['500Mi', '500Mi'],
    ['0.5Ki', '512'],
    ['1e3', '1e3'],
    ['12e2', '1200'],
    ['1k', '1k'],
    ['0', '0'],
    ['1n', '1n'],
    ['0.0000000001', '1n'],
  ];
  for (const [text, canonical] of cases) {
    it(`${text} -> ${canonical}`, () => {
      expect(formatQuantity(q(text))).toBe(canonical);
    });
  }
});

describe('sums and comparisons', () => {
  it('adds exactly, keeping the first non-zero format', () => {
    expect(formatQuantity(addQuantities(q('200m'), q('200m')))).toBe('400m');
    expect(formatQuantity(addQuantities(q('200Mi'), q('200Mi')))).toBe('400Mi');
    expect(formatQuantity(addQuantities(ZERO_QUANTITY, q('512Mi')))).toBe('512Mi');
    expect(formatQuantity(addQuantities(q('0.5'), q('500m')))).toBe('1');
  });

  it('compares across suffixes', () => {
    expect(compareQuantities(q('0.05'), q('50m'))).toBe(0);
    expect(compareQuantities(q('100Mi'), q('100M'))).toBeGreaterThan(0);
    expect(compareQuantities(q('25m'), q('0.05'))).toBeLessThan(0);
  });

  it('addition is commutative and agrees with comparison', () => {
    const valid = quantityArbitrary.filter(isKubernetesQuantity).map((t) => q(t));
    fc.assert(
      fc.property(valid, valid, (a, b) => {
        expect(compareQuantities(addQuantities(a, b), addQuantities(b, a))).toBe(0);
        if (b.unscaled > 0n) expect(compareQuantities(addQuantities(a, b), a)).toBeGreaterThan(0);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
