import { z } from 'zod';
import { isExpired, isNotFound, KubeConfigError, KubeConnectionError } from './errors.js';
import { loadKubeconfig, type KubeClientModule, type KubeconfigOptions } from './kubeconfig.js';
import { qualifiedName, resourcePath, type ApiResource } from './resources.js';
import { callJson, callLines, type Connection } from './transport.js';

// The client the CLI and the server share: a few verbs over plain JSON objects
// (as the API sends them: dates stay text, no class instances), for any
// resource type in RESOURCES or described the same way, plus group discovery and
// access reviews. Each verb is one REST call through the transport, so a new one
// is a few lines here.

/** The parts of an object every verb reads. */
const kubeObjectSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z
    .looseObject({
      name: z.string().optional(),
      namespace: z.string().optional(),
      resourceVersion: z.string().optional(),
    })
    .optional(),
});
/** A Kubernetes object as plain JSON. */
export type KubeObject = z.infer<typeof kubeObjectSchema>;

/** What the writing verbs read of the object they send (any object as JSON): where it goes. */
interface NamedObject {
  metadata?: { name?: string; namespace?: string };
}

const listSchema = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string().optional(), continue: z.string().optional(), remainingItemCount: z.number().optional() }).optional(),
  items: z.array(kubeObjectSchema).nullable().optional(),
});

const versionSchema = z.looseObject({ major: z.string(), minor: z.string(), gitVersion: z.string(), platform: z.string().optional() });
/** GET /version: the API server's build (`gitVersion` `v1.29.4-eks-036c24b`). */
export type ServerVersion = z.infer<typeof versionSchema>;

const groupListSchema = z.looseObject({ groups: z.array(z.looseObject({ name: z.string() })) });

const accessReviewSchema = z.looseObject({
  status: z.looseObject({ allowed: z.boolean(), reason: z.string().optional() }),
});
/** What a SelfSubjectAccessReview answers: whether the caller may, and the authorizer's reason when it gives one. */
export interface AccessReview {
  allowed: boolean;
  reason?: string;
}

