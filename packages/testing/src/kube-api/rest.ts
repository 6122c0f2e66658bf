import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Admission } from './admission.js';
import { badRequest, KubeApiStatusError, notFound, unknownResource } from './api-errors.js';
import { page } from './paging.js';
import { applyPatchBody } from './patch.js';
import { groupVersion, type ResourceType } from './resources.js';
import type { RouteContext, Target } from './routes.js';
import { fieldFilter, labelFilter, type ObjectFilter } from './selectors.js';
import type { KubeObject, ObjectStore, StoreEvent } from './store.js';
import { admit } from './validation.js';

// The verbs on a resource: get, list, watch, create, update (PUT), patch and
// delete, with the API server's answers (201 on create, Status on errors, list
// items without apiVersion/kind, watch events as JSON lines). A create goes
// through the registered mutating webhooks first, dry run or not.

const MAX_BODY = 3 * 1024 * 1024;

/** What the handlers need: routing data, the store, mutating admission, open watches and their longest life. */
export interface RestContext extends RouteContext {
  store: ObjectStore;
  admission: Admission;
  watches: Set<() => void>;
  maxWatchSeconds: number;
}

/** Serves one request on a resource. */
export async function serveResource(req: IncomingMessage, res: ServerResponse, url: URL, t: Extract<Target, { kind: 'resource' }>, isWatch: boolean, ctx: RestContext): Promise<void> {
  const { r, name } = t;
  const namespace = r.namespaced ? t.namespace : '';
  const method = req.method ?? 'GET';
  if (t.subresource !== undefined) throw unknownResource();
  const dryRun = dryRunOf(url, method);
  if (name === undefined) {
    if (method === 'GET' && isWatch) return watch(res, url, r, namespace, ctx);
    if (method === 'GET') return list(res, url, r, namespace, ctx);
    if (method === 'POST' && namespace !== undefined) return create(res, r, namespace, await readJson(req), ctx, dryRun);
    throw methodNotAllowed();
  }
  const ns = namespace ?? '';
  if (method === 'GET') {
    const found = ctx.store.get(r.storage, ns, name);
    if (!found) throw notFound(r, name);
    return send(res, 200, typed(r, found));
  }
  if (method === 'PUT') {
    const body = checkBody(await readJson(req), r, ns, name);
    return send(res, 200, typed(r, ctx.store.update(r, ns, admit(r, canonical(r, body)))));
  }
  if (method === 'PATCH') {
    const current = ctx.store.get(r.storage, ns, name);
    if (!current) throw notFound(r, name);
    const patched = applyPatchBody(typed(r, current), req.headers['content-type'] ?? '', await readJson(req));
    const body = checkBody(patched, r, ns, name);
    // Without a resourceVersion in the patch, a patch applies to whatever is stored.
    const precondition = body.metadata.resourceVersion ?? current.metadata.resourceVersion;
    return send(res, 200, typed(r, ctx.store.update(r, ns, admit(r, canonical(r, { ...body, metadata: { ...body.metadata, resourceVersion: precondition } })))));
  }
  if (method === 'DELETE') {
    const gone = ctx.store.delete(r, ns, name);
    // Pods and Services answer with the object, the others with a Status (as the typed clients expect).
    if (r.plural === 'pods' || r.plural === 'services') return send(res, 200, typed(r, gone));
    return send(res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, ...(r.group ? { group: r.group } : {}), kind: r.plural, uid: gone.metadata.uid },
    });
  }
  throw methodNotAllowed();
}

