// Spec conformance: spec/webhooks.md §6 (decoding, response content) and §6.1 (fail open).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admissionReviewSchema, encodeReviewResponse, hasReviewShape, InvalidReviewError, parseAdmissionReview, reviewWebhook, base64Utf8, type AdmissionReview } from '@dd-admission/core';
import { admissionReviewArbitrary, libraryScenarioArbitrary, oneFaultArbitrary, podArbitrary, scenarioArbitrary, versionedConfigArbitrary } from '@dd-admission/testing';
import { config, makePod, OPT_IN, fromBase64, applyPatch, hostIpEnv, entityIdEnv } from '../helpers.js';

function review(object: unknown, apiVersion = 'admission.k8s.io/v1', namespace = 'shop'): AdmissionReview {
  return parseAdmissionReview({ apiVersion, kind: 'AdmissionReview', request: { uid: 'req-42', namespace, operation: 'CREATE', object } });
}

describe('webhooks §6 decoding', () => {
  it('accepts admission.k8s.io/v1 and v1beta1 AdmissionReview', () => {
    for (const v of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']) {
      expect(review(makePod(), v).apiVersion).toBe(v);
    }
  });

  it('any other group/version/kind is rejected (the server answers 400)', () => {
    const pod = makePod();
    for (const body of [
      { apiVersion: 'admission.k8s.io/v2', kind: 'AdmissionReview', request: { uid: 'u', object: pod } },
      { apiVersion: 'v1', kind: 'AdmissionReview', request: { uid: 'u', object: pod } },
      { apiVersion: 'admission.k8s.io/v1', kind: 'Pod', request: { uid: 'u', object: pod } },
      { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' },
      'not an object',
      null,
    ]) {
      expect(() => parseAdmissionReview(body), JSON.stringify(body)).toThrow();
    }
  });
});

// hasReviewShape is a fast path in front of admissionReviewSchema: it may say "no"
// where the schema says "yes" (the schema then decides), never the opposite, and
// what it lets through is what the schema would have returned.
describe('hasReviewShape', () => {
  // Valid reviews with one fault in the envelope (depth 1-2: apiVersion, kind,
  // request and its fields); the pod inside is request.object, not the review's to check.
  const reviews = oneFaultArbitrary(admissionReviewArbitrary(podArbitrary({ maxContainers: 1, maxInitContainers: 0 })), { maxDepth: 2 });
  const runs = 3000;

  it('never accepts what the schema rejects, and keeps the body as the schema would', () => {
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(reviews, ({ doc, fault }) => {
        const fast = hasReviewShape(doc);
        seen[fast ? 'accepted' : 'rejected']++;
        if (fault.kind === 'none') expect(fast, 'a valid review takes the fast path').toBe(true);
        const parsed = admissionReviewSchema.safeParse(doc);
        if (fast) expect(parsed.success).toBe(true);
        if (parsed.success) expect(parseAdmissionReview(doc)).toEqual(parsed.data);
        else expect(() => parseAdmissionReview(doc)).toThrow(InvalidReviewError);
      }),
      { numRuns: runs },
    );
    // The property says little unless both answers are common.
    expect(seen.accepted).toBeGreaterThan(runs * 0.2);
    expect(seen.rejected).toBeGreaterThan(runs * 0.2);
  });

  it("lets a well-formed review through uncopied; a malformed one still gets the schema's message", () => {
    const ok = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', namespace: 'ns', dryRun: false, object: makePod() } };
    expect(hasReviewShape(ok)).toBe(true);
    expect(parseAdmissionReview(ok)).toBe(ok);
    const bad = { ...ok, request: { ...ok.request, uid: 7 } };
    expect(hasReviewShape(bad)).toBe(false);
    expect(() => parseAdmissionReview(bad)).toThrow('request.uid must be a string');
  });
});

