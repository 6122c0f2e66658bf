import type { Pod } from '@dd-admission/core';
import type { UserInfo } from '../arbitraries/review.js';
import { applyWebhookPatch, type PatchOutcome } from './apply-patch.js';
import { caBundlePem, CaBundleError } from './ca-bundle.js';
import type { WebhookClients } from './clients.js';
import { AdmissionInternalError, WebhookCallError, WebhookDeniedError } from './errors.js';
import { callFailure, isSuccessStatus, postReview, statusError } from './http-call.js';
import { chooseReviewVersion, type ReviewVersion, type Webhook } from './registration.js';
import { buildAdmissionReview, callUrl } from './review-request.js';
import { readAdmissionResponse, type AdmissionStatus } from './review-response.js';
import type { AdmissionTarget } from './rules.js';

// One webhook invocation (callAttrMutatingHook): dry-run check, AdmissionReview,
// client, dial (a registration may say the dial fails), HTTPS POST, response
// checks, patch. Never throws for an admission outcome: the
// error, if any, is returned with what was learnt before it happened.

/** What every call of one dispatch shares. */
export interface InvocationContext {
  namespace: string;
  dryRun: boolean;
  userInfo: UserInfo;
  uid: () => string;
  clients: WebhookClients;
  strictV1beta1: boolean;
  reinvocation: boolean;
  target: AdmissionTarget;
  /** The deadline of one call, from the webhook's timeoutSeconds. */
  deadline: (timeoutSeconds: number) => AbortSignal;
}

/** One call as it happened. */
export interface CallRecord {
  webhook: string;
  reinvocation: boolean;
  /** The request uid ('' when the call stopped before a request was built). */
  uid: string;
  version: ReviewVersion;
  /** HTTP status of the answer; absent when none arrived. */
  status?: number;
  durationMs: number;
  /** Operations in the webhook's patch (0 without one). */
  patchOps: number;
  /** Whether the patch changed the object. */
  changed: boolean;
  error?: string;
}

/** Any error a call can end with. */
export type InvocationError = WebhookCallError | WebhookDeniedError | AdmissionInternalError;

/** A call's record, its effect on the object and its error. */
export interface CallOutcome {
  record: CallRecord;
  warnings: string[];
  /** The webhook's patch, when it sent a non-empty one that applied. */
  patch?: unknown[];
  /** The object after the call (the input when nothing applied). */
  pod: Pod;
  changed: boolean;
  error?: InvocationError;
}

/** What the exchange learnt, kept even when it fails half-way. */
interface Trace {
  uid: string;
  status?: number;
  warnings: string[];
}

/** Calls `webhook` for `pod` as the API server would. */
export async function invokeWebhook(webhook: Webhook, pod: Pod, ctx: InvocationContext): Promise<CallOutcome> {
  const started = performance.now();
  const version = chooseReviewVersion(webhook);
  const trace: Trace = { uid: '', warnings: [] };
  const finish = (patch: PatchOutcome, error?: InvocationError): CallOutcome => {
    const changed = patch.applied && patch.changed;
    const record: CallRecord = {
      webhook: webhook.name,
      reinvocation: ctx.reinvocation,
      uid: trace.uid,
      version,
      ...(trace.status === undefined ? {} : { status: trace.status }),
      durationMs: performance.now() - started,
      patchOps: patch.applied ? patch.ops.length : 0,
      changed,
      ...(error ? { error: error.message } : {}),
    };
    const applied = patch.applied ? { patch: patch.ops, pod: patch.pod } : { pod };
    return { record, warnings: trace.warnings, ...applied, changed, ...(error ? { error } : {}) };
  };
  try {
    return finish(await exchange(webhook, pod, version, ctx, trace));
  } catch (e) {
    if (e instanceof WebhookCallError || e instanceof WebhookDeniedError || e instanceof AdmissionInternalError) return finish({ applied: false }, e);
    throw e;
  }
}

async function exchange(webhook: Webhook, pod: Pod, version: ReviewVersion, ctx: InvocationContext, trace: Trace): Promise<PatchOutcome> {
  checkDryRun(webhook, ctx.dryRun);
  trace.uid = ctx.uid();
  const review = buildAdmissionReview(pod, { uid: trace.uid, version, namespace: ctx.namespace, dryRun: ctx.dryRun, userInfo: ctx.userInfo, target: ctx.target });
  const agent = ctx.clients.agentFor(trustedCa(webhook));
  const url = callUrl(webhook.url, webhook.timeoutSeconds);
  if (webhook.dialError) throw callFailure(webhook.name, url, webhook.dialError);
  const target = webhook.dialAddress ? { url, dialAddress: webhook.dialAddress } : { url };
  const answer = await postReview(agent, webhook.name, target, JSON.stringify(review), ctx.deadline(webhook.timeoutSeconds));
  trace.status = answer.status;
  if (!isSuccessStatus(answer.status)) throw statusError(webhook.name, answer);
  const reading = readAdmissionResponse(answer.body, { uid: trace.uid, version, strictV1beta1: ctx.strictV1beta1 });
  if (!reading.ok) throw new WebhookCallError(webhook.name, reading.reason);
  // Warnings reach the client even when the webhook then denies the request.
  trace.warnings = reading.value.warnings;
  if (!reading.value.allowed) throw denial(webhook.name, reading.value.status);
  return applyWebhookPatch(webhook.name, pod, reading.value, ctx.target);
}

/** A webhook with side effects cannot be called for a dry run; the request fails (400) whatever the policy. */
function checkDryRun(webhook: Webhook, dryRun: boolean): void {
  if (!dryRun || webhook.sideEffects === 'None' || webhook.sideEffects === 'NoneOnDryRun') return;
  throw new AdmissionInternalError(webhook.name, `admission webhook "${webhook.name}" does not support dry run`, 400);
}

/** The CA to verify the webhook against; an unusable bundle fails the call like a client that cannot be built. */
function trustedCa(webhook: Webhook): string | undefined {
  try {
    return caBundlePem(webhook.caBundle);
  } catch (e) {
    if (e instanceof CaBundleError) throw new WebhookCallError(webhook.name, `could not get REST client: ${e.message}`);
    throw e;
  }
}

/** ToStatusErr: the rejection's code is at least 400 and its message names the webhook. */
function denial(webhook: string, status: AdmissionStatus | undefined): WebhookDeniedError {
  const deniedBy = `admission webhook "${webhook}" denied the request`;
  const code = Math.max(status?.code ?? 0, 400);
  const why = status?.message || status?.reason;
  return new WebhookDeniedError(webhook, why ? `${deniedBy}: ${why}` : `${deniedBy} without explanation`, code);
}