const watchEventSchema = z.object({ type: z.enum(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']), object: kubeObjectSchema });
/** One event of a watch; for ERROR, `object` is a Status (410 Expired when the resourceVersion is too old). */
export type WatchEvent = z.infer<typeof watchEventSchema>;

/** Options every call takes. */
export interface CallOptions {
  /** Cancels the call. */
  signal?: AbortSignal;
  /** This call's deadline instead of the client's. */
  timeoutMs?: number;
}

export interface ScopeOptions extends CallOptions {
  /** The namespace of a namespaced resource; for lists, absent means every namespace. */
  namespace?: string;
}

export interface ListOptions extends ScopeOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; the server says whether more follow (`continue`). */
  limit?: number;
  /** The `continue` token of the previous page. */
  continue?: string;
}

/** One page of a list. */
export interface ListPage<T> {
  items: T[];
  /** The list's resourceVersion, to watch from. */
  resourceVersion: string;
  /** The token of the next page; undefined on the last one. */
  continue?: string;
}

export interface ListAllOptions extends Omit<ListOptions, 'limit' | 'continue'> {
  /** Objects per request; default 500 (kubectl's and client-go's). */
  pageSize?: number;
}

export interface CreateOptions extends ScopeOptions {
  /** `dryRun=All`: the server validates and admits the object (webhooks included) but stores nothing. */
  dryRun?: boolean;
}

export interface WatchOptions extends ScopeOptions {
  fieldSelector?: string;
  labelSelector?: string;
  /** Start after this version; absent: ADDED for every existing object first. */
  resourceVersion?: string;
  /** The server ends the watch after this long. */
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

/** A connected client: the current context's API server with its credentials. */
export interface KubeClient {
  /** The API server URL. */
  readonly server: string;
  /** The context's namespace, when it names one. */
  readonly namespace: string | undefined;
  /** GET one object; KubeApiError 404 when it does not exist. */
  get<T = KubeObject>(r: ApiResource, name: string, options?: ScopeOptions): Promise<T>;
  /** GET one object; undefined when it does not exist. */
  find<T = KubeObject>(r: ApiResource, name: string, options?: ScopeOptions): Promise<T | undefined>;
  /** One page of a list. */
  list<T = KubeObject>(r: ApiResource, options?: ListOptions): Promise<ListPage<T>>;
  /** Every object, page by page (through readPages, so an expired continue token starts over). */
  listAll<T = KubeObject>(r: ApiResource, options?: ListAllOptions): Promise<Omit<ListPage<T>, 'continue'>>;
  /** Every page in turn, so a caller can drop each one; a continue token that expires mid-way is thrown (KubeApiError 410, `isExpired`): start over. */
  listPages<T = KubeObject>(r: ApiResource, options?: ListAllOptions): AsyncGenerator<ListPage<T>, void, undefined>;
  /**
   * Every page of a list through `read`, which may drop each page once seen. A continue token
   * that expires mid-way starts `read` over from the first page, once, so the list is still
   * never held whole; expired again, `read` gets one unpaged list (client-go's pager's fallback).
   */
  readPages<R, T = KubeObject>(r: ApiResource, options: ListAllOptions, read: (pages: AsyncIterable<ListPage<T>>) => Promise<R>): Promise<R>;
  /** POST a new object (into `options.namespace`, else the object's own). */
  create<T = KubeObject>(r: ApiResource, object: object, options?: CreateOptions): Promise<T>;
  /** PUT an object over the stored one; a stale metadata.resourceVersion is a 409 Conflict. */
  replace<T = KubeObject>(r: ApiResource, object: object, options?: ScopeOptions): Promise<T>;
  /** DELETE one object; KubeApiError 404 when it does not exist. */
  delete(r: ApiResource, name: string, options?: ScopeOptions): Promise<void>;
  /** GET /version. */
  version(options?: CallOptions): Promise<ServerVersion>;
  /** The API groups the server serves (GET /apis): `apps`, `config.openshift.io`, ... (the core group has no name). */
  apiGroups(options?: CallOptions): Promise<string[]>;
  /** Whether the caller may `verb` the resource (in `options.namespace`, else cluster-wide): a SelfSubjectAccessReview. */
  canI(verb: string, r: ApiResource, options?: ScopeOptions): Promise<AccessReview>;
  /** Watches until the server ends the stream (resolves) or the call fails (rejects); `signal` stops it. */
  watch(r: ApiResource, options: WatchOptions, onEvent: (event: WatchEvent) => void): Promise<void>;
}

export interface ConnectOptions extends KubeconfigOptions {
  /** Deadline of each call; default 10 s. */
  timeoutMs?: number;
  /** Loads @kubernetes/client-node; default a dynamic import (tests replace it). */
  load?: () => Promise<KubeClientModule>;
}

/** Loads the client module and the kubeconfig, and returns the client of its context; throws KubeConfigError. */
export async function connectKube(options: ConnectOptions): Promise<KubeClient> {
  // Everything heavy is imported here, on the first connect: a program that never connects never loads it.
  const [k8s, http, https] = await Promise.all([loadClientModule(options.load), import('node:http'), import('node:https')]);
  const kc = loadKubeconfig(k8s, options);
  const server = kc.getCurrentCluster()!.server;
  if (!URL.canParse(server)) throw new KubeConfigError(`the kubeconfig context "${kc.getCurrentContext()}" has no usable server URL: "${server}"`);
  const connection: Connection = { kc, server, http, https, timeoutMs: options.timeoutMs ?? 10_000 };
  return kubeClient(connection, kc.getContextObject(kc.getCurrentContext())?.namespace);
}

async function loadClientModule(load: ConnectOptions['load']): Promise<KubeClientModule> {
  try {
    return await (load ?? (() => import('@kubernetes/client-node')))();
  } catch (error) {
    throw new KubeConfigError(`the Kubernetes client @kubernetes/client-node is not installed: ${(error as Error).message}`);
  }
}

function kubeClient(c: Connection, namespace: string | undefined): KubeClient {
  const get = async <T>(r: ApiResource, name: string, o: ScopeOptions = {}) => (await callJson(c, { method: 'GET', path: resourcePath(r, o.namespace, name), ...perCall(o) })) as T;
  const list = async <T>(r: ApiResource, o: ListOptions = {}): Promise<ListPage<T>> => {
    const query = { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit, continue: o.continue };
    const parsed = listSchema.safeParse(await callJson(c, { method: 'GET', path: resourcePath(r, o.namespace), query, ...perCall(o) }));
    if (!parsed.success) throw new KubeConnectionError(`the API server answered the list of ${qualifiedName(r)} with something that is not a list`);
    const { metadata, items } = parsed.data;
    return { items: (items ?? []) as T[], resourceVersion: metadata?.resourceVersion ?? '', ...(metadata?.continue ? { continue: metadata.continue } : {}) };
  };
  async function* listPages<T>(r: ApiResource, o: ListAllOptions = {}): AsyncGenerator<ListPage<T>, void, undefined> {
    const { pageSize = 500, ...rest } = o;
    let token: string | undefined;
    do {
      const page = await list<T>(r, { ...rest, limit: pageSize, ...(token !== undefined ? { continue: token } : {}) });
      token = page.continue;
      yield page;
    } while (token !== undefined);
  }
  async function readPages<R, T>(r: ApiResource, o: ListAllOptions, read: (pages: AsyncIterable<ListPage<T>>) => Promise<R>): Promise<R> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let started = false;
      const pages = (async function* () {
        for await (const page of listPages<T>(r, o)) {
          started = true;
          yield page;
        }
      })();
      try {
        return await read(pages);
      } catch (error) {
        // Only a later page's token can expire; the first page has none.
        if (!started || !isExpired(error)) throw error;
      }
    }
    const { pageSize: _, ...rest } = o;
    const whole = await list<T>(r, rest);
    return read((async function* () {
      yield whole;
    })());
  }
  return {
    server: c.server,
    namespace,
    get,
    async find(r, name, o) {
      try {
        return await get(r, name, o);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    list,
    listPages,
    readPages,
    listAll<T>(r: ApiResource, o: ListAllOptions = {}) {
      return readPages<Omit<ListPage<T>, 'continue'>, T>(r, o, async (pages) => {
        const items: T[] = [];
        let resourceVersion: string | undefined;
        for await (const page of pages) {
          resourceVersion ??= page.resourceVersion;
          items.push(...page.items);
        }
        return { items, resourceVersion: resourceVersion ?? '' };
      });
    },
    async create<T>(r: ApiResource, object: object, o: CreateOptions = {}) {
      const target = o.namespace ?? (object as NamedObject).metadata?.namespace;
      const path = resourcePath(r, r.namespaced ? required(target, `create ${qualifiedName(r)} without a namespace`) : undefined);
      return (await callJson(c, { method: 'POST', path, body: object, query: { dryRun: o.dryRun ? 'All' : undefined }, ...perCall(o) })) as T;
    },
    async replace<T>(r: ApiResource, object: object, o: ScopeOptions = {}) {
      const { metadata } = object as NamedObject;
      const target = o.namespace ?? metadata?.namespace;
      const name = required(metadata?.name, `replace ${qualifiedName(r)} without metadata.name`);
      const path = resourcePath(r, r.namespaced ? required(target, `replace ${qualifiedName(r)} "${name}" without a namespace`) : undefined, name);
      return (await callJson(c, { method: 'PUT', path, body: object, ...perCall(o) })) as T;
    },
    async delete(r, name, o = {}) {
      await callJson(c, { method: 'DELETE', path: resourcePath(r, o.namespace, name), ...perCall(o) });
    },
    async version(o = {}) {
      const parsed = versionSchema.safeParse(await callJson(c, { method: 'GET', path: '/version', ...perCall(o) }));
      if (!parsed.success) throw new KubeConnectionError('the API server answered GET /version with something that is not a version');
      return parsed.data;
    },
    async apiGroups(o = {}) {
      const parsed = groupListSchema.safeParse(await callJson(c, { method: 'GET', path: '/apis', ...perCall(o) }));
      if (!parsed.success) throw new KubeConnectionError('the API server answered GET /apis with something that is not an API group list');
      return parsed.data.groups.map((g) => g.name);
    },
    async canI(verb, r, o = {}) {
      const review = {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb, group: r.group, version: r.version, resource: r.resource, ...(o.namespace !== undefined ? { namespace: o.namespace } : {}) } },
      };
      const parsed = accessReviewSchema.safeParse(await callJson(c, { method: 'POST', path: ACCESS_REVIEWS, body: review, ...perCall(o) }));
      if (!parsed.success) throw new KubeConnectionError('the API server answered a SelfSubjectAccessReview with something that is not one');
      const { allowed, reason } = parsed.data.status;
      return reason ? { allowed, reason } : { allowed };
    },
    watch(r, o, onEvent) {
      const query = {
        watch: true,
        fieldSelector: o.fieldSelector,
        labelSelector: o.labelSelector,
        resourceVersion: o.resourceVersion,
        timeoutSeconds: o.timeoutSeconds,
        allowWatchBookmarks: o.allowWatchBookmarks,
      };
      return callLines(c, { method: 'GET', path: resourcePath(r, o.namespace), query, ...perCall(o) }, (line) => onEvent(watchEvent(line)));
    },
  };
}

const ACCESS_REVIEWS = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

/** The per-call options the transport takes. */
function perCall(o: CallOptions): CallOptions {
  return { ...(o.signal ? { signal: o.signal } : {}), ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) };
}

/** A value the call cannot go without: a programming error when missing. */
function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new TypeError(`cannot ${what}`);
  return value;
}

function watchEvent(line: unknown): WatchEvent {
  const parsed = watchEventSchema.safeParse(line);
  if (parsed.success) return parsed.data;
  throw new KubeConnectionError(`the API server sent a watch line that is not a watch event: ${JSON.stringify(line).slice(0, 80)}`);
}
