import { performance } from 'node:perf_hooks';
import { Agent, type Dispatcher } from 'undici';
import { z } from 'zod';

// A bounded load generator for benchmarks of the webhook server: a fixed number of
// workers over keep-alive connections, each sending one request at a time until
// either the request budget or the time budget is spent. Every request has its own
// timeout, so a run ends by itself even against a server that never answers.
// Only loopback targets are allowed: this is for measuring a local server, never
// for sending traffic anywhere else.

/** Thrown for a target other than 127.0.0.1 / localhost / [::1], or a bad option. */
export class LoadTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadTargetError';
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A request body, or a function of the request's index (0-based) that returns one. */
export type LoadBody = string | ((index: number) => string);

const loadOptionsSchema = z.strictObject({
  url: z.string(),
  /** PEM CA bundle to verify an https target against. */
  ca: z.string().optional(),
  body: z.custom<LoadBody>((v) => typeof v === 'string' || typeof v === 'function', { error: 'must be a string or a function of the request index' }),
  concurrency: z.int().min(1).max(1024).default(16),
  durationMs: z.int().min(1).max(600_000).default(5_000),
  maxRequests: z.int().min(1).max(10_000_000).default(100_000),
  headers: z.record(z.string(), z.string()).default({ 'content-type': 'application/json' }),
  method: z.enum(['POST', 'PUT', 'GET']).default('POST'),
  requestTimeoutMs: z.int().min(1).max(60_000).default(10_000),
});

/** Options of runLoad (defaults: 16 workers, 5 s, 100 000 requests, JSON content type, POST, 10 s per request). */
export type LoadOptions = z.input<typeof loadOptionsSchema>;
type Settings = z.output<typeof loadOptionsSchema>;

/** What a run measured. Latencies cover responses only (errors are counted apart). */
export interface LoadResult {
  /** Responses received, whatever their status. */
  requests: number;
  /** Requests that got no response (connection error, per-request timeout). */
  errors: number;
  errorCounts: Record<string, number>;
  statusCounts: Record<string, number>;
  /** Latency of every response in milliseconds, ascending. */
  latenciesMs: number[];
  /** Nearest-rank percentiles of latenciesMs; NaN when there was no response. */
  p50: number;
  p99: number;
  /** 2xx responses per second of the run. */
  reviewsPerSecond: number;
  elapsedMs: number;
}

/** Mutable tallies of one run (local to the run). */
interface Tally {
  next: number;
  latencies: number[];
  errorCounts: Record<string, number>;
  statusCounts: Record<string, number>;
}

/** Sends requests to a loopback URL until maxRequests or durationMs is reached, then reports. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const settings = parseOptions(options);
  const target = loopbackTarget(settings.url);
  const agent = new Agent({ connections: settings.concurrency, pipelining: 1, keepAliveTimeout: 30_000, connect: settings.ca === undefined ? {} : { ca: settings.ca } });
  const tally: Tally = { next: 0, latencies: [], errorCounts: {}, statusCounts: {} };
  const started = performance.now();
  const deadline = started + settings.durationMs;
  try {
    await Promise.all(Array.from({ length: settings.concurrency }, () => worker(agent, target, settings, tally, deadline)));
  } finally {
    await agent.close();
  }
  return summarize(tally, performance.now() - started);
}

function parseOptions(options: LoadOptions): Settings {
  const parsed = loadOptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new LoadTargetError(`${issue.path.join('.') || 'options'}: ${issue.message}`);
}

/** The URL, refused unless it is http(s) on a loopback host. */
export function loopbackTarget(raw: string): URL {
  if (!URL.canParse(raw)) throw new LoadTargetError(`not a URL: ${JSON.stringify(raw)}`);
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new LoadTargetError(`only http and https targets are supported, not ${url.protocol}`);
  if (!LOOPBACK_HOSTS.has(url.hostname)) throw new LoadTargetError(`refusing to send load to ${url.hostname}: only 127.0.0.1, localhost and [::1] are allowed`);
  return url;
}

async function worker(agent: Dispatcher, target: URL, settings: Settings, tally: Tally, deadline: number): Promise<void> {
  // Both bounds are checked before every request: the count and the clock.
  while (tally.next < settings.maxRequests && performance.now() < deadline) {
    const index = tally.next++;
    await sendOne(agent, target, settings, tally, index);
  }
}

async function sendOne(agent: Dispatcher, target: URL, settings: Settings, tally: Tally, index: number): Promise<void> {
  const body = typeof settings.body === 'string' ? settings.body : settings.body(index);
  const started = performance.now();
  try {
    const res = await agent.request({
      origin: target.origin,
      path: target.pathname + target.search,
      method: settings.method,
      headers: settings.headers,
      body: settings.method === 'GET' ? null : body,
      signal: AbortSignal.timeout(settings.requestTimeoutMs),
    });
    await res.body.arrayBuffer();
    tally.latencies.push(performance.now() - started);
    increment(tally.statusCounts, String(res.statusCode));
  } catch (e) {
    increment(tally.errorCounts, errorKind(e));
  }
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function errorKind(e: unknown): string {
  if (!(e instanceof Error)) return 'unknown';
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : e.name;
}

function summarize(tally: Tally, elapsedMs: number): LoadResult {
  const latenciesMs = tally.latencies.sort((a, b) => a - b);
  const ok = Object.entries(tally.statusCounts).reduce((n, [status, count]) => (status.startsWith('2') ? n + count : n), 0);
  return {
    requests: latenciesMs.length,
    errors: Object.values(tally.errorCounts).reduce((a, b) => a + b, 0),
    errorCounts: tally.errorCounts,
    statusCounts: tally.statusCounts,
    latenciesMs,
    p50: percentile(latenciesMs, 50),
    p99: percentile(latenciesMs, 99),
    reviewsPerSecond: elapsedMs > 0 ? ok / (elapsedMs / 1000) : 0,
    elapsedMs,
  };
}

/** Nearest-rank percentile of an ascending list; NaN for an empty one. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}
