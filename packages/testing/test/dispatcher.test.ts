// The kube-apiserver-like dispatcher against stub HTTPS webhooks (real TLS on 127.0.0.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, parseAdmissionReview, reviewWebhook, type Pod } from '@dd-admission/core';
import {
  createWebhookClients,
  dispatch,
  InvalidRegistrationError,
  type AdmissionReviewBody,
  type DispatchOptions,
  type WebhookClients,
  type WebhookRegistration,
} from '@dd-admission/testing';
import { createTestPki, type TestPki } from './support/pki.js';
import { allow, closedPort, startStubWebhook, type StubWebhook } from './support/stub-webhook.js';

const OPT_IN = { 'admission.datadoghq.com/enabled': 'true' };

let pki: TestPki;
let otherPki: TestPki;
let stub: StubWebhook;
let clients: WebhookClients;

beforeAll(async () => {
  [pki, otherPki] = await Promise.all([createTestPki(), createTestPki('another CA')]);
  stub = await startStubWebhook(pki);
  clients = createWebhookClients();
  // The cluster agent's config webhook, served by the core, so patches are real ones.
  stub.route('/injectconfig', (review) => ({ json: reviewWebhook(parseAdmissionReview(review), 'config', {}, defaultConfig('7.49')).response }));
});

afterAll(async () => {
  await clients?.close();
  await stub?.close();
});

function pod(labels: Record<string, string> = OPT_IN, extra: Partial<NonNullable<Pod['metadata']>> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels, ...extra }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };
}

function hook(name: string, path: string, more: Partial<WebhookRegistration> = {}): WebhookRegistration {
  return { name, url: stub.url(path), caBundle: pki.caPem, failurePolicy: 'Ignore', ...more };
}

/** Sequential uids, so responses and records can be checked exactly. */
function uids(prefix = 'uid'): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

function options(webhooks: WebhookRegistration[], more: Partial<DispatchOptions> = {}): DispatchOptions {
  return { namespace: 'shop', webhooks, clients, uid: uids(), ...more };
}

function envNames(p: Pod, container = 'app'): string[] {
  const all = [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])];
  return (all.find((c) => c.name === container)?.env ?? []).map((e) => e.name);
}

/** A stub route that answers with `answer(review)`; returns the path. */
function route(path: string, answer: (review: AdmissionReviewBody) => ReturnType<typeof allow>): string {
  stub.route(path, answer);
  return path;
}

