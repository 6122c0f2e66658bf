import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { hasChange, webhookPath, WEBHOOKS, type AdmissionConfig, type EntryName } from '@dd-admission/core';
import { DEFAULT_MAX_BODY_BYTES } from './body.js';
import type { Clock } from './clock.js';
import { SITES } from './log-lines.js';
import type { Logger } from './logger.js';
import type { WebhookMetrics } from './metrics.js';
import { handleOps, OPS_PATHS } from './ops-routes.js';
import type { OwnerLookup } from './owner-lookup.js';
import { sendText } from './respond.js';
import { secureContextOptions, type TlsSource } from './tls.js';
import { handleWebhookRequest, type WebhookRouteDeps } from './webhook-route.js';

export interface WebhookServerOptions {
  config: AdmissionConfig;
  tls: TlsSource;
  logger: Logger;
  metrics: WebhookMetrics;
  ownerLookup: OwnerLookup;
  clock: Clock;
  /** The namespace the server runs in (service-mode agent host). */
  agentNamespace: string;
  /** DD_INSTRUMENTATION_INSTALL_TIME and _ID for library injection; default: the start time and no id. */
  install?: { time: string; id: string };
  /** Largest accepted request body; default 3 MiB. */
  maxBodyBytes?: number;
  /** How long close() lets in-flight requests finish before cutting connections; default 10 s. */
  shutdownGraceMs?: number;
}

/** A running (or ready to run) webhook server. */
export interface WebhookServer {
  /** Starts listening; port 0 picks a free port (read it from the result). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  close(): Promise<void>;
  address(): AddressInfo | null;
}

/** Creates the HTTPS admission webhook server: the webhook paths of the agent version, health, readiness and metrics. */
export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const { config, logger, metrics, tls } = options;
  const legacyTls = config.cluster_agent.allow_legacy_tls;
  const routes = webhookRoutes(config);
  const deps: WebhookRouteDeps = {
    config,
    logger,
    metrics,
    ownerLookup: options.ownerLookup,
    agentNamespace: options.agentNamespace,
    clock: options.clock,
    install: options.install ?? { time: String(Math.floor(options.clock.now() / 1000)), id: '' },
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
  const state = { closing: false };

  const server = createServer(
    {
      ...secureContextOptions(tls.current(), legacyTls),
      // The API server waits at most 30 s for a webhook; nothing legitimate takes longer.
      requestTimeout: 30_000,
      headersTimeout: 10_000,
    },
    (req, res) => {
      // An aborted request or a broken socket emits 'error'; the handler deals with it, it must not crash us.
      req.on('error', () => {});
      res.on('error', () => {});
      // While stopping, a connection whose response just went out is idle: close it instead of keeping it alive.
      res.once('finish', () => {
        if (state.closing) setImmediate(() => server.closeIdleConnections());
      });
      route(req, res).catch((error: unknown) => internalError(req, res, error, logger));
    },
  );
  // Longer than the API server's (Go) 90 s idle timeout: the client, not us, closes an idle
  // connection, so a POST is never sent on a connection we are closing (it would not be retried).
  server.keepAliveTimeout = 120_000;
  metrics.certificateExpiry(() => (tls.current().notAfter - options.clock.now()) / 3_600_000);
  const unsubscribe = tls.onChange((material) => {
    try {
      // New handshakes get the new pair; open connections keep theirs.
      server.setSecureContext(secureContextOptions(material, legacyTls));
    } catch (error) {
      logger.error(SITES.tls, `Could not use the reloaded TLS certificate, keeping the current one: ${(error as Error).message}`);
    }
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => onClientError(error, socket, logger));
  server.on('tlsClientError', (error: Error, socket) => {
    logger.debug(SITES.run, `Error from the admission controller http API server: TLS handshake error from ${socket.remoteAddress ?? 'unknown'}: ${error.message}`);
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req.url);
    if (state.closing) res.setHeader('Connection', 'close');
    if (!url) return sendText(res, 400, 'invalid request URL');
    const webhook = routes.get(url.pathname);
    if (webhook) return handleWebhookRequest(req, res, webhook, url, deps);
    if (OPS_PATHS.has(url.pathname)) return handleOps(req, res, url.pathname, metrics, state.closing);
    return sendText(res, 404, '404 page not found');
  }

  return {
    listen: (port, host) => listen(server, port, host, logger, [...routes.keys()]),
    close: () => close(server, state, unsubscribe, options.shutdownGraceMs ?? 10_000, logger),
    address: () => server.address() as AddressInfo | null,
  };
}

/**
 * Path -> webhook, from the configured endpoints; every path of the agent version is served whatever
 * its `enabled` flag says: the three pod webhooks, the admission-events validator (7.61) and the probe (7.78).
 */
export function webhookRoutes(config: AdmissionConfig): Map<string, EntryName> {
  const version = config.agentVersion;
  const entries: EntryName[] = [...WEBHOOKS];
  if (hasChange(version, 'admission-events')) entries.push('kubernetes-admission-events');
  if (hasChange(version, 'probe')) entries.push('probe');
  const routes = new Map<string, EntryName>();
  for (const webhook of entries) {
    const path = webhookPath(config, webhook);
    if (!routes.has(path)) routes.set(path, webhook);
  }
  return routes;
}

/** The request target split into path and query: all the routes need, cheaper than a full URL parse on every review. */
export interface RequestTarget {
  pathname: string;
  searchParams: URLSearchParams;
}

function requestUrl(raw: string | undefined): RequestTarget | undefined {
  if (!raw || !raw.startsWith('/')) return undefined;
  const q = raw.indexOf('?');
  if (q < 0) return { pathname: raw, searchParams: new URLSearchParams() };
  return { pathname: raw.slice(0, q), searchParams: new URLSearchParams(raw.slice(q + 1)) };
}

/** Last resort for an exception in a handler: log it and answer 500 (or drop a half-sent answer). */
function internalError(req: IncomingMessage, res: ServerResponse, error: unknown, logger: Logger): void {
  logger.error(SITES.mutateHandler, `Internal error while handling ${req.method ?? ''} ${req.url ?? ''}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendText(res, 500, 'internal error');
}

function onClientError(error: NodeJS.ErrnoException, socket: Socket, logger: Logger): void {
  logger.debug(SITES.run, `Error from the admission controller http API server: ${error.message}`);
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function listen(server: Server, port: number, host: string | undefined, logger: Logger, paths: string[]): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen({ port, ...(host ? { host } : {}) }, () => {
      server.off('error', onError);
      const address = server.address() as AddressInfo;
      logger.info(SITES.run, `Admission controller webhook server listening on ${address.address} port ${address.port}, paths ${paths.join(', ')}`);
      resolve(address);
    });
  });
}

function close(server: Server, state: { closing: boolean }, unsubscribe: () => void, graceMs: number, logger: Logger): Promise<void> {
  if (!server.listening) return Promise.resolve();
  state.closing = true;
  unsubscribe();
  return new Promise((resolve) => {
    const cut = setTimeout(() => {
      logger.warn(SITES.run, `Requests still running after ${graceMs} ms, closing their connections`);
      server.closeAllConnections();
    }, graceMs);
    server.close(() => {
      clearTimeout(cut);
      logger.info(SITES.run, 'The admission controller webhook server stopped');
      resolve();
    });
    logger.info(SITES.run, 'Stopping the admission controller webhook server: no new connections, finishing requests in flight');
    // Idle keep-alive connections close now; busy ones once their response is out.
    server.closeIdleConnections();
  });
}