function methodNotAllowed(): KubeApiStatusError {
  return new KubeApiStatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

/** `dryRun=All`; the double honours it on creates only and refuses it elsewhere rather than writing anyway. */
function dryRunOf(url: URL, method: string): boolean {
  const values = url.searchParams.getAll('dryRun');
  if (values.length === 0) return false;
  if (values.some((v) => v !== 'All')) throw badRequest(`Invalid dry run value: ${values.join(', ')} (supported: All)`);
  if (method !== 'POST') throw badRequest('the API double supports dryRun=All on creates only');
  return true;
}

async function create(res: ServerResponse, r: ResourceType, namespace: string, body: unknown, ctx: RestContext, dryRun: boolean): Promise<void> {
  const object = checkBody(body, r, namespace, undefined);
  if (object.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  // Webhooks see the object as the request names it; validation comes after them, as on the API server.
  const mutated = await ctx.admission.admit(r, namespace, typed(r, object), dryRun);
  send(res, 201, typed(r, ctx.store.create(r, namespace, admit(r, canonical(r, mutated)), { dryRun })));
}

/** The body must be an object of the URL's kind, name and namespace. */
function checkBody(body: unknown, r: ResourceType, namespace: string, name: string | undefined): KubeObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: expected an object`);
  const object = body as KubeObject;
  const metadata = (typeof object.metadata === 'object' && object.metadata !== null ? object.metadata : {}) as KubeObject['metadata'];
  if (object.kind !== undefined && object.kind !== r.kind) throw badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: the kind is ${object.kind}`);
  if (r.namespaced && metadata.namespace !== undefined && metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (name !== undefined && metadata.name !== undefined && metadata.name !== name) throw badRequest(`the name of the object (${metadata.name}) does not match the name on the URL (${name})`);
  return { ...object, metadata: { ...metadata, ...(name !== undefined ? { name } : {}) } };
}

function list(res: ServerResponse, url: URL, r: ResourceType, namespace: string | undefined, ctx: RestContext): void {
  const keep = filters(url);
  // The stored objects are only serialized here, never changed: no copies, whatever the list's size.
  const all = ctx.store.view(r.storage, namespace || undefined).filter(keep);
  const shown = page(all, url.searchParams, ctx.store.revision(), (rv) => ctx.store.eventsSince(r.storage, rv) === undefined);
  // List items carry no apiVersion/kind, as on the real API.
  send(res, 200, {
    apiVersion: groupVersion(r),
    kind: `${r.kind}List`,
    metadata: {
      resourceVersion: String(shown.resourceVersion),
      ...(shown.continue ? { continue: shown.continue, remainingItemCount: shown.remainingItemCount } : {}),
    },
    items: shown.items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
  });
}

function filters(url: URL): ObjectFilter {
  const byField = fieldFilter(url.searchParams.get('fieldSelector'));
  const byLabel = labelFilter(url.searchParams.get('labelSelector'));
  return (o) => byField(o) && byLabel(o);
}

function watch(res: ServerResponse, url: URL, r: ResourceType, namespace: string | undefined, ctx: RestContext): void {
  const keep = filters(url);
  const inScope = (o: KubeObject) => (!namespace || o.metadata.namespace === namespace) && keep(o);
  const asked = Number(url.searchParams.get('timeoutSeconds') ?? ctx.maxWatchSeconds);
  const seconds = Number.isFinite(asked) && asked > 0 ? Math.min(asked, ctx.maxWatchSeconds) : ctx.maxWatchSeconds;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const write = (type: string, object: object) => res.write(`${JSON.stringify({ type, object })}\n`);
  const deliver = (e: StoreEvent) => {
    if (e.storage === r.storage && inScope(e.object)) write(e.type, typed(r, e.object));
  };

  const since = url.searchParams.get('resourceVersion');
  // Subscribing and replaying happen in the same turn: no event can fall in between.
  const unsubscribe = ctx.store.subscribe(deliver);
  const end = () => {
    clearTimeout(timer);
    unsubscribe();
    ctx.watches.delete(end);
    res.end();
  };
  const timer = setTimeout(end, seconds * 1000);
  ctx.watches.add(end);
  res.once('close', end);

  if (!since || since === '0') {
    for (const object of ctx.store.list(r.storage, namespace || undefined)) if (inScope(object)) write('ADDED', typed(r, object));
    return;
  }
  const events = ctx.store.eventsSince(r.storage, Number(since));
  if (!events) {
    write('ERROR', statusBody(410, 'Expired', `too old resource version: ${since} (${ctx.store.revision()})`));
    end();
    return;
  }
  for (const e of events) deliver(e);
}

/** Stored objects are kept in the canonical version; the request's version only changes apiVersion. */
export function canonical(r: ResourceType, object: KubeObject): KubeObject {
  return { ...object, apiVersion: r.group ? `${r.group}/v1` : 'v1', kind: r.kind };
}

/** The object as the request's group version presents it. */
export function typed(r: ResourceType, object: KubeObject): KubeObject {
  return { ...object, apiVersion: groupVersion(r), kind: r.kind };
}

/** The request body as JSON; 400 when it is not, 413 when it is too large. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new KubeApiStatusError(413, 'BadRequest', 'the request body is too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`the body is not valid JSON: ${(error as Error).message}`);
  }
}

/** A metav1.Status failure body. */
export function statusBody(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details: {}, code };
}

/** Answers with the Status of `error` (500 for anything unexpected). */
export function fail(res: ServerResponse, error: unknown): void {
  if (error instanceof KubeApiStatusError) return send(res, error.code, error.toStatus());
  send(res, 500, statusBody(500, 'InternalError', (error as Error).message ?? String(error)));
}

/** Answers with a JSON body. */
export function send(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
