import {
  allowReview,
  answerProbe,
  answersProbes,
  encodeReviewResponse,
  InvalidReviewError,
  isProbeObject,
  parseAdmissionReview,
  reviewWebhook,
  WEBHOOKS,
  type AdmissionConfig,
  type EntryName,
  type AdmissionReview,
  type AdmissionReviewResponse,
  type KubeObject,
  type Pod,
  type WebhookName,
  type WebhookResult,
} from '@dd-admission/core';
import type { Clock } from './clock.js';
import { DeadlineExceededError, withDeadline } from './deadline.js';
import { failureLine, injectionLines, podString, skipLine, SITES } from './log-lines.js';
import type { Logger } from './logger.js';
import type { WebhookMetrics } from './metrics.js';
import type { OwnerLookup } from './owner-lookup.js';
import { fetchPodOwners, type PodOwners } from './pod-owners.js';

/** What answering a review needs besides the review itself. */
export interface ReviewDeps {
  config: AdmissionConfig;
  logger: Logger;
  metrics: WebhookMetrics;
  ownerLookup: OwnerLookup;
  agentNamespace: string;
  /** The request clock: DD_INJECT_START_TIME of library injection. */
  clock: Clock;
  /** DD_INSTRUMENTATION_INSTALL_TIME and _ID, fixed when the server starts. */
  install: { time: string; id: string };
}

/** When the answer is due: `budgetMs` after `startedAt` (a performance.now() instant). */
export interface Deadline {
  startedAt: number;
  budgetMs: number;
}

/** A 200 with the AdmissionReview to send, or a 400 with the reason the body is no review. */
export type ReviewAnswer = { status: 200; body: string } | { status: 400; message: string };

/** The core's failure code for a missing owner object: the cue to fetch owners. */
const OWNER_MISSING = 'cannot get owner';
/** The `mutation_errors` reason of a lookup cut short by the deadline. */
const DEADLINE_EXCEEDED = 'deadline exceeded';

interface Answered {
  response: AdmissionReviewResponse;
  result: WebhookResult;
}

/**
 * Answers one AdmissionReview body for `webhook` before `deadline`. Bad input is a
 * 400; everything after a valid review fails open (allowed, no patch, a warning).
 * Since 7.78 a probe object is answered first, on every path, without any mutator.
 */
export async function answerReview(body: Buffer, webhook: EntryName, deadline: Deadline, deps: ReviewDeps): Promise<ReviewAnswer> {
  const parsed = parseReview(body, deps);
  if ('status' in parsed) return parsed;
  const { review } = parsed;
  if (answersProbes(deps.config) && isProbeObject(review.request.object)) return ok(probeAnswer(review, webhook, deps));
  if (!isPodWebhook(webhook)) return ok(allowAnswer(review, webhook, deps));
  const pod = podOf(review);
  const dryRun = review.request.dryRun === true;
  if (dryRun && deps.logger.enabled('debug')) {
    deps.logger.debug(SITES.mutate, `Dry-run request ${review.request.uid} for ${podString(pod)}: answered without side effects`);
  }
  let answered = run(review, webhook, [], deps);
  // The core decides whether owners matter (gate passed, no tag labels on the pod): only then are they fetched.
  // The tags webhook reads them, and from 7.64 so does /injectlib, which runs the tags mutator too.
  if (webhook !== 'config' && answered.result.failure?.code === OWNER_MISSING && pod) {
    const withOwners = await runWithOwners(review, webhook, pod, deadline, dryRun, deps);
    if (!withOwners) return ok(deadlineAnswer(review, webhook, deadline.budgetMs, deps));
    answered = withOwners;
  }
  record(pod, answered.result, deps);
  return ok(answered.response);
}

function isPodWebhook(webhook: EntryName): webhook is WebhookName {
  return (WEBHOOKS as readonly string[]).includes(webhook);
}

/** The probe-received answer (probe-7.78 §3.4), counted and logged. */
function probeAnswer(review: AdmissionReview, webhook: EntryName, deps: ReviewDeps): AdmissionReviewResponse {
  deps.metrics.probeAnswered();
  if (deps.logger.enabled('debug')) {
    deps.logger.debug(SITES.mutateHandler, `Answered the connectivity probe object ${objectString(review)} on the ${webhook} path: probe-received`);
  }
  return answerProbe(review);
}

/**
 * The paths that change nothing: the admission-events validator (its Datadog event is
 * not emulated) and the probe path for an object that is not a probe. Always allowed.
 */
function allowAnswer(review: AdmissionReview, webhook: EntryName, deps: ReviewDeps): AdmissionReviewResponse {
  if (webhook === 'kubernetes-admission-events') {
    deps.metrics.validation(webhook, true);
    if (deps.logger.enabled('debug')) {
      const { operation, userInfo } = review.request as { operation?: string | null; userInfo?: { username?: string } };
      deps.logger.debug(SITES.mutateHandler, `Allowed ${operation ?? ''} of ${objectString(review)} by ${userInfo?.username ?? 'unknown'} (no Datadog event is sent)`);
    }
  }
  return allowReview(review);
}