describe('TLS against the CA bundle', () => {
  it('a webhook whose certificate chains to the caBundle is called and its patch applied', async () => {
    const result = await dispatch(pod(), options([hook('datadog.webhook.config', '/injectconfig')]));
    expect(result.allowed).toBe(true);
    expect(result.calls).toHaveLength(1);
    expect(result.calls[0]).toMatchObject({ webhook: 'datadog.webhook.config', status: 200, uid: 'uid-1', version: 'v1', changed: true, reinvocation: false });
    expect(result.calls[0]!.patchOps).toBe(result.patches[0]!.patch.length);
    expect(envNames(result.pod)).toEqual(['DD_ENTITY_ID', 'DD_AGENT_HOST']);
    expect(result.failedOpen).toEqual([]);
  });

  it('reuses keep-alive connections across dispatches sharing clients', async () => {
    const before = stub.connections();
    for (let i = 0; i < 5; i++) await dispatch(pod(), options([hook('config', '/injectconfig')]));
    expect(stub.connections() - before).toBeLessThanOrEqual(1);
  });

  it('accepts the caBundle as base64 of PEM, as written in a MutatingWebhookConfiguration', async () => {
    const caBundle = Buffer.from(pki.caPem).toString('base64');
    const result = await dispatch(pod(), options([hook('config', '/injectconfig', { caBundle })]));
    expect(result.calls[0]!.status).toBe(200);
    expect(envNames(result.pod)).toContain('DD_AGENT_HOST');
  });

  it('refuses a certificate from another CA: ignored under Ignore, a 500 under Fail', async () => {
    const wrongCa = { caBundle: otherPki.caPem };
    const ignored = await dispatch(pod(), options([hook('config', '/injectconfig', wrongCa)]));
    expect(ignored.allowed).toBe(true);
    expect(ignored.pod.spec?.containers?.[0]?.env).toBeUndefined();
    expect(ignored.calls[0]!.status).toBeUndefined();
    expect(ignored.failedOpen).toHaveLength(1);
    expect(ignored.failedOpen[0]!.error).toMatch(/^failed calling webhook "config": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/injectconfig\?timeout=10s": .*certificate/);
    expect(ignored.failedOpen[0]!.annotation).toBe('failed-open.mutation.webhook.admission.k8s.io/round_0_index_0');

    const failed = await dispatch(pod(), options([hook('config', '/injectconfig', { ...wrongCa, failurePolicy: 'Fail' })]));
    expect(failed.allowed).toBe(false);
    expect(failed.rejected).toMatchObject({ webhook: 'config', cause: 'call-error', code: 500 });
    expect(failed.rejected!.reason).toMatch(/^Internal error occurred: failed calling webhook "config": .*certificate/);
  });

  it('a caBundle with no certificate is a call error, subject to failurePolicy', async () => {
    const result = await dispatch(pod(), options([hook('config', '/injectconfig', { caBundle: Buffer.from('not a cert').toString('base64') })]));
    expect(result.allowed).toBe(true);
    expect(result.failedOpen[0]!.error).toBe('failed calling webhook "config": could not get REST client: unable to load root certificates: no valid certificate authority data seen');
  });
});

describe('the request', () => {
  it('POSTs application/json to the URL with ?timeout=<timeoutSeconds>s', async () => {
    const path = route('/timeout-param', (r) => allow(r));
    await dispatch(pod(), options([hook('a', path), hook('b', path, { timeoutSeconds: 3 })]));
    const [first, second] = stub.requestsTo(path).slice(-2);
    expect(first!.url).toBe(`${path}?timeout=10s`);
    expect(second!.url).toBe(`${path}?timeout=3s`);
    expect(first!.method).toBe('POST');
    expect(first!.headers['content-type']).toBe('application/json');
  });

  it('builds the v1 AdmissionReview as the API server does (generateName pod: no name)', async () => {
    const path = route('/capture-v1', (r) => allow(r));
    const input = pod(OPT_IN, { name: undefined, generateName: 'web-' });
    delete input.metadata!.name;
    await dispatch(input, options([hook('a', path)], { uid: () => 'fixed-uid' }));
    const body = JSON.parse(stub.requestsTo(path).at(-1)!.body) as AdmissionReviewBody;
    const podKind = { group: '', version: 'v1', kind: 'Pod' };
    const podResource = { group: '', version: 'v1', resource: 'pods' };
    expect(body).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'fixed-uid',
        kind: podKind,
        resource: podResource,
        requestKind: podKind,
        requestResource: podResource,
        namespace: 'shop',
        operation: 'CREATE',
        userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
        // The request namespace is filled into the object before admission.
        object: { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'web-', labels: OPT_IN, namespace: 'shop' }, spec: { containers: [{ name: 'app', image: 'app:1' }] } },
        oldObject: null,
        dryRun: false,
        options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
      },
    });
    expect(body.request).not.toHaveProperty('name');
  });

  it('passes dryRun through, in the request and in CreateOptions', async () => {
    const path = route('/capture-dry-run', (r) => allow(r));
    const result = await dispatch(pod(), options([hook('a', path)], { dryRun: true }));
    expect(result.allowed).toBe(true);
    const body = JSON.parse(stub.requestsTo(path).at(-1)!.body) as AdmissionReviewBody;
    expect(body.request.dryRun).toBe(true);
    expect(body.request.options).toEqual({ kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', dryRun: ['All'] });
    expect(body.request.name).toBe('web');
  });

  it('does not call a webhook with side effects on a dry run: 400 whatever the policy', async () => {
    const path = route('/side-effects', (r) => allow(r));
    const result = await dispatch(pod(), options([hook('a', path, { sideEffects: 'Some' })], { dryRun: true }));
    expect(result.rejected).toEqual({ webhook: 'a', cause: 'internal', code: 400, reason: 'admission webhook "a" does not support dry run' });
    expect(stub.requestsTo(path)).toHaveLength(0);
  });

  it('rejects an object whose namespace differs from the request namespace, before any call', async () => {
    const result = await dispatch(pod(OPT_IN, { namespace: 'other' }), options([hook('config', '/injectconfig')]));
    expect(result.rejected).toMatchObject({ cause: 'request', code: 400 });
    expect(result.calls).toEqual([]);
  });

  it('refuses a registration the API server would not store', async () => {
    await expect(dispatch(pod(), options([{ name: 'a', url: 'http://127.0.0.1:1/x' }]))).rejects.toThrow(InvalidRegistrationError);
    await expect(dispatch(pod(), options([{ name: 'a', url: 'https://127.0.0.1:1/x?y=1' }]))).rejects.toThrow(/query parameters are not allowed/);
    await expect(dispatch(pod(), options([{ name: 'a', url: 'https://127.0.0.1:1/x', timeoutSeconds: 31 }]))).rejects.toThrow(/webhooks\[0\]\.timeoutSeconds/);
    await expect(dispatch(pod(), options([{ name: 'a', url: 'https://127.0.0.1:1/x', admissionReviewVersions: ['v2'] }]))).rejects.toThrow(/at least one of v1, v1beta1/);
  });
});

