import { randomUUID } from 'node:crypto';
import { matchesSelector, type Pod } from '@dd-admission/core';
import type { UserInfo } from '../arbitraries/review.js';
import { validatePod } from '../pod-validation.js';
import { toJson } from '../strict-patch.js';
import { createWebhookClients, type WebhookClients } from './clients.js';
import { WebhookCallError, WebhookDeniedError } from './errors.js';
import { invokeWebhook, type CallOutcome, type CallRecord, type InvocationContext } from './invoke.js';
import { parseWebhookRegistrations, type Webhook, type WebhookRegistration } from './registration.js';
import { isCalledInRound, recordInvocation, startReinvocation, type ReinvocationState } from './reinvocation.js';
import { defaultUserInfo } from './review-request.js';
import { POD_TARGET, rulesMatch, targetApiVersion, type AdmissionTarget } from './rules.js';

// kube-apiserver's mutating webhook dispatcher for a CREATE, of a pod unless told
// otherwise (k8s.io/apiserver .../webhook/mutating/dispatcher.go), over real HTTPS:
// webhooks in order, each given the object as the previous ones left it, skipped
// when its rules or a selector do not match; a call error is ignored (failurePolicy Ignore,
// recorded as the API server's failed-open audit annotation) or fails the request
// (Fail); a denial, a patch that does not apply, or an unsupported dry run fails the
// request whatever the policy; then one reinvocation round when needed, and the
// API server's validation of the resulting Pod (other kinds are not validated).

/** How the request is made. */
export interface DispatchOptions {
  /** The request namespace (the pod's own namespace must be empty or equal). */
  namespace: string;
  webhooks: readonly WebhookRegistration[];
  /** Only CREATE is dispatched: the cluster agent's webhooks are registered for nothing else. */
  operation?: 'CREATE';
  /** What is created; default a v1 Pod. */
  target?: AdmissionTarget;
  /** The deadline of one call from its webhook's timeoutSeconds; default a timer of that many seconds. */
  deadline?: (timeoutSeconds: number) => AbortSignal;
  dryRun?: boolean;
  /** Labels of the namespace, for namespaceSelector (`kubernetes.io/metadata.name` is added, as the API server does). */
  namespaceLabels?: Readonly<Record<string, string>>;
  userInfo?: UserInfo;
  /** Request uid generator (default: random UUIDs); a new uid per call, as in the API server. */
  uid?: () => string;
  /** Keep-alive clients to reuse across dispatches; default: fresh ones, closed at the end. */
  clients?: WebhookClients;
  /** Records every reinvocation whose answer changes the object in `idempotenceFailures`. */
  checkReinvocationIdempotent?: boolean;
  /** Checks uid, apiVersion/kind and patchType of v1beta1 answers as for v1 (the API server does not). */
  strictV1beta1Responses?: boolean;
}

/** Why the request failed. */
export type RejectionCause = 'request' | 'denied' | 'call-error' | 'internal' | 'invalid';

/** A failed request: the HTTP code and message the API server would return. */
export interface Rejection {
  /** The webhook at fault; absent for request and validation errors. */
  webhook?: string;
  cause: RejectionCause;
  code: number;
  reason: string;
}

/** A patch that applied to the object. */
export interface WebhookPatch {
  webhook: string;
  reinvocation: boolean;
  patch: unknown[];
}

/** A call error ignored under failurePolicy Ignore, with the audit annotation the API server would add. */
export interface FailedOpen {
  webhook: string;
  reinvocation: boolean;
  error: string;
  annotation: string;
}

/** A reinvocation whose answer changed the object. */
export interface IdempotenceFailure {
  webhook: string;
  patch: unknown[];
  before: Pod;
  after: Pod;
}

/** Everything the dispatch did. */
export interface DispatchResult {
  allowed: boolean;
  rejected?: Rejection;
  /** The object as it would be stored (on rejection: as it was when the request failed). */
  pod: Pod;
  patches: WebhookPatch[];
  /** Warnings from the webhooks' answers, deduplicated as the API server's warning recorder does. */
  warnings: string[];
  failedOpen: FailedOpen[];
  calls: CallRecord[];
  /** Whether the second round ran. */
  reinvoked: boolean;
  idempotenceFailures: IdempotenceFailure[];
}

/** Per-dispatch settings every round reads. */
interface Settings {
  webhooks: Webhook[];
  namespaceLabels: Readonly<Record<string, string>>;
  checkIdempotent: boolean;
  context: Omit<InvocationContext, 'reinvocation'>;
}

/** Sends `pod` through `options.webhooks` as kube-apiserver would on a CREATE. */
export async function dispatch(pod: Pod, options: DispatchOptions): Promise<DispatchResult> {
  const webhooks = parseWebhookRegistrations(options.webhooks);
  const clients = options.clients ?? createWebhookClients();
  try {
    return await run(pod, settingsFor(webhooks, options, clients));
  } finally {
    if (!options.clients) await clients.close();
  }
}

function settingsFor(webhooks: Webhook[], options: DispatchOptions, clients: WebhookClients): Settings {
  return {
    webhooks,
    // Every namespace carries this label, set by the API server itself (Kubernetes 1.22+).
    namespaceLabels: { ...options.namespaceLabels, 'kubernetes.io/metadata.name': options.namespace },
    checkIdempotent: options.checkReinvocationIdempotent ?? false,
    context: {
      namespace: options.namespace,
      dryRun: options.dryRun ?? false,
      userInfo: options.userInfo ?? defaultUserInfo(),
      uid: options.uid ?? randomUUID,
      clients,
      strictV1beta1: options.strictV1beta1Responses ?? false,
      target: options.target ?? POD_TARGET,
      deadline: options.deadline ?? ((seconds) => AbortSignal.timeout(seconds * 1000)),
    },
  };
}

