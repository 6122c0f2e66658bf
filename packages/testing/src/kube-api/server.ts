import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { accessReview, ANONYMOUS, createAccessRules, forbidden, type AccessRules } from './access.js';
import { createAdmission, type AdmissionRecord, type WebhookNetwork } from './admission.js';
import { KubeApiStatusError, unknownResource } from './api-errors.js';
import { createFaults, type FaultAction, type Faults } from './faults.js';
import { kubeconfigYaml, type KubeconfigOptions } from './kubeconfig.js';
import { resourceTable, type ResourceType } from './resources.js';
import { canonical, fail, readJson, send, serveResource, statusBody, typed, type RestContext } from './rest.js';
import { route, type Target } from './routes.js';
import { createStore, type KubeObject, type ObjectStore } from './store.js';
import { admit } from './validation.js';

// An HTTP(S) server speaking the Kubernetes REST API for the resources the
// controllers and the tags webhook use: GET / LIST / CREATE / UPDATE / PATCH /
// DELETE, resourceVersion conflicts, paged lists (`limit` / `continue`),
// `dryRun=All` creates, creates sent through the registered mutating webhooks,
// `watch=true` streams that resume from a resourceVersion (410 Gone when too
// old), discovery, /version, access rules (403 Forbidden, SelfSubjectAccessReviews)
// and fault injection. Only loopback: it is a test double, never a server for anyone else.

export interface KubeApiOptions {
  /** Serve HTTPS with this pair (the kubeconfig then carries the certificate as CA); plain HTTP when absent. */
  tls?: { cert: string; key: string };
  /** Versions of admissionregistration MutatingWebhookConfigurations served; default only v1 (v1beta1 answers 404, as on Kubernetes 1.22+). */
  admissionVersions?: readonly ('v1' | 'v1beta1')[];
  /** What GET /version answers (gitVersion default `v<major>.<minor>.0`, as a distribution's `v1.29.3-eks-ae9a62a`); default 1.28. */
  serverVersion?: { major: string; minor: string; gitVersion?: string };
  /** Clock for creationTimestamp (epoch ms). */
  now?: () => number;
  /** Events kept for watch resumption; default 1000. */
  historyLimit?: number;
  /** Longest a watch stays open (seconds) when the client asks for longer or says nothing; default 1800. */
  maxWatchSeconds?: number;
  /** Port to listen on (127.0.0.1); default an ephemeral one. */
  port?: number;
  /** How the registered mutating webhooks are reached (Service addresses, call deadlines). */
  webhooks?: WebhookNetwork;
  /** More API groups: `cilium.io` serves Cilium's policies, any other is an empty group (`config.openshift.io`). */
  apiGroups?: readonly string[];
}

/** One request the double answered, for assertions (who wrote what). */
export interface RecordedRequest {
  method: string;
  path: string;
  /** get, list, watch, create, update, patch, delete, discovery. */
  verb: string;
  resource?: string;
  namespace?: string;
  name?: string;
  /** The bearer token. */
  user?: string;
  status: number;
}

