import type { IncomingMessage } from 'node:http';
import { apiError, firstLine, KubeApiError, KubeConfigError, KubeConnectionError } from './errors.js';
import type { KubeConfig } from './kubeconfig.js';

// One HTTP call to the API server: the kubeconfig's credentials applied to each
// call (so rotated service-account tokens and exec plugins are honoured), a
// deadline per call, and every failure turned into a typed error. Calls answer
// JSON, or, for watches, a stream of JSON lines.

/** What a call needs: the configured context, the HTTP modules (loaded on connect) and the default deadline. */
export interface Connection {
  kc: KubeConfig;
  /** The API server URL of the current context. */
  server: string;
  http: typeof import('node:http');
  https: typeof import('node:https');
  timeoutMs: number;
}

/** Query parameters; undefined ones are left out. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** One request. */
export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
  /** The caller's cancellation. */
  signal?: AbortSignal;
  /** This call's deadline instead of the connection's. */
  timeoutMs?: number;
}

/** Sends a call and resolves with the JSON it answers. */
export async function callJson(c: Connection, call: ApiCall): Promise<unknown> {
  const opened = await open(c, call);
  try {
    const text = await readText(opened.response);
    try {
      return JSON.parse(text);
    } catch {
      throw new KubeConnectionError(`the API server answered ${call.method} ${call.path} with something that is not JSON`);
    }
  } catch (error) {
    throw opened.failure(error);
  } finally {
    opened.settle();
  }
}

/**
 * Sends a call and hands each JSON line of the answer to `onLine` until the server
 * ends it (a watch). The deadline covers the start of the answer only: a watch lasts
 * as long as the server keeps it open.
 */
export async function callLines(c: Connection, call: ApiCall, onLine: (value: unknown) => void): Promise<void> {
  const opened = await open(c, call);
  opened.settle();
  const { response } = opened;
  response.setEncoding('utf8');
  let pending = '';
  try {
    for await (const chunk of response) {
      const lines = (pending + (chunk as string)).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') onLine(parseLine(line));
    }
    if (pending.trim() !== '') onLine(parseLine(pending));
  } catch (error) {
    throw opened.failure(error);
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new KubeConnectionError(`the API server sent a watch line that is not JSON: ${line.slice(0, 80)}`);
  }
}

interface Opened {
  /** A 2xx answer, its body not yet read. */
  response: IncomingMessage;
  /** Ends the deadline. */
  settle(): void;
  /** The typed error for a failure while reading the body. */
  failure(error: unknown): unknown;
}

/** Sends the request and waits for a 2xx answer's head; an error answer is read and thrown as KubeApiError. */
async function open(c: Connection, call: ApiCall): Promise<Opened> {
  // Appended, not resolved: a server URL may have a path of its own (a proxy's `/k8s/clusters/<id>`).
  const url = new URL(c.server.replace(/\/+$/, '') + call.path + queryString(call.query));
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  const options = await withCredentials(c, {
    method: call.method,
    headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }) },
  });
  const timeoutMs = call.timeoutMs ?? c.timeoutMs;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, deadline.signal]) : deadline.signal;
  const failure = (error: unknown): unknown => {
    if (error instanceof KubeApiError || error instanceof KubeConfigError) return error;
    if (deadline.signal.aborted) return new KubeConnectionError(`no answer from the API server within ${timeoutMs} ms`, undefined, true);
    if (call.signal?.aborted) return call.signal.reason ?? error;
    if (error instanceof KubeConnectionError) return error;
    return connectionError(error);
  };
  try {
    const response = await send(c, url, { ...options, signal }, body);
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) throw apiError(status, await readText(response));
    return { response, settle: () => clearTimeout(timer), failure };
  } catch (error) {
    clearTimeout(timer);
    throw failure(error);
  }
}

type RequestOptions = import('node:https').RequestOptions;

/** The request options with the context's CA, client certificate and token (or basic auth, or an auth plugin's). */
async function withCredentials(c: Connection, options: RequestOptions): Promise<RequestOptions> {
  try {
    await c.kc.applyToHTTPSOptions(options);
  } catch (error) {
    throw new KubeConfigError(`cannot use the credentials of the kubeconfig context "${c.kc.getCurrentContext()}": ${firstLine((error as Error).message)}`);
  }
  return options;
}

function send(c: Connection, url: URL, options: RequestOptions, body: string | undefined): Promise<IncomingMessage> {
  const client = url.protocol === 'http:' ? c.http : c.https;
  return new Promise((resolve, reject) => {
    const request = client.request(url, options, resolve);
    request.on('error', reject);
    request.end(body);
  });
}

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  // Rejects when the connection ends before the answer does.
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A network failure as one line: the system's message, with its code when the message lacks it. */
function connectionError(error: unknown): KubeConnectionError {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = firstLine(typeof e?.message === 'string' ? e.message : String(error));
  return new KubeConnectionError(code && !message.includes(code) ? `${message} (${code})` : message, code);
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