async function run(input: Pod, settings: Settings): Promise<DispatchResult> {
  const prepared = prepareObject(input, settings.context.namespace, settings.context.target);
  const result = emptyResult(prepared.pod);
  if (prepared.rejected) return reject(result, prepared.rejected);
  const state = startReinvocation();
  await runRound(result, settings, state, false);
  if (result.rejected) return result;
  if (state.shouldReinvoke) {
    result.reinvoked = true;
    await runRound(result, settings, state, true);
    if (result.rejected) return result;
  }
  const invalid = settings.context.target.kind === 'Pod' ? validationRejection(result.pod) : undefined;
  return invalid ? reject(result, invalid) : result;
}

function emptyResult(pod: Pod): DispatchResult {
  return { allowed: true, pod, patches: [], warnings: [], failedOpen: [], calls: [], reinvoked: false, idempotenceFailures: [] };
}

function reject(result: DispatchResult, rejection: Rejection): DispatchResult {
  result.allowed = false;
  result.rejected = rejection;
  return result;
}

/**
 * The object as the API server hands it to admission: a deep copy, typed as the target
 * (v1/Pod), with the request namespace filled in (EnsureObjectNamespaceMatchesRequestNamespace).
 */
function prepareObject(input: Pod, namespace: string, target: AdmissionTarget): { pod: Pod; rejected?: Rejection } {
  const pod = toJson(input, 'pod') as Pod;
  const bad = (reason: string) => ({ pod, rejected: { cause: 'request' as const, code: 400, reason } });
  const apiVersion = targetApiVersion(target);
  if ((pod.apiVersion ?? apiVersion) !== apiVersion || (pod.kind ?? target.kind) !== target.kind) {
    return bad(`the object is ${String(pod.apiVersion)}, Kind=${String(pod.kind)}, not ${apiVersion}, Kind=${target.kind}`);
  }
  const own = pod.metadata?.namespace;
  if (own && own !== namespace) return bad('the namespace of the provided object does not match the namespace sent on the request');
  return { pod: { apiVersion, kind: target.kind, ...pod, metadata: { ...pod.metadata, namespace } } };
}

async function runRound(result: DispatchResult, settings: Settings, state: ReinvocationState, reinvocation: boolean): Promise<void> {
  for (const [index, webhook] of settings.webhooks.entries()) {
    if (!rulesMatch(webhook.rules, settings.context.target)) continue;
    if (!selectorsMatch(webhook, result.pod, settings.namespaceLabels)) continue;
    if (!isCalledInRound(state, index, reinvocation)) continue;
    const before = result.pod;
    const outcome = await invokeWebhook(webhook, before, { ...settings.context, reinvocation });
    absorb(result, outcome);
    if (reinvocation && outcome.changed && settings.checkIdempotent) {
      result.idempotenceFailures.push({ webhook: webhook.name, patch: outcome.patch ?? [], before, after: outcome.pod });
    }
    recordInvocation(state, index, outcome.changed, webhook.reinvocationPolicy === 'IfNeeded');
    if (outcome.error) handleError(result, webhook, outcome, index, reinvocation);
    if (result.rejected) return;
  }
}

/** ShouldCallHook's selector part: objectSelector on the object's labels, namespaceSelector on the namespace's. */
function selectorsMatch(webhook: Webhook, pod: Pod, namespaceLabels: Readonly<Record<string, string>>): boolean {
  return matchesSelector(webhook.objectSelector, pod.metadata?.labels ?? {}) && matchesSelector(webhook.namespaceSelector, namespaceLabels);
}

function absorb(result: DispatchResult, outcome: CallOutcome): void {
  result.calls.push(outcome.record);
  for (const w of outcome.warnings) if (!result.warnings.includes(w)) result.warnings.push(w);
  if (!outcome.patch) return;
  result.patches.push({ webhook: outcome.record.webhook, reinvocation: outcome.record.reinvocation, patch: outcome.patch });
  result.pod = outcome.pod;
}

function handleError(result: DispatchResult, webhook: Webhook, outcome: CallOutcome, index: number, reinvocation: boolean): void {
  const error = outcome.error!;
  if (error instanceof WebhookCallError && webhook.failurePolicy === 'Ignore') {
    const annotation = `failed-open.mutation.webhook.admission.k8s.io/round_${reinvocation ? 1 : 0}_index_${index}`;
    result.failedOpen.push({ webhook: webhook.name, reinvocation, error: error.message, annotation });
    return;
  }
  reject(result, rejectionFor(webhook.name, error));
}

function rejectionFor(webhook: string, error: NonNullable<CallOutcome['error']>): Rejection {
  if (error instanceof WebhookCallError) return { webhook, cause: 'call-error', code: 500, reason: `Internal error occurred: ${error.message}` };
  if (error instanceof WebhookDeniedError) return { webhook, cause: 'denied', code: error.code, reason: error.message };
  return { webhook, cause: 'internal', code: error.code, reason: error.message };
}

/** The API server's validation of the object once mutating admission is done (422 Invalid). */
function validationRejection(pod: Pod): Rejection | undefined {
  const errors = validatePod(pod);
  if (errors.length === 0) return undefined;
  const name = pod.metadata?.name ?? pod.metadata?.generateName ?? '';
  const list = errors.map((e) => `${e.path}: ${e.message}`);
  const detail = list.length === 1 ? list[0]! : `[${list.join(', ')}]`;
  return { cause: 'invalid', code: 422, reason: `Pod ${JSON.stringify(name)} is invalid: ${detail}` };
}
