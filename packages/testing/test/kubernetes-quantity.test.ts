import { describe, expect, it } from 'vitest';
import { isKubernetesQuantity } from '@dd-admission/testing';

describe('isKubernetesQuantity (port of resource.ParseQuantity acceptance)', () => {
  it('accepts the forms Kubernetes documents', () => {
    for (const q of ['0', '1', '50m', '0.5', '100M', '64Mi', '1Gi', '1.5Gi', '1e3', '1E3', '1e-3', '12E+2', '+1', '-1', '1n', '1u', '1k', '1Ei', '1P', '1E']) {
      expect(isKubernetesQuantity(q), q).toBe(true);
    }
  });

  it('keeps the parser quirks: leading dot, trailing dot, "1.G", a lone sign or unit', () => {
    for (const q of ['.5', '5.', '1.G', '+', '-', '.', 'Mi']) expect(isKubernetesQuantity(q), q).toBe(true);
  });

  it('rejects what ParseQuantity rejects, whitespace included', () => {
    for (const q of ['', ' 50m', '50m ', '5 0m', '64mi', '1KI', '1ki', '1e', '1Mi2', '1m5', 'lots', '1.2.3', '0x10', '1e3m', '1K', '1 Gi', '\t1']) {
      expect(isKubernetesQuantity(q), JSON.stringify(q)).toBe(false);
    }
  });
});
