import { setTimeout as sleep } from 'node:timers/promises';

/** Exponential back-off bounds. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** The production default: 250 ms doubling up to 30 s (an API server outage is retried at least twice a minute). */
export const DEFAULT_BACKOFF: Backoff = { baseMs: 250, maxMs: 30_000 };

/** The wait before retry number `attempt` (1-based): base * 2^(attempt-1), capped. */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
}

/** Waits `ms`, or less when `signal` aborts (never throws). */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}
