import type { Dispatcher } from 'undici';
import { WebhookCallError } from './errors.js';
import { goNetError } from './net-errors.js';

// The HTTP exchange of one webhook call, as client-go's REST client makes it for
// the API server: POST, `Content-Type: application/json`, a deadline covering
// connect, TLS, request and the whole response body (context.WithTimeout in the
// dispatcher). Any status outside 200..206 is an error (client-go transformResponse).
// The deadline is a signal the caller makes: a timer of timeoutSeconds, or one a test
// fires itself to play a call that waits out its timeout without waiting.

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

/** Where one call goes: the URL the API server posts to, and the address it connects to when not the URL's host. */
export interface CallTarget {
  url: string;
  dialAddress?: string;
}

/**
 * POSTs `body` to the target; throws WebhookCallError (worded as the API server words it)
 * on a transport error or once `deadline` aborts.
 */
export async function postReview(agent: Dispatcher, webhook: string, target: CallTarget, body: string, deadline: AbortSignal): Promise<HttpAnswer> {
  const url = new URL(target.url);
  const origin = target.dialAddress ? new URL(target.dialAddress).origin : url.origin;
  // The Host header names the URL's host as written (Go keeps an explicit :443), so TLS checks
  // the certificate against it (SNI), not against the dialled address.
  const headers = target.dialAddress ? { ...REQUEST_HEADERS, host: hostOf(target.url) } : REQUEST_HEADERS;
  try {
    const exchange = async () => {
      const res = await agent.request({ origin, path: url.pathname + url.search, method: 'POST', headers, body, signal: deadline });
      return { status: res.statusCode, body: await res.body.text() };
    };
    return await untilAborted(exchange(), deadline);
  } catch (e) {
    // The deadline is the only signal, so an aborted one means it passed (Go: context deadline exceeded).
    const cause = deadline.aborted ? 'context deadline exceeded' : goNetError(e);
    throw callFailure(webhook, target.url, cause);
  }
}

/** `work`, or a rejection as soon as `signal` aborts (undici only notices an abort once its connect ends). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => {});
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/** The `host[:port]` of a URL as written. */
function hostOf(url: string): string {
  return url.slice(url.indexOf('//') + 2).split(/[/?#]/, 1)[0]!;
}

/** `failed to call webhook: Post "<url>": <cause>`, the error of a call that got no answer. */
export function callFailure(webhook: string, url: string, cause: string): WebhookCallError {
  return new WebhookCallError(webhook, `failed to call webhook: Post ${JSON.stringify(url)}: ${cause}`);
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
