import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AdmissionReviewBody } from '@dd-admission/testing';
import type { TestPki } from './pki.js';

// A small HTTPS webhook for the dispatcher and load tests: one handler per path,
// every request recorded. Handlers answer with a JSON value (or raw text), an
// optional status and an optional delay.

/** A request as the stub received it. */
export interface StubRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What a handler answers. */
export interface StubAnswer {
  status?: number;
  /** Serialized as JSON unless `raw` is given. */
  json?: unknown;
  raw?: string;
  delayMs?: number;
}

/** Answers one request; `review` is the parsed body (the dispatcher always sends an AdmissionReview). */
export type StubHandler = (review: AdmissionReviewBody, request: StubRequest) => StubAnswer | Promise<StubAnswer>;

/** A running stub. */
export interface StubWebhook {
  /** https://127.0.0.1:<port><path> */
  url(path: string): string;
  route(path: string, handler: StubHandler): void;
  /** Requests received on `path` (query string ignored), oldest first. */
  requestsTo(path: string): StubRequest[];
  /** TLS connections accepted so far (keep-alive clients reuse them). */
  connections(): number;
  close(): Promise<void>;
}

/** Starts a stub on an ephemeral port of 127.0.0.1 with the PKI's server certificate. */
export async function startStubWebhook(pki: TestPki): Promise<StubWebhook> {
  const routes = new Map<string, StubHandler>();
  const requests: StubRequest[] = [];
  const server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: StubRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      void answer(routes, request)
        .catch((e: Error) => ({ status: 500, text: e.message }))
        .then(({ status, text }) => {
          if (res.destroyed) return;
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(text);
        });
    });
  });
  let connections = 0;
  server.on('secureConnection', () => void (connections += 1));
  const port = await listen(server);
  return {
    url: (path) => `https://127.0.0.1:${port}${path}`,
    route: (path, handler) => void routes.set(path, handler),
    requestsTo: (path) => requests.filter((r) => r.url.split('?')[0] === path),
    connections: () => connections,
    close: () => close(server),
  };
}

async function answer(routes: Map<string, StubHandler>, request: StubRequest): Promise<{ status: number; text: string }> {
  const handler = routes.get(request.url.split('?')[0]!);
  if (!handler) return { status: 404, text: '404 page not found\n' };
  const out = await handler(JSON.parse(request.body) as AdmissionReviewBody, request);
  if (out.delayMs) await sleep(out.delayMs);
  return { status: out.status ?? 200, text: out.raw ?? JSON.stringify(out.json ?? null) };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const probe = createNetServer();
  const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as AddressInfo).port)));
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** An allowing v1/v1beta1 answer to `review`, with `ops` as its JSONPatch when given. */
export function allow(review: AdmissionReviewBody, ops?: unknown[], extra: Record<string, unknown> = {}): StubAnswer {
  const patch = ops ? { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') } : {};
  return { json: { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true, ...patch, ...extra } } };
}
