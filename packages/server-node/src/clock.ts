/** Wall-clock time as milliseconds since the epoch; injected so tests control log timestamps, cache expiry and certificate age. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };
