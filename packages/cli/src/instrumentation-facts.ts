import { installFacts } from '@dd-admission/core';
import { InputError } from './errors.js';

/** What the Cluster Agent stamps on instrumented pods from its own clock and environment (lib-injection-7.78.md §4.4, §8). */
export interface InstrumentationFacts {
  /** Unix seconds of the admission, for DD_INJECT_START_TIME. */
  now: number;
  /** DD_INSTRUMENTATION_INSTALL_TIME and _ID. */
  install: { time: string; id: string };
}

/**
 * The preview's clock and install facts: SOURCE_DATE_EPOCH (for reproducible output) or the
 * current time; DD_INSTRUMENTATION_INSTALL_TIME and _ID as the Cluster Agent reads them from
 * its environment, the time defaulting to now as the agent's defaults to its start.
 */
export function instrumentationFacts(env: Readonly<Record<string, string | undefined>>, nowMs: number): InstrumentationFacts {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '' && !/^\d+$/.test(epoch)) {
    throw new InputError([{ location: { file: 'environment' }, message: `SOURCE_DATE_EPOCH="${epoch}" is not a Unix time in whole seconds` }]);
  }
  const now = epoch ? Number(epoch) : Math.floor(nowMs / 1000);
  return { now, install: installFacts(env, now) };
}
