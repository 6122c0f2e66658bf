// Fuzzing the running server with hostile request bodies: every answer is an AdmissionReview or a 4xx, and it keeps serving.
// A review the core cannot handle fails open (allowed, no patch, a message): only for the reasons named here,
// never for a crash in the core (answered `internal error: ...`).
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { admissionReview, send, startServer, type TestServer } from './helpers.js';

const PATHS = ['/injectconfig', '/injecttags', '/injectlib'] as const;
const VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'];

let t: TestServer;
beforeAll(async () => {
  // Owners come from a lookup that sometimes fails and sometimes returns junk.
  t = await startServer({
    logLevel: 'off',
    fetch: async (r) => {
      if (r.name.length % 3 === 0) throw new Error('lookup failed');
      if (r.name.length % 3 === 1) return { kind: 42 };
      return { apiVersion: 'apps/v1', kind: r.kind, metadata: { name: r.name, namespace: r.namespace, labels: { 'tags.datadoghq.com/env': 'x' } } };
    },
  });
});
afterAll(() => t.close());

/** The fail-open answers a hostile review may get; any other message (a crash's `internal error: ...`) fails the test. */
const EXPECTED_FAIL_OPEN: readonly RegExp[] = [
  /^invalid pod: /,
  /^cannot inject (config|tags|lib) into nil pod$/,
  /^cannot get standard tags from parent object: empty namespace$/,
  /^cannot get owner .* in namespace .*: (lookup failed|the API returned something that is not a Kubernetes object)/s,
  // The lookup below answers apps/v1 whatever group a reference names, so a `v1` or `batch/v1` reference
  // is answered by an object that is not the owner it names: not found, as the core must say.
  /^cannot get owner \S+ [^\n]* in namespace [^\n]*: not found$/,
  /^annotation admission\.datadoghq\.com\/js-lib\.config\.v1: /,
  /^the owner lookup did not finish within \d+ ms, before the API server's timeout$/,
];

const validPod = fc.record({
  name: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  generateName: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  namespace: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  labels: fc.option(fc.dictionary(fc.constantFrom('admission.datadoghq.com/enabled', 'tags.datadoghq.com/env', 'x'), fc.constantFrom('true', 'false', 'v')), { nil: undefined }),
  annotations: fc.option(fc.dictionary(fc.constantFrom('admission.datadoghq.com/python-lib.version', 'admission.datadoghq.com/js-lib.config.v1'), fc.string({ maxLength: 12 })), { nil: undefined }),
  ownerReferences: fc.option(fc.array(fc.record({ apiVersion: fc.constantFrom('apps/v1', 'v1', 'batch/v1'), kind: fc.constantFrom('ReplicaSet', 'Job', 'Pod'), name: fc.string({ maxLength: 8 }) }), { maxLength: 2 }), { nil: undefined }),
});
const validReview = fc.tuple(fc.constantFrom(...(VERSIONS as ['admission.k8s.io/v1'])), validPod).map(([v, pod]) => JSON.stringify(admissionReview(v, pod)));

/** Replaces the value at one random place of a valid review by anything JSON can hold. */
const wrongTypes = fc
  .tuple(validReview, fc.constantFrom('apiVersion', 'kind', 'request', 'request.uid', 'request.object', 'request.object.metadata', 'request.object.spec', 'request.object.spec.containers', 'request.object.metadata.labels', 'request.dryRun', 'request.namespace'), fc.jsonValue({ maxDepth: 3 }))
  .map(([text, path, value]) => {
    const root = JSON.parse(text) as Record<string, unknown>;
    const keys = path.split('.');
    let node = root;
    for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
    node[keys[keys.length - 1]!] = value;
    return JSON.stringify(root);
  });

const body = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
  fc.tuple(validReview, fc.nat()).map(([text, n]) => text.slice(0, n % (text.length + 1))),
  wrongTypes,
  fc.tuple(validReview, fc.integer({ min: 1, max: 400_000 })).map(([text, n]) => text.replace('"uid":"', `"uid":"${'x'.repeat(n)}`)),
  fc.tuple(validReview, fc.integer({ min: 1, max: 200_000 })).map(([text, n]) => text.replace('"spec":', `"deep":${'['.repeat(n)}${']'.repeat(n)},"spec":`)),
  fc.integer({ min: 1, max: 100_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
);

it('answers every fuzzed body with a valid AdmissionReview or a 4xx, and stays healthy', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...PATHS), body, async (path, payload) => {
      const reply = await send(t, path, { body: payload });
      if (reply.status !== 200) {
        expect(reply.status).toBeGreaterThanOrEqual(400);
        expect(reply.status).toBeLessThan(500);
        return;
      }
      const answer = JSON.parse(reply.text) as { apiVersion: string; kind: string; response: Record<string, unknown> };
      expect(VERSIONS).toContain(answer.apiVersion);
      expect(answer.kind).toBe('AdmissionReview');
      expect(answer.response.allowed).toBe(true);
      const sent = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8')) as { request: { uid: string } };
      expect(answer.response.uid).toBe(sent.request.uid);
      const failure = (answer.response.status as { message?: string } | undefined)?.message;
      if (failure !== undefined) {
        expect(EXPECTED_FAIL_OPEN.some((expected) => expected.test(failure)), `unexpected fail-open answer: ${failure}`).toBe(true);
        expect(answer.response.patch).toBeUndefined();
      }
      if (answer.response.patch !== undefined) {
        expect(answer.response.patchType).toBe('JSONPatch');
        expect(Array.isArray(JSON.parse(Buffer.from(answer.response.patch as string, 'base64').toString('utf8')))).toBe(true);
      } else {
        expect(answer.response.patchType).toBeUndefined();
      }
    }),
    { numRuns: 300 },
  );
  expect(await send(t, '/healthz', { method: 'GET', contentType: null })).toMatchObject({ status: 200, text: 'ok\n' });
});