describe('webhooks §6 response', () => {
  it('same apiVersion/kind as the request, response.uid copied from request.uid', () => {
    for (const v of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']) {
      const { response } = reviewWebhook(review(makePod({ labels: OPT_IN }), v), 'config', {}, config());
      expect(response.apiVersion).toBe(v);
      expect(response.kind).toBe('AdmissionReview');
      expect(response.response.uid).toBe('req-42');
    }
  });

  it('mutation succeeded: allowed true, patchType JSONPatch, patch = base64 of the RFC 6902 array', () => {
    const pod = makePod({ labels: OPT_IN });
    const { response, result } = reviewWebhook(review(pod), 'config', {}, config());
    expect(response.response.allowed).toBe(true);
    expect(response.response.patchType).toBe('JSONPatch');
    const ops = JSON.parse(fromBase64(response.response.patch!));
    expect(ops).toEqual(result.patch);
    const patched = applyPatch(pod, ops) as { spec: { containers: { env: unknown[] }[] } };
    expect(patched.spec.containers[0]!.env).toEqual([entityIdEnv, hostIpEnv]);
  });

  // webhooks §6.1 sends an empty JSONPatch; the server issue asks for patchType and patch
  // only when there is a change, which the API server treats the same way.
  it('mutation succeeded with nothing to do: allowed true, no patchType, no patch, no status', () => {
    const pod = makePod({ labels: { 'admission.datadoghq.com/enabled': 'false' } });
    const { response } = reviewWebhook(review(pod), 'config', {}, config());
    expect(response.response.allowed).toBe(true);
    expect(response.response.status).toBeUndefined();
    expect(response.response.patchType).toBeUndefined();
    expect(response.response.patch).toBeUndefined();
  });

  it('mutation failed: allowed true, no patchType, no patch, status.message = the error text', () => {
    const pod = makePod({ labels: OPT_IN });
    const { response } = reviewWebhook(review(pod), 'config', {}, config({ 'admission_controller.inject_config.mode': 'HostIP' }));
    expect(response.response.allowed).toBe(true);
    expect(response.response.patchType).toBeUndefined();
    expect(response.response.patch).toBeUndefined();
    expect(response.response.status).toEqual({ message: 'invalid injection mode "HostIP"' });
  });

  it('input to the mutation is request.object and request.namespace (tags: empty namespace error when both are empty)', () => {
    const podNoNs = makePod({ namespace: '', labels: OPT_IN, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }] });
    const owners = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop', labels: { 'tags.datadoghq.com/env': 'prod' } } }];
    const ok = reviewWebhook(review(podNoNs, 'admission.k8s.io/v1', 'shop'), 'tags', { owners }, config());
    expect(ok.result.failure).toBeUndefined();
    expect(JSON.stringify(JSON.parse(fromBase64(ok.response.response.patch!)))).toContain('DD_ENV');
    const bad = reviewWebhook(review(podNoNs, 'admission.k8s.io/v1', ''), 'tags', { owners }, config());
    expect(bad.response.response.status?.message).toBe('cannot get standard tags from parent object: empty namespace');
    expect(bad.response.response.patch).toBeUndefined();
  });

  it('request.namespace wins over a namespace the caller left in the context', () => {
    const podNoNs = makePod({ namespace: '', labels: OPT_IN, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }] });
    const owners = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop', labels: { 'tags.datadoghq.com/env': 'prod' } } }];
    const stale = { owners, namespace: 'shop' } as { owners: typeof owners };
    const bad = reviewWebhook(review(podNoNs, 'admission.k8s.io/v1', ''), 'tags', stale, config());
    expect(bad.response.response.status?.message).toBe('cannot get standard tags from parent object: empty namespace');
  });

  it('a missing pod: allowed true, no patch, an error status', () => {
    for (const w of ['config', 'tags', 'auto-instrumentation'] as const) {
      const { response } = reviewWebhook(review(null), w, {}, config());
      expect(response.response.allowed).toBe(true);
      expect(response.response.patch).toBeUndefined();
      expect(response.response.status?.message).toBeTruthy();
    }
  });

  it('patch is standard base64 of the UTF-8 JSON (non-ASCII values survive)', () => {
    expect(base64Utf8('[]')).toBe('W10=');
    expect(base64Utf8('é')).toBe(Buffer.from('é', 'utf8').toString('base64'));
    const pod = makePod({ labels: { ...OPT_IN, 'tags.datadoghq.com/service': 'café' } });
    const { response } = reviewWebhook(review(pod), 'tags', {}, config());
    expect(JSON.parse(fromBase64(response.response.patch!))[0].value).toEqual([{ name: 'DD_SERVICE', value: 'café' }]);
  });
});

describe('encodeReviewResponse', () => {
  const scenarios = fc.oneof(scenarioArbitrary(), libraryScenarioArbitrary(versionedConfigArbitrary));
  const webhooks = fc.constantFrom('config', 'tags', 'auto-instrumentation') as fc.Arbitrary<'config' | 'tags' | 'auto-instrumentation'>;
  const apiVersions = fc.constantFrom('admission.k8s.io/v1', 'admission.k8s.io/v1beta1');
  const uids = fc.string({ unit: 'grapheme', maxLength: 12 });

  it('writes the same answer JSON.stringify does, patch last, for answers with and without a patch', () => {
    let patched = 0;
    fc.assert(
      fc.property(scenarios, webhooks, apiVersions, uids, (s, webhook, apiVersion, uid) => {
        const body = parseAdmissionReview({ apiVersion, kind: 'AdmissionReview', request: { uid, namespace: s.context.namespace, object: s.pod } });
        const { response } = reviewWebhook(body, webhook, s.context, s.config);
        const text = encodeReviewResponse(response);
        expect(JSON.parse(text)).toEqual(response);
        const { patch, ...rest } = response.response;
        if (patch !== undefined) patched++;
        expect(text).toBe(JSON.stringify({ ...response, response: patch === undefined ? rest : { ...rest, patch } }));
      }),
      { numRuns: 300 },
    );
    expect(patched).toBeGreaterThan(0);
  });

  it('answers a uid that needs escaping as JSON.stringify does', () => {
    const body = review(makePod({ labels: OPT_IN }));
    body.request.uid = 'a"b\\c\u2028';
    const { response } = reviewWebhook(body, 'config', {}, config());
    expect(response.response.patch).toBeDefined();
    expect(JSON.parse(encodeReviewResponse(response)).response.uid).toBe('a"b\\c\u2028');
  });
});