/** `<Kind> <ns>/<name>` of the request, for log lines. */
function objectString(review: AdmissionReview): string {
  const r = review.request as { kind?: { kind?: string }; namespace?: string | null; name?: string | null };
  const meta = (review.request.object as { metadata?: { name?: string; generateName?: string } } | null | undefined)?.metadata;
  const name = r.name || meta?.name || meta?.generateName || '';
  return `${r.kind?.kind ?? 'object'} ${r.namespace ? `${r.namespace}/` : ''}${name}`;
}

/** The body as an AdmissionReview, or the 400 that says why it is not one. */
function parseReview(body: Buffer, deps: ReviewDeps): { review: AdmissionReview } | ReviewAnswer {
  const decoded = decode(body);
  if ('error' in decoded) return badRequest(deps, `Could not deserialize request: ${decoded.error}`);
  try {
    return { review: parseAdmissionReview(decoded.value) };
  } catch (error) {
    if (!(error instanceof InvalidReviewError)) throw error;
    return badRequest(deps, `Could not deserialize request: ${error.message}`);
  }
}

/** Fetches the pod's owners within what is left of the deadline and runs the webhook again; undefined when time ran out. */
async function runWithOwners(review: AdmissionReview, webhook: WebhookName, pod: Pod, deadline: Deadline, dryRun: boolean, deps: ReviewDeps): Promise<Answered | undefined> {
  const namespace = review.request.namespace || pod.metadata?.namespace || '';
  const remaining = deadline.budgetMs - (performance.now() - deadline.startedAt);
  let owners: PodOwners;
  try {
    owners = await withDeadline(fetchPodOwners(pod, namespace, deps.ownerLookup, dryRun), remaining);
  } catch (error) {
    if (error instanceof DeadlineExceededError) return undefined;
    throw error;
  }
  const ownerErrors = owners.failure ? { [owners.failure.key]: owners.failure.message } : {};
  return run(review, webhook, owners.owners, deps, ownerErrors);
}

function decode(body: Buffer): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(body.toString('utf8')) };
  } catch (error) {
    return { error: `invalid JSON: ${(error as Error).message}` };
  }
}

function badRequest(deps: ReviewDeps, message: string): ReviewAnswer {
  deps.logger.warn(SITES.mutateHandler, message);
  return { status: 400, message };
}

function ok(review: AdmissionReviewResponse): ReviewAnswer {
  return { status: 200, body: encodeReviewResponse(review) };
}

/** The pod as far as log lines need it: any object (the core validates it properly). */
function podOf(review: AdmissionReview): Pod | undefined {
  const object = review.request.object;
  return typeof object === 'object' && object !== null && !Array.isArray(object) ? (object as Pod) : undefined;
}

function run(review: AdmissionReview, webhook: WebhookName, owners: KubeObject[], deps: ReviewDeps, ownerErrors: Record<string, string> = {}): Answered {
  const now = Math.floor(deps.clock.now() / 1000);
  return reviewWebhook(review, webhook, { agentNamespace: deps.agentNamespace, owners, ownerErrors, now, install: deps.install }, deps.config);
}

/** Fail open before the API server gives up on us: allowed, no patch, and a warning saying so. */
function deadlineAnswer(review: AdmissionReview, webhook: WebhookName, budgetMs: number, deps: ReviewDeps): AdmissionReviewResponse {
  const message = `the owner lookup did not finish within ${Math.round(budgetMs)} ms, before the API server's timeout`;
  deps.logger.warn(SITES.mutationResponse, `Failed to mutate: ${message}`);
  deps.metrics.mutation(webhook, { injected: false, error: DEADLINE_EXCEEDED });
  return {
    apiVersion: review.apiVersion,
    kind: 'AdmissionReview',
    response: {
      uid: review.request.uid,
      allowed: true,
      status: { message },
      warnings: [`datadog ${webhook} webhook: ${message}; pod admitted without its changes`],
    },
  };
}

/** Metrics and log lines of one webhook call. */
function record(pod: Pod | undefined, result: WebhookResult, deps: ReviewDeps): void {
  const { logger, metrics } = deps;
  metrics.mutation(result.webhook, { injected: result.patch.length > 0, ...(result.failure ? { error: result.failure.code } : {}) });
  for (const warning of result.warnings) logger.warn(SITES.mutate, warning.message);
  if (result.failure) {
    const line = failureLine(result.failure);
    logger.warn(line.site, line.message);
    return;
  }
  for (const event of result.events) {
    if (event.kind === 'initContainer' && event.name.startsWith('datadog-lib-')) metrics.libraryInjected(languageOf(event.name));
  }
  if (!logger.enabled('debug')) return;
  if (result.skip) {
    const line = skipLine(pod, result.webhook, result.skip.reason);
    logger.debug(line.site, line.message);
  }
  for (const line of injectionLines(pod, result)) logger.debug(line.site, line.message);
}

/** `datadog-lib-python-init` -> `python`. */
function languageOf(initContainer: string): string {
  const m = /^datadog-lib-(.+)-init$/.exec(initContainer);
  return m ? m[1]! : initContainer;
}