/** A running API double. */
export interface KubeApi {
  /** `http://127.0.0.1:<port>` or `https://...`. */
  readonly url: string;
  readonly port: number;
  readonly store: ObjectStore;
  readonly faults: Faults;
  /** Who may do what: everything unless a test denies it. */
  readonly access: AccessRules;
  /** Every answered request, oldest first (the last 10 000). */
  readonly requests: RecordedRequest[];
  /** Every create that reached a mutating webhook, with what the dispatch did, oldest first. */
  readonly admissions: AdmissionRecord[];
  /** A kubeconfig for this server (token, namespace and context name optional). */
  kubeconfig(options?: Omit<KubeconfigOptions, 'server' | 'caPem'>): string;
  /** Creates or replaces an object as a user with full rights would (validation and defaults apply, webhooks are not called). */
  apply(object: KubeObject): KubeObject;
  /** Reads an object by apiVersion and kind; undefined when absent. */
  read(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined;
  /** Deletes an object; false when absent. */
  remove(apiVersion: string, kind: string, name: string, namespace?: string): boolean;
  /** Stops listening and cuts every connection: clients get ECONNREFUSED until acceptConnections. */
  refuseConnections(): Promise<void>;
  /** Listens again on the same port. */
  acceptConnections(): Promise<void>;
  /** Ends every open watch, as an API server restart or watch timeout does. */
  closeWatches(): void;
  close(): Promise<void>;
}

/** The Status reason the real API server gives with each injected code. */
const FAULT_REASONS: Readonly<Record<number, string>> = { 409: 'Conflict', 410: 'Expired', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' };
const MAX_RECORDED = 10_000;

/** Starts a double on 127.0.0.1. */
export async function startKubeApi(options: KubeApiOptions = {}): Promise<KubeApi> {
  const table = resourceTable(options.admissionVersions ?? ['v1'], options.apiGroups);
  const store = createStore({ ...(options.now ? { now: options.now } : {}), ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}) });
  const faults = createFaults();
  const access = createAccessRules();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const watches = new Set<() => void>();
  const admission = createAdmission(store, options.webhooks);
  const context: RestContext = {
    table,
    store,
    admission,
    watches,
    maxWatchSeconds: options.maxWatchSeconds ?? 1800,
    version: options.serverVersion ?? { major: '1', minor: '28' },
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    req.on('error', () => {});
    res.on('error', () => {});
    handle(req, res, context, { faults, access }, requests).catch((error: unknown) => send(res, 500, statusBody(500, 'InternalError', (error as Error).message)));
  };
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createHttpServer(handler);
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket: Socket) => socket.destroy());

  const port = await listen(server, options.port ?? 0);
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  const cutEverything = () => {
    for (const end of [...watches]) end();
    for (const socket of sockets) socket.destroy();
  };

  const resourceOf = (apiVersion: string, kind: string): ResourceType => {
    const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
    const r = table.all().find((t) => t.group === group && t.version === version && t.kind === kind);
    if (!r) throw new Error(`the double does not serve ${kind} in ${apiVersion}`);
    return r;
  };

  return {
    url,
    port,
    store,
    faults,
    access,
    requests,
    admissions: admission.records,
    kubeconfig: (o = {}) => kubeconfigYaml({ ...o, server: url, ...(options.tls ? { caPem: options.tls.cert } : {}) }),
    apply(object) {
      const r = resourceOf(object.apiVersion ?? '', object.kind ?? '');
      const namespace = r.namespaced ? (object.metadata.namespace ?? 'default') : '';
      const admitted = admit(r, canonical(r, object));
      const exists = store.get(r.storage, namespace, object.metadata.name ?? '');
      const stored = exists
        ? store.update(r, namespace, { ...admitted, metadata: { ...admitted.metadata, resourceVersion: exists.metadata.resourceVersion } })
        : store.create(r, namespace, admitted);
      return typed(r, stored);
    },
    read(apiVersion, kind, name, namespace = '') {
      const r = resourceOf(apiVersion, kind);
      const found = store.get(r.storage, r.namespaced ? namespace : '', name);
      return found ? typed(r, found) : undefined;
    },
    remove(apiVersion, kind, name, namespace = '') {
      const r = resourceOf(apiVersion, kind);
      if (!store.get(r.storage, r.namespaced ? namespace : '', name)) return false;
      store.delete(r, r.namespaced ? namespace : '', name);
      return true;
    },
    async refuseConnections() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      cutEverything();
      await closed;
    },
    async acceptConnections() {
      if (server.listening) return;
      await listen(server, port);
    },
    closeWatches: () => {
      for (const end of [...watches]) end();
    },
    async close() {
      const closed = server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
      cutEverything();
      await closed;
      await admission.close();
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** What a request meets before it is served. */
interface Gates {
  faults: Faults;
  access: AccessRules;
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: RestContext, gates: Gates, requests: RecordedRequest[]): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://double.invalid');
  const method = req.method ?? 'GET';
  const user = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const isWatch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  const record: RecordedRequest = { method, path: url.pathname, verb: 'discovery', ...(user ? { user } : {}), status: 0 };
  res.once('finish', () => {
    record.status = res.statusCode;
    requests.push(record);
    if (requests.length > MAX_RECORDED) requests.shift();
  });

  let target: Target | undefined;
  try {
    target = route(url.pathname, ctx);
  } catch (error) {
    return fail(res, error);
  }
  if (target?.kind === 'resource') {
    Object.assign(record, { resource: target.r.plural, ...(target.namespace ? { namespace: target.namespace } : {}), ...(target.name ? { name: target.name } : {}) });
    record.verb = verbOf(method, target.name !== undefined, isWatch);
  }

  const fault = gates.faults.take({ method, ...(target?.kind === 'resource' ? { resource: target.r.plural } : {}), watch: isWatch, ...(user ? { user } : {}) });
  if (fault && (await applyFault(fault, req, res))) return;

  if (!target) return fail(res, unknownResource());
  if (target.kind === 'document') {
    if (method !== 'GET') return fail(res, new KubeApiStatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
    return send(res, 200, target.body);
  }
  try {
    const caller = user ?? ANONYMOUS;
    if (target.r.plural === 'selfsubjectaccessreviews') {
      if (method !== 'POST') throw new KubeApiStatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return send(res, 201, accessReview(gates.access, caller, await readJson(req)));
    }
    const request = { user: caller, verb: record.verb, resource: target.r.plural, group: target.r.group, namespace: target.namespace ?? '' };
    if (!gates.access.allows(request)) throw forbidden(target.r, request, target.name);
    await serveResource(req, res, url, target, isWatch, ctx);
  } catch (error) {
    fail(res, error);
  }
}

/** Applies a fault; true when the request has been dealt with. */
async function applyFault(fault: FaultAction, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (fault.kind === 'delay' || fault.kind === 'hold') {
    await (fault.kind === 'delay' ? sleep(fault.ms) : fault.until.catch(() => undefined));
    return res.destroyed;
  }
  if (fault.kind === 'reset') {
    req.socket.destroy();
    return true;
  }
  const reason = FAULT_REASONS[fault.code] ?? 'InternalError';
  send(res, fault.code, statusBody(fault.code, reason, fault.message ?? `injected fault: HTTP ${fault.code}`));
  return true;
}

function verbOf(method: string, hasName: boolean, isWatch: boolean): string {
  if (method === 'GET') return isWatch ? 'watch' : hasName ? 'get' : 'list';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return 'delete';
  return method.toLowerCase();
}
