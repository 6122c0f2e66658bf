// The bounded load generator against a stub HTTPS webhook on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadTargetError, percentile, runLoad, type AdmissionReviewBody } from '@dd-admission/testing';
import { createTestPki, type TestPki } from './support/pki.js';
import { allow, startStubWebhook, type StubWebhook } from './support/stub-webhook.js';

let pki: TestPki;
let stub: StubWebhook;

beforeAll(async () => {
  pki = await createTestPki();
  stub = await startStubWebhook(pki);
  stub.route('/review', (r) => allow(r));
  stub.route('/slow', (r) => ({ ...allow(r), delayMs: 50 }));
  stub.route('/stuck', (r) => ({ ...allow(r), delayMs: 5_000 }));
});

afterAll(async () => {
  await stub?.close();
});

function review(i: number): string {
  const body = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: `load-${i}`, object: { metadata: { name: `p${i}` } } },
  };
  return JSON.stringify(body);
}

describe('runLoad', () => {
  it('sends exactly maxRequests over keep-alive TLS and reports latencies and percentiles', async () => {
    const before = stub.requestsTo('/review').length;
    const connectionsBefore = stub.connections();
    const result = await runLoad({ url: stub.url('/review'), ca: pki.caPem, body: review, concurrency: 4, durationMs: 10_000, maxRequests: 120 });
    const received = stub.requestsTo('/review').slice(before);
    expect(result.requests).toBe(120);
    expect(result.errors).toBe(0);
    expect(result.statusCounts).toEqual({ '200': 120 });
    expect(received).toHaveLength(120);
    // Keep-alive: at most one connection per worker for all 120 requests.
    expect(stub.connections() - connectionsBefore).toBeLessThanOrEqual(4);
    // Every index was sent once, with the body the function built for it.
    const sent = received.map((r) => (JSON.parse(r.body) as AdmissionReviewBody).request.uid).sort();
    expect(sent).toEqual(Array.from({ length: 120 }, (_, i) => `load-${i}`).sort());
    expect(received.every((r) => r.headers['content-type'] === 'application/json' && r.method === 'POST')).toBe(true);
    expect(result.latenciesMs).toHaveLength(120);
    expect(result.latenciesMs).toEqual([...result.latenciesMs].sort((a, b) => a - b));
    expect(result.p50).toBe(percentile(result.latenciesMs, 50));
    expect(result.p99).toBe(result.latenciesMs[118]);
    expect(result.p50).toBeGreaterThan(0);
    expect(result.p50).toBeLessThanOrEqual(result.p99);
    expect(result.reviewsPerSecond).toBeCloseTo(120 / (result.elapsedMs / 1000), 6);
  });

  it('stops at durationMs when the request budget is far away', async () => {
    const result = await runLoad({ url: stub.url('/slow'), ca: pki.caPem, body: review(0), concurrency: 2, durationMs: 300, maxRequests: 1_000_000 });
    // Two workers, ~50 ms per request, 300 ms: about a dozen, never the budget.
    expect(result.requests).toBeGreaterThanOrEqual(2);
    expect(result.requests).toBeLessThanOrEqual(16);
    expect(result.errors).toBe(0);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(300);
    expect(result.elapsedMs).toBeLessThan(1_500);
  });

  it('ends by itself against a server that does not answer, counting timeouts as errors', async () => {
    const result = await runLoad({ url: stub.url('/stuck'), ca: pki.caPem, body: review(0), concurrency: 3, durationMs: 100, maxRequests: 50, requestTimeoutMs: 300 });
    expect(result.requests).toBe(0);
    expect(result.errors).toBe(3);
    expect(result.errorCounts).toEqual({ TimeoutError: 3 });
    expect(Number.isNaN(result.p50)).toBe(true);
    expect(result.reviewsPerSecond).toBe(0);
    expect(result.elapsedMs).toBeLessThan(1_500);
  });

  it('counts a TLS failure (wrong CA) as errors, not responses', async () => {
    const other = await createTestPki('another CA');
    const result = await runLoad({ url: stub.url('/review'), ca: other.caPem, body: review(0), concurrency: 2, durationMs: 2_000, maxRequests: 4 });
    expect(result.requests).toBe(0);
    expect(result.errors).toBe(4);
    expect(result.errorCounts).toEqual({ UNABLE_TO_VERIFY_LEAF_SIGNATURE: 4 });
  });

  it('refuses any host but loopback, and unbounded or malformed options', async () => {
    await expect(runLoad({ url: 'https://example.com/injectconfig', body: '{}', durationMs: 100, maxRequests: 1 })).rejects.toThrow(LoadTargetError);
    await expect(runLoad({ url: 'https://10.0.0.1:8000/injectconfig', body: '{}', durationMs: 100, maxRequests: 1 })).rejects.toThrow(/refusing to send load to 10\.0\.0\.1/);
    await expect(runLoad({ url: 'https://127.0.0.1.example.com/', body: '{}' })).rejects.toThrow(LoadTargetError);
    await expect(runLoad({ url: 'ftp://127.0.0.1/', body: '{}' })).rejects.toThrow(/only http and https/);
    await expect(runLoad({ url: stub.url('/review'), body: '{}', durationMs: 10_000_000 })).rejects.toThrow(/durationMs/);
    await expect(runLoad({ url: stub.url('/review'), body: '{}', maxRequests: Number.POSITIVE_INFINITY })).rejects.toThrow(/maxRequests/);
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });
});