describe('response rules (VerifyAdmissionResponse)', () => {
  const cases: [string, (r: AdmissionReviewBody) => ReturnType<typeof allow>, string][] = [
    ['/uid-mismatch', (r) => ({ json: { apiVersion: r.apiVersion, kind: 'AdmissionReview', response: { uid: 'someone-else', allowed: true } } }), 'received invalid webhook response: expected response.uid="uid-1", got "someone-else"'],
    ['/patch-without-type', (r) => allow(r, undefined, { patch: Buffer.from('[]').toString('base64') }), 'received invalid webhook response: webhook returned response.patch but not response.patchType'],
    ['/type-without-patch', (r) => allow(r, undefined, { patchType: 'JSONPatch' }), 'received invalid webhook response: webhook returned response.patchType but not response.patch'],
    ['/wrong-version', (r) => ({ json: { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', response: { uid: r.request.uid, allowed: true } } }), 'received invalid webhook response: expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1, Kind=AdmissionReview'],
    ['/wrong-kind', (r) => ({ json: { apiVersion: r.apiVersion, kind: 'Pod', response: { uid: r.request.uid, allowed: true } } }), 'failed to call webhook: no kind "Pod" is registered for version "admission.k8s.io/v1"'],
    ['/no-response', (r) => ({ json: { apiVersion: r.apiVersion, kind: 'AdmissionReview' } }), 'received invalid webhook response: webhook response was absent'],
    ['/bad-base64', (r) => allow(r, undefined, { patchType: 'JSONPatch', patch: 'not base64!' }), 'failed to call webhook: response.patch: illegal base64 data'],
    ['/patch-not-array', (r) => allow(r, undefined, { patchType: 'JSONPatch', patch: Buffer.from('{"op":"add"}').toString('base64') }), 'received undecodable patch in webhook response: the patch is not a JSON array'],
    ['/merge-patch', (r) => allow(r, undefined, { patchType: 'Merge', patch: Buffer.from('[{"op":"add","path":"/metadata/labels/x","value":"y"}]').toString('base64') }), 'unsupported patch type "Merge"'],
    ['/not-json', () => ({ raw: 'hello' }), 'failed to call webhook: invalid JSON in the response body'],
    ['/status-500', () => ({ status: 500, raw: 'boom' }), 'failed to call webhook: the server responded with the status code 500 ("boom")'],
  ];

  it.each(cases)('%s is a call error: ignored under Ignore, 500 under Fail', async (path, answer, message) => {
    route(path, answer);
    const ignored = await dispatch(pod(), options([hook('w', path)]));
    expect(ignored.allowed).toBe(true);
    expect(ignored.patches).toEqual([]);
    expect(ignored.failedOpen.map((f) => f.error)).toEqual([expect.stringContaining(`failed calling webhook "w": ${message}`)]);
    expect(ignored.calls[0]!.error).toContain(message);

    const failed = await dispatch(pod(), options([hook('w', path, { failurePolicy: 'Fail' })]));
    expect(failed.allowed).toBe(false);
    expect(failed.rejected).toMatchObject({ webhook: 'w', cause: 'call-error', code: 500 });
    expect(failed.rejected!.reason).toContain(message);
  });

  it('an empty patch with its patchType changes nothing and is fine', async () => {
    const path = route('/empty-patch', (r) => allow(r, []));
    const result = await dispatch(pod(), options([hook('w', path, { failurePolicy: 'Fail' })]));
    expect(result.allowed).toBe(true);
    expect(result.calls[0]).toMatchObject({ patchOps: 0, changed: false });
  });

  it('allowed: false rejects with the webhook status, whatever the policy', async () => {
    const path = route('/deny', (r) => ({ json: { apiVersion: r.apiVersion, kind: 'AdmissionReview', response: { uid: r.request.uid, allowed: false, status: { code: 403, message: 'no pods today' } } } }));
    const result = await dispatch(pod(), options([hook('w', path)]));
    expect(result.rejected).toEqual({ webhook: 'w', cause: 'denied', code: 403, reason: 'admission webhook "w" denied the request: no pods today' });
  });

  it('collects the warnings of the answers, once each', async () => {
    const path = route('/warn', (r) => allow(r, undefined, { warnings: ['careful', 'really'] }));
    const result = await dispatch(pod(), options([hook('a', path), hook('b', path)]));
    expect(result.warnings).toEqual(['careful', 'really']);
  });
});

describe('patch application', () => {
  it('a patch that adds under a missing parent rejects the request even with Ignore', async () => {
    const path = route('/missing-parent', (r) => allow(r, [{ op: 'add', path: '/metadata/annotations/x', value: 'y' }]));
    const result = await dispatch(pod(), options([hook('w', path, { failurePolicy: 'Ignore' })]));
    expect(result.allowed).toBe(false);
    expect(result.rejected).toMatchObject({ webhook: 'w', cause: 'internal', code: 500 });
    expect(result.rejected!.reason).toMatch(/^Internal error occurred: patch operation 0 \(path "\/metadata\/annotations\/x"\)/);
    expect(result.failedOpen).toEqual([]);
  });

  it('an out-of-range index rejects the request', async () => {
    const path = route('/bad-index', (r) => allow(r, [{ op: 'add', path: '/spec/containers/5', value: { name: 'x', image: 'x' } }]));
    const result = await dispatch(pod(), options([hook('w', path)]));
    expect(result.rejected).toMatchObject({ cause: 'internal', code: 500 });
    expect(result.rejected!.reason).toContain('out of bounds');
  });

  it('a patch that leaves an invalid Pod is refused by validation (422)', async () => {
    const path = route('/invalid-env', (r) => allow(r, [{ op: 'add', path: '/spec/containers/0/env', value: [{ name: '', value: 'x' }] }]));
    const result = await dispatch(pod(), options([hook('w', path)]));
    expect(result.calls[0]!.changed).toBe(true);
    expect(result.rejected).toEqual({ cause: 'invalid', code: 422, reason: 'Pod "web" is invalid: spec.containers[0].env[0].name: Required value' });
  });
});

describe('unreachable and slow webhooks', () => {
  it('a refused connection: ignored under Ignore, 500 under Fail', async () => {
    const url = `https://127.0.0.1:${await closedPort()}/injectconfig`;
    const ignored = await dispatch(pod(), options([{ name: 'gone', url, caBundle: pki.caPem, failurePolicy: 'Ignore' }]));
    expect(ignored.allowed).toBe(true);
    expect(ignored.failedOpen[0]!.error).toMatch(/: dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/);
    const failed = await dispatch(pod(), options([{ name: 'gone', url, caBundle: pki.caPem, failurePolicy: 'Fail' }]));
    expect(failed.rejected).toMatchObject({ webhook: 'gone', cause: 'call-error', code: 500 });
    expect(failed.rejected!.reason).toMatch(/: dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/);
  });

  it('an answer later than timeoutSeconds: ignored under Ignore, 500 under Fail', async () => {
    const path = route('/slow', (r) => ({ ...allow(r, [{ op: 'add', path: '/metadata/annotations', value: { slow: 'yes' } }]), delayMs: 2000 }));
    const slow = (failurePolicy: 'Ignore' | 'Fail') => dispatch(pod(), options([hook('slow', path, { timeoutSeconds: 1, failurePolicy })]));
    const [ignored, failed] = await Promise.all([slow('Ignore'), slow('Fail')]);
    expect(stub.requestsTo(path).at(-1)!.url).toBe(`${path}?timeout=1s`);
    expect(ignored.allowed).toBe(true);
    expect(ignored.pod.metadata?.annotations).toBeUndefined();
    expect(ignored.failedOpen[0]!.error).toMatch(/: context deadline exceeded$/);
    expect(ignored.calls[0]!.durationMs).toBeGreaterThanOrEqual(950);
    expect(ignored.calls[0]!.durationMs).toBeLessThan(1900);
    expect(failed.rejected).toMatchObject({ webhook: 'slow', cause: 'call-error', code: 500 });
    expect(failed.rejected!.reason).toMatch(/context deadline exceeded/);
  });
});

describe('AdmissionReview v1beta1', () => {
  it('uses the first supported version of admissionReviewVersions and round-trips a v1beta1 review', async () => {
    const result = await dispatch(pod(), options([hook('config', '/injectconfig', { admissionReviewVersions: ['v2', 'v1beta1', 'v1'] })]));
    const body = JSON.parse(stub.requestsTo('/injectconfig').at(-1)!.body) as AdmissionReviewBody;
    expect(body.apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(result.calls[0]).toMatchObject({ version: 'v1beta1', status: 200, changed: true });
    expect(envNames(result.pod)).toEqual(['DD_ENTITY_ID', 'DD_AGENT_HOST']);
  });

  it('v1beta1 answers are not checked for uid or patchType, as in the API server, unless asked', async () => {
    const path = route('/beta-lax', () => ({
      json: { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', response: { uid: 'whatever', allowed: true, patch: Buffer.from('[{"op":"add","path":"/metadata/annotations","value":{"a":"b"}}]').toString('base64') } },
    }));
    const beta = { admissionReviewVersions: ['v1beta1'] };
    const lax = await dispatch(pod(), options([hook('w', path, beta)]));
    expect(lax.allowed).toBe(true);
    expect(lax.pod.metadata?.annotations).toEqual({ a: 'b' });

    const strict = await dispatch(pod(), options([hook('w', path, beta)], { strictV1beta1Responses: true }));
    expect(strict.pod.metadata?.annotations).toBeUndefined();
    expect(strict.failedOpen[0]!.error).toContain('expected response.uid="uid-1", got "whatever"');
  });
});

/** A stub that adds annotation `key` when absent (idempotent), or on every call with a fresh value. */
function annotator(key: string, mode: 'once' | 'always'): (r: AdmissionReviewBody) => ReturnType<typeof allow> {
  let n = 0;
  return (r) => {
    const annotations = r.request.object.metadata?.annotations;
    if (mode === 'once' && annotations?.[key] !== undefined) return allow(r, []);
    n += 1;
    if (!annotations) return allow(r, [{ op: 'add', path: '/metadata/annotations', value: { [key]: String(n) } }]);
    return allow(r, [{ op: 'add', path: `/metadata/annotations/${key}`, value: String(n) }]);
  };
}

describe('reinvocation', () => {
  it('calls an earlier IfNeeded webhook once more after a later webhook changed the object', async () => {
    const a = route('/reinvoke-a', annotator('a', 'once'));
    const b = route('/reinvoke-b', annotator('b', 'once'));
    const result = await dispatch(pod(), options([hook('a', a, { reinvocationPolicy: 'IfNeeded' }), hook('b', b, { reinvocationPolicy: 'IfNeeded' })], { checkReinvocationIdempotent: true }));
    expect(result.calls.map((c) => [c.webhook, c.reinvocation, c.changed])).toEqual([
      ['a', false, true],
      ['b', false, true],
      // b is not due: nothing changed the object after it.
      ['a', true, false],
    ]);
    expect(result.reinvoked).toBe(true);
    expect(result.idempotenceFailures).toEqual([]);
    expect(result.pod.metadata?.annotations).toEqual({ a: '1', b: '1' });
  });

  it('never reinvokes a Never webhook, nor one for its own change only', async () => {
    const a = route('/never-a', annotator('a', 'once'));
    const b = route('/never-b', annotator('b', 'once'));
    const never = await dispatch(pod(), options([hook('a', a, { reinvocationPolicy: 'Never' }), hook('b', b)]));
    expect(never.calls.map((c) => c.webhook)).toEqual(['a', 'b']);
    const ownChange = await dispatch(pod(), options([hook('a', a, { reinvocationPolicy: 'IfNeeded' }), hook('b', route('/noop', (r) => allow(r)))]));
    expect(ownChange.calls.map((c) => c.webhook)).toEqual(['a', 'b']);
  });

  it('reinvokes at most once, and the idempotence check flags a webhook that changes the pod every time', async () => {
    const flaky = route('/always-changes', annotator('n', 'always'));
    const later = route('/later', annotator('later', 'always'));
    const result = await dispatch(pod(), options([hook('flaky', flaky, { reinvocationPolicy: 'IfNeeded' }), hook('later', later)], { checkReinvocationIdempotent: true }));
    expect(result.calls.map((c) => [c.webhook, c.reinvocation])).toEqual([
      ['flaky', false],
      ['later', false],
      ['flaky', true],
    ]);
    expect(result.idempotenceFailures).toHaveLength(1);
    expect(result.idempotenceFailures[0]).toMatchObject({ webhook: 'flaky', patch: [{ op: 'add', path: '/metadata/annotations/n', value: '2' }] });
    expect(result.idempotenceFailures[0]!.before.metadata?.annotations).toEqual({ n: '1', later: '1' });
    expect(result.pod.metadata?.annotations).toEqual({ n: '2', later: '1' });
  });

  it('webhooks §7: the reinvoked config webhook injects into an init container a later webhook added', async () => {
    const addInit = route('/add-init', (r) =>
      r.request.object.spec?.initContainers ? allow(r, []) : allow(r, [{ op: 'add', path: '/spec/initContainers', value: [{ name: 'datadog-lib-java-init', image: 'lib:1' }] }]),
    );
    const result = await dispatch(pod(), options([hook('config', '/injectconfig', { reinvocationPolicy: 'IfNeeded' }), hook('lib', addInit)], { checkReinvocationIdempotent: true }));
    expect(result.calls.map((c) => [c.webhook, c.reinvocation, c.changed])).toEqual([
      ['config', false, true],
      ['lib', false, true],
      ['config', true, true],
    ]);
    expect(envNames(result.pod, 'datadog-lib-java-init')).toEqual(['DD_ENTITY_ID', 'DD_AGENT_HOST']);
    expect(envNames(result.pod, 'app')).toEqual(['DD_ENTITY_ID', 'DD_AGENT_HOST']);
    // The strict check reports this documented, intended second change.
    expect(result.idempotenceFailures.map((f) => f.webhook)).toEqual(['config']);
  });
});

describe('selectors', () => {
  it('skips a webhook whose objectSelector does not match the pod', async () => {
    const selector = { objectSelector: { matchLabels: { 'admission.datadoghq.com/enabled': 'true' } } };
    const skipped = await dispatch(pod({ app: 'web' }), options([hook('config', '/injectconfig', selector)]));
    expect(skipped.calls).toEqual([]);
    expect(skipped.allowed).toBe(true);
    const called = await dispatch(pod(), options([hook('config', '/injectconfig', selector)]));
    expect(called.calls).toHaveLength(1);
  });

  it('matches namespaceSelector against the namespace labels, kubernetes.io/metadata.name included', async () => {
    const selector = { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn' as const, values: ['kube-system'] }] } };
    const system = await dispatch(pod(), options([hook('config', '/injectconfig', selector)], { namespace: 'kube-system' }));
    expect(system.calls).toEqual([]);
    const aks = { namespaceSelector: { matchExpressions: [{ key: 'control-plane', operator: 'DoesNotExist' as const }] } };
    const controlPlane = await dispatch(pod(), options([hook('config', '/injectconfig', aks)], { namespaceLabels: { 'control-plane': 'true' } }));
    expect(controlPlane.calls).toEqual([]);
    const shop = await dispatch(pod(), options([hook('config', '/injectconfig', selector)]));
    expect(shop.calls).toHaveLength(1);
  });
});
