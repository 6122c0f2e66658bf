import type { AdmissionConfig } from '../config/schema.js';
import type { AdmissionReview, AdmissionReviewResponse } from '../review/admission-review.js';
import { base64Utf8 } from '../review/base64.js';
import { hasChange } from '../versions/behaviour-changes.js';

// The webhook server's side of the connectivity probe (probe-7.78 §3.4): an
// object labelled as a probe is answered on every path, without running any
// mutator, with a patch that marks it received; the probe looks for that mark.

/** The label the probe puts on its dry-run ConfigMap. */
export const PROBE_LABEL = 'admission.datadoghq.com/probe';
/** The annotation the webhook answers a probe object with. */
export const PROBE_RECEIVED_ANNOTATION = 'admission.datadoghq.com/probe-received';

// The whole annotations map is added: the probe object has none of its own.
const PROBE_PATCH = base64Utf8(JSON.stringify([{ op: 'add', path: '/metadata/annotations', value: { [PROBE_RECEIVED_ANNOTATION]: 'true' } }]));

/** Whether the server short-circuits probe objects (Cluster Agent 7.78). */
export function answersProbes(config: AdmissionConfig): boolean {
  return hasChange(config.agentVersion, 'probe');
}

/** Whether `object` is a probe object: `metadata.labels["admission.datadoghq.com/probe"]` is exactly "true". */
export function isProbeObject(object: unknown): boolean {
  const labels = (object as { metadata?: { labels?: unknown } } | null | undefined)?.metadata?.labels;
  return typeof labels === 'object' && labels !== null && (labels as Record<string, unknown>)[PROBE_LABEL] === 'true';
}

/** The answer to a probe object: allowed, with the patch adding the probe-received annotation. */
export function answerProbe(review: AdmissionReview): AdmissionReviewResponse {
  return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true, patchType: 'JSONPatch', patch: PROBE_PATCH } };
}

/** The answer of a webhook that lets the object through unchanged (the admission-events validator, the probe path for other objects). */
export function allowReview(review: AdmissionReview): AdmissionReviewResponse {
  return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } };
}
