import type { Base64 } from './base64.js';
import { z } from 'zod';
import { formatIssuePath } from './pod.js';
import { isObj, optBool, optString } from './shape.js';

export const REVIEW_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;

/** An AdmissionReview request as the API server sends it (v1 or v1beta1; the same shape). */
export const admissionReviewSchema = z.looseObject({
  apiVersion: z.enum(REVIEW_VERSIONS, { error: (i) => `apiVersion must be admission.k8s.io/v1 or v1beta1, got ${JSON.stringify(i.input)}` }),
  kind: z.literal('AdmissionReview', { error: 'kind must be AdmissionReview' }),
  request: z.looseObject({
    uid: z.string({ error: 'request.uid must be a string' }),
    namespace: z.string().nullish(),
    name: z.string().nullish(),
    operation: z.string().nullish(),
    dryRun: z.boolean().nullish(),
    object: z.unknown(),
  }, { error: 'the review has no request' }),
});
export type AdmissionReview = z.infer<typeof admissionReviewSchema>;

/** The AdmissionReview we answer with. */
export interface AdmissionReviewResponse {
  apiVersion: (typeof REVIEW_VERSIONS)[number];
  kind: 'AdmissionReview';
  response: {
    uid: string;
    allowed: true;
    patchType?: 'JSONPatch';
    patch?: Base64;
    status?: { message: string };
    warnings?: string[];
  };
}

/** Thrown for a body that is not an AdmissionReview request (the server answers 400). */
export class InvalidReviewError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReviewError';
  }
}

/**
 * Fast structural check equivalent to `admissionReviewSchema` on valid input (never
 * accepts what the schema rejects); the schema decides, and words the error, otherwise.
 */
export function hasReviewShape(body: unknown): body is AdmissionReview {
  if (!isObj(body) || body.kind !== 'AdmissionReview' || !(REVIEW_VERSIONS as readonly unknown[]).includes(body.apiVersion)) return false;
  const request = body.request;
  // The schema wants the `object` key present, even when its value is undefined or null.
  return isObj(request) && Object.hasOwn(request, 'object') && typeof request.uid === 'string' && optString(request.namespace) && optString(request.name) && optString(request.operation) && optBool(request.dryRun);
}

/** Validates a decoded body as an AdmissionReview request (returned as is when valid). */
export function parseAdmissionReview(body: unknown): AdmissionReview {
  if (hasReviewShape(body)) return body;
  const parsed = admissionReviewSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = formatIssuePath(issue.path);
  throw new InvalidReviewError(where && !issue.message.includes(where) ? `${where}: ${issue.message}` : issue.message);
}

/**
 * The answer as JSON text, equal to `JSON.stringify(answer)` with the patch last. The
 * base64 patch (often larger than the pod) is spliced in rather than scanned for
 * characters to escape, which base64 never holds (its type says it is base64): that
 * scan would cost more than the rest of the answer.
 */
export function encodeReviewResponse(answer: AdmissionReviewResponse): string {
  const { patch, ...rest } = answer.response;
  if (patch === undefined) return JSON.stringify(answer);
  const head = JSON.stringify({ apiVersion: answer.apiVersion, kind: answer.kind, response: rest });
  return `${head.slice(0, -2)},"patch":"${patch}"}}`;
}
