import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntryName } from '@dd-admission/core';
import { BodyReadError, BodyTooLargeError, declaresTooLarge, discardThenClose, readBody } from './body.js';
import { answerBudgetMs } from './deadline.js';
import { SITES } from './log-lines.js';
import { sendBody, sendText } from './respond.js';
import type { RequestTarget } from './server.js';
import { answerReview, type ReviewDeps } from './review-handler.js';

const JSON_CONTENT_TYPE = 'application/json';

/** What a webhook path needs besides the request. */
export interface WebhookRouteDeps extends ReviewDeps {
  maxBodyBytes: number;
}

/** A request refused before its body is read. */
interface Refusal {
  status: number;
  message: string;
  log: string;
  headers?: Record<string, string>;
}

/**
 * Serves one webhook path: method and content type checks (the agent's order and
 * messages), the size-limited body, then the review, answered before the
 * API server's `timeout` query parameter runs out.
 */
export async function handleWebhookRequest(req: IncomingMessage, res: ServerResponse, webhook: EntryName, url: RequestTarget, deps: WebhookRouteDeps): Promise<void> {
  const startedAt = performance.now();
  deps.metrics.received(webhook);
  try {
    await serve(req, res, webhook, url, startedAt, deps);
  } finally {
    // Observed once the answer is handed to the socket, as the agent does after writing it.
    deps.metrics.observeDuration(webhook, (performance.now() - startedAt) / 1000);
  }
}

async function serve(req: IncomingMessage, res: ServerResponse, webhook: EntryName, url: RequestTarget, startedAt: number, deps: WebhookRouteDeps): Promise<void> {
  const { logger, metrics } = deps;
  if (logger.enabled('trace')) logger.trace(SITES.mutateHandler, `Handling ${req.method ?? ''} ${url.pathname} from ${req.socket.remoteAddress ?? 'unknown'}`);

  const refusal = refuse(req);
  if (refusal) {
    logger.warn(SITES.mutateHandler, refusal.log);
    metrics.rejected(webhook, refusal.status);
    return sendText(res, refusal.status, refusal.message, refusal.headers);
  }
  const body = await receive(req, res, webhook, deps);
  if (!body) return;
  const budgetMs = answerBudgetMs(url.searchParams.get('timeout'), deps.config.admission_controller.timeout_seconds);
  const answer = await answerReview(body, webhook, { startedAt, budgetMs }, deps);
  if (answer.status === 400) {
    metrics.rejected(webhook, 400);
    return sendText(res, 400, answer.message);
  }
  sendBody(res, 200, JSON_CONTENT_TYPE, answer.body);
}

function refuse(req: IncomingMessage): Refusal | undefined {
  const method = req.method ?? '';
  if (method !== 'POST') {
    return { status: 405, message: `method ${method} not allowed, only POST`, log: `Invalid method ${method}, only POST requests are allowed`, headers: { Allow: 'POST' } };
  }
  const contentType = req.headers['content-type'] ?? '';
  if (contentType !== JSON_CONTENT_TYPE) {
    // Exactly, as the agent compares it: `application/json; charset=utf-8` is refused too.
    const message = `Unsupported content type ${contentType}, only ${JSON_CONTENT_TYPE} is supported`;
    return { status: 400, message, log: message };
  }
  return undefined;
}

/** The body, or undefined when the request was answered (413, 400) or the client went away. */
async function receive(req: IncomingMessage, res: ServerResponse, webhook: EntryName, deps: WebhookRouteDeps): Promise<Buffer | undefined> {
  if (declaresTooLarge(req, deps.maxBodyBytes)) return tooLarge(req, res, webhook, deps);
  try {
    return await readBody(req, deps.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return tooLarge(req, res, webhook, deps);
    if (!(error instanceof BodyReadError)) throw error;
    deps.logger.debug(SITES.mutateHandler, `Could not read request body: ${error.message}`);
    deps.metrics.rejected(webhook, 400);
    if (!req.socket.destroyed) sendText(res, 400, error.message);
    return undefined;
  }
}

function tooLarge(req: IncomingMessage, res: ServerResponse, webhook: EntryName, deps: WebhookRouteDeps): undefined {
  deps.logger.warn(SITES.mutateHandler, `Request body larger than ${deps.maxBodyBytes} bytes, refused`);
  deps.metrics.rejected(webhook, 413);
  sendText(res, 413, `request body larger than ${deps.maxBodyBytes} bytes`, { Connection: 'close' });
  discardThenClose(req, deps.maxBodyBytes, 1_000);
  return undefined;
}
