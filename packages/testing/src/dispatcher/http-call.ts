import type { Dispatcher } from 'undici';
import { WebhookCallError } from './errors.js';

// The HTTP exchange of one webhook call, as client-go's REST client makes it for
// the API server: POST, `Content-Type: application/json`, a deadline covering
// connect, TLS, request and the whole response body (context.WithTimeout in the
// dispatcher). Any status outside 200..206 is an error (client-go transformResponse).

/** The answer of a webhook that responded in time. */
export interface HttpAnswer {
  status: number;
  body: string;
}

const REQUEST_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, */*',
  'user-agent': 'kube-apiserver-admission',
};

/** POSTs `body` to `url`; throws WebhookCallError on a transport error or when `timeoutMs` passes. */
export async function postReview(agent: Dispatcher, webhook: string, url: string, body: string, timeoutMs: number): Promise<HttpAnswer> {
  const target = new URL(url);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await agent.request({ origin: target.origin, path: target.pathname + target.search, method: 'POST', headers: REQUEST_HEADERS, body, signal });
    return { status: res.statusCode, body: await res.body.text() };
  } catch (e) {
    // The signal is ours, so an aborted signal can only mean the deadline passed (Go: context deadline exceeded).
    const cause = signal.aborted ? 'context deadline exceeded' : describe(e);
    throw new WebhookCallError(webhook, `failed to call webhook: Post ${JSON.stringify(url)}: ${cause}`);
  }
}

/** True for the statuses client-go accepts as success. */
export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status <= 206;
}

/** The error of a webhook that answered with a failure status (client-go's wording for an unstructured error). */
export function statusError(webhook: string, answer: HttpAnswer): WebhookCallError {
  const snippet = answer.body.length > 200 ? `${answer.body.slice(0, 200)}...` : answer.body;
  return new WebhookCallError(webhook, `failed to call webhook: the server responded with the status code ${answer.status} (${JSON.stringify(snippet)})`);
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  const own = typeof code === 'string' && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
  // undici wraps the socket error in some paths; the cause says what really happened.
  return e.cause instanceof Error ? `${own} (${describe(e.cause)})` : own;
}
