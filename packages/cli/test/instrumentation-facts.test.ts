import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { instrumentationFacts } from '../src/instrumentation-facts.js';

describe('instrumentationFacts: the clock and install facts library injection stamps on pods', () => {
  it('the current time in whole seconds, the install time defaulting to it, no install id', () => {
    expect(instrumentationFacts({}, 1_767_225_600_999)).toEqual({ now: 1_767_225_600, install: { time: '1767225600', id: '' } });
  });

  it('SOURCE_DATE_EPOCH fixes the clock; DD_INSTRUMENTATION_INSTALL_TIME and _ID are taken as the Cluster Agent takes them', () => {
    const env = { SOURCE_DATE_EPOCH: '1700000000', DD_INSTRUMENTATION_INSTALL_TIME: '1690000000', DD_INSTRUMENTATION_INSTALL_ID: 'abc' };
    expect(instrumentationFacts(env, 0)).toEqual({ now: 1_700_000_000, install: { time: '1690000000', id: 'abc' } });
  });

  it('an empty SOURCE_DATE_EPOCH counts as unset; anything but whole seconds is an error naming it', () => {
    expect(instrumentationFacts({ SOURCE_DATE_EPOCH: '' }, 5_000).now).toBe(5);
    expect(() => instrumentationFacts({ SOURCE_DATE_EPOCH: '2026-01-01' }, 0)).toThrow(InputError);
    expect(() => instrumentationFacts({ SOURCE_DATE_EPOCH: '1.5' }, 0)).toThrow('environment: SOURCE_DATE_EPOCH="1.5" is not a Unix time in whole seconds');
  });
});
