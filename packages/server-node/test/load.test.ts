// Load through the real HTTPS server: concurrent keep-alive clients for a bounded
// time; every request must succeed, and the heap must not grow from one load
// phase to the next (no per-request leak). Counts and bounds, never timings.
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '@dd-admission/testing';
import { config, startServer, type TestServer } from './helpers.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const review = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'c0ffee00-0000-4000-8000-000000000001',
    namespace: 'shop',
    operation: 'CREATE',
    object: {
      metadata: { generateName: 'web-', namespace: 'shop', labels: { 'admission.datadoghq.com/enabled': 'true', 'tags.datadoghq.com/env': 'prod' } },
      spec: { containers: [{ name: 'app', image: 'shop/web:1', env: [{ name: 'A', value: '1' }] }] },
    },
  },
});

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ config: config({ admission_controller: { inject_config: { mode: 'socket' } } }), logLevel: 'error' });
});
afterAll(async () => server?.close());

function heapMiB(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

describe('under load', () => {
  it('serves 16 keep-alive clients with no failed request, and memory stays flat', async () => {
    const phase = () =>
      runLoad({ url: `${server.base}/injectconfig`, ca: server.ca, body: review, concurrency: 16, durationMs: 1500, maxRequests: 20_000, headers: { 'content-type': 'application/json' } });
    const warm = await phase();
    const before = heapMiB();
    const first = await phase();
    const second = await phase();
    const after = heapMiB();
    for (const run of [warm, first, second]) {
      expect(run.errors).toBe(0);
      expect(Object.keys(run.statusCounts)).toEqual(['200']);
      expect(run.requests).toBeGreaterThan(100);
    }
    // The server runs in this process, so its heap is ours: thousands of requests
    // later it must be back where it was (a leak of even 1 KiB per request would show).
    expect(after - before, `heap grew from ${before.toFixed(1)} to ${after.toFixed(1)} MiB over ${first.requests + second.requests} requests`).toBeLessThan(8);
    const text = (await server.metrics.render()).body;
    expect(text).toMatch(/admission_webhooks_webhooks_received\{mutation_type="agent_config"[^}]*\} (\d+)/);
  });
});
