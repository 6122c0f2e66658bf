// Spec conformance: spec/7.78/probe-7.78.md §3.4 and webhooks-7.78.md §6: the server answers a
// probe object on any path with the probe-received patch, without running a mutator.
import { describe, expect, it } from 'vitest';
import { allowReview, answerProbe, answersProbes, isProbeObject, type AdmissionReview } from '@dd-admission/core';
import { configAt, fromBase64 } from '../helpers.js';

function review(object: unknown): AdmissionReview {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u-1', object } };
}

describe('probe short-circuit (§3.4)', () => {
  it('only the label admission.datadoghq.com/probe: "true" marks a probe object', () => {
    const labelled = (value: unknown) => ({ metadata: { labels: { 'admission.datadoghq.com/probe': value } } });
    expect(isProbeObject(labelled('true'))).toBe(true);
    expect([labelled('True'), labelled('false'), labelled(true), { metadata: { labels: {} } }, { metadata: {} }, null, 'x'].map(isProbeObject)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('the exact answer: allowed, JSONPatch adding the annotations map with probe-received: "true"', () => {
    const answer = answerProbe(review({ kind: 'ConfigMap', metadata: { generateName: 'datadog-admission-probe-', labels: { 'admission.datadoghq.com/probe': 'true' } } }));
    expect(answer).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u-1', allowed: true, patchType: 'JSONPatch', patch: expect.any(String) } });
    expect(fromBase64(answer.response.patch!)).toBe('[{"op":"add","path":"/metadata/annotations","value":{"admission.datadoghq.com/probe-received":"true"}}]');
  });

  it('allowReview lets an object through unchanged', () => {
    expect(allowReview(review({}))).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u-1', allowed: true } });
  });

  it('the short-circuit is 7.78 behaviour', () => {
    expect([answersProbes(configAt('7.49')), answersProbes(configAt('7.77')), answersProbes(configAt('7.78'))]).toEqual([false, false, true]);
  });
});
