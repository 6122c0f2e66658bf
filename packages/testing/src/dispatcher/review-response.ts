import { z } from 'zod';
import type { ReviewVersion } from './registration.js';

// Reading a webhook's answer the way the API server does: first decoding (Go's
// typed JSON decoding: a member of the wrong type, a missing apiVersion/kind or
// bad base64 in `patch` fails the call), then VerifyAdmissionResponse
// (k8s.io/apiserver .../webhook/request/admissionreview.go). For v1 the uid and
// group/version/kind must match the request and patch/patchType come together;
// for v1beta1 the API server checks none of that ("Response GVK and response.uid
// were not verified in v1beta1 handling, allow any") and pins the patch type to
// JSONPatch. `strictV1beta1` applies the v1 rules to v1beta1 as well, for tests
// that want more than the API server asks.

// encoding/json decodes []byte with base64.StdEncoding, which skips CR/LF and requires padding.
function isStdBase64(text: string): boolean {
  const s = text.replace(/[\r\n]/g, '');
  return s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}

const statusSchema = z.looseObject({
  status: z.string().nullish(),
  message: z.string().nullish(),
  reason: z.string().nullish(),
  code: z.int().nullish(),
});

/** The `response` member of an AdmissionReview, with Go's decoding rules (null = absent). */
const admissionResponseSchema = z.looseObject({
  uid: z.string().nullish(),
  allowed: z.boolean().nullish(),
  patch: z.string().refine(isStdBase64, { error: 'illegal base64 data' }).nullish(),
  patchType: z.string().nullish(),
  warnings: z.array(z.string()).nullish(),
  status: statusSchema.nullish(),
  auditAnnotations: z.record(z.string(), z.string()).nullish(),
});

/** An AdmissionReview as a webhook answers it, before the API server's checks. */
export const admissionReviewAnswerSchema = z.looseObject({
  apiVersion: z.string({ error: "Object 'apiVersion' is missing" }).min(1, { error: "Object 'apiVersion' is missing" }),
  kind: z.string({ error: "Object 'Kind' is missing" }).min(1, { error: "Object 'Kind' is missing" }),
  response: admissionResponseSchema.nullish(),
});
export type AdmissionReviewAnswer = z.infer<typeof admissionReviewAnswerSchema>;
export type AdmissionStatus = z.infer<typeof statusSchema>;

/** The parts of a valid answer the dispatcher acts on. */
export interface VerifiedResponse {
  allowed: boolean;
  /** The decoded patch bytes; empty when the webhook sent none. */
  patch: Buffer;
  /** '' when the webhook sent no patch type. */
  patchType: string;
  warnings: string[];
  status?: AdmissionStatus;
}

/** What the answer must match. */
export interface ResponseExpectation {
  uid: string;
  version: ReviewVersion;
  strictV1beta1?: boolean;
}

/** Either the verified answer or the reason the call failed, worded as the API server words it. */
export type ResponseReading = { ok: true; value: VerifiedResponse } | { ok: false; reason: string };

const REGISTERED_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'];

/** Decodes and verifies a webhook's response body. */
export function readAdmissionResponse(body: string, expected: ResponseExpectation): ResponseReading {
  const decoded = decodeAnswer(body);
  if (typeof decoded === 'string') return { ok: false, reason: `failed to call webhook: ${decoded}` };
  const problem = verificationProblem(decoded, expected);
  if (problem) return { ok: false, reason: `received invalid webhook response: ${problem}` };
  return { ok: true, value: verified(decoded, expected) };
}

/** The typed answer, or why it does not decode. */
function decodeAnswer(body: string): AdmissionReviewAnswer | string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    return `invalid JSON in the response body: ${(e as Error).message}`;
  }
  const parsed = admissionReviewAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
  }
  const { apiVersion, kind } = parsed.data;
  if (kind !== 'AdmissionReview' || !REGISTERED_VERSIONS.includes(apiVersion)) return `no kind "${kind}" is registered for version "${apiVersion}"`;
  return parsed.data;
}

/** VerifyAdmissionResponse for a mutating webhook; undefined when the answer is acceptable. */
function verificationProblem(answer: AdmissionReviewAnswer, expected: ResponseExpectation): string | undefined {
  const response = answer.response;
  if (!response) return 'webhook response was absent';
  if (expected.version === 'v1beta1' && !expected.strictV1beta1) return undefined;
  const uid = response.uid ?? '';
  if (uid !== expected.uid) return `expected response.uid=${JSON.stringify(expected.uid)}, got ${JSON.stringify(uid)}`;
  const want = `admission.k8s.io/${expected.version}`;
  if (answer.apiVersion !== want) return `expected webhook response of ${want}, Kind=AdmissionReview, got ${answer.apiVersion}, Kind=${answer.kind}`;
  const hasPatch = (response.patch ?? '') !== '';
  const hasPatchType = response.patchType !== undefined && response.patchType !== null;
  if (hasPatch && !hasPatchType) return 'webhook returned response.patch but not response.patchType';
  if (!hasPatch && hasPatchType) return 'webhook returned response.patchType but not response.patch';
  if (hasPatchType && response.patchType === '') return 'webhook returned invalid response.patchType of ""';
  return undefined;
}

function verified(answer: AdmissionReviewAnswer, expected: ResponseExpectation): VerifiedResponse {
  const response = answer.response!;
  const patch = Buffer.from(response.patch ?? '', 'base64');
  // v1beta1 never verified the patch type: a patch is taken as JSONPatch.
  const lenientBeta = expected.version === 'v1beta1' && !expected.strictV1beta1;
  const patchType = lenientBeta ? (patch.length > 0 ? 'JSONPatch' : '') : (response.patchType ?? '');
  return {
    allowed: response.allowed ?? false,
    patch,
    patchType,
    warnings: response.warnings ?? [],
    ...(response.status ? { status: response.status } : {}),
  };
}
