/** Milliseconds per unit of Go's time.ParseDuration. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = String.raw`(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)`;

/**
 * Parses a Go duration (`10s`, `1m30s`, `1.5h`, `300ms`, `0`) into milliseconds;
 * undefined when it is not one or is negative (a deadline cannot be).
 */
export function parseGoDuration(text: string): number | undefined {
  const s = text.startsWith('+') ? text.slice(1) : text;
  if (s === '0') return 0;
  if (s === '' || s.startsWith('-')) return undefined;
  // A sticky regex per call: its lastIndex is state, so it is not shared.
  const part = new RegExp(PART, 'y');
  let total = 0;
  while (part.lastIndex < s.length) {
    const start = part.lastIndex;
    const m = part.exec(s);
    if (!m || m.index !== start) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return Number.isFinite(total) ? total : undefined;
}

/** The API server never waits longer than 30 s for a webhook. */
const MAX_TIMEOUT_MS = 30_000;
/** Kept free before the API server's deadline for writing and delivering the answer. */
const MAX_MARGIN_MS = 1_000;

/**
 * How long we may work on a review: the API server's `timeout` query parameter
 * (or the configured `timeout_seconds` when it is absent or unreadable), minus a
 * margin of a quarter of it, at most one second.
 */
export function answerBudgetMs(timeoutParam: string | null | undefined, fallbackSeconds: number): number {
  const parsed = timeoutParam ? parseGoDuration(timeoutParam) : undefined;
  const timeout = Math.min(parsed ?? fallbackSeconds * 1000, MAX_TIMEOUT_MS);
  return Math.max(0, timeout - Math.min(MAX_MARGIN_MS, timeout / 4));
}

/** Thrown by `withDeadline` when the work did not finish in time. */
export class DeadlineExceededError extends Error {
  constructor(readonly budgetMs: number) {
    super(`did not finish within ${budgetMs} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/**
 * Settles with `work` or rejects with DeadlineExceededError once `budgetMs` has
 * passed, whichever comes first. The work is not cancelled; its late rejection is
 * swallowed so it cannot become an unhandled rejection.
 */
export function withDeadline<T>(work: Promise<T>, budgetMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineExceededError(budgetMs)), budgetMs);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
