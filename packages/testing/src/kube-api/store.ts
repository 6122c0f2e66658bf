import { jsonEqual } from '../strict-patch.js';
import { alreadyExists, conflict, notFound } from './api-errors.js';
import type { ResourceType } from './resources.js';

// The double's etcd: objects by storage, namespace and name, one global
// resourceVersion counter, and a bounded event history that watches replay
// from. As on the real API server, an update that changes nothing keeps the
// resourceVersion and emits no event, and a stale resourceVersion is a conflict.

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** A stored object: plain JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, as watches see it. */
export interface StoreEvent {
  type: EventType;
  storage: string;
  /** The object after the change (for DELETED: as it was, with a new resourceVersion). */
  object: KubeObject;
  revision: number;
}

export interface StoreOptions {
  /** Wall clock (epoch ms) for creationTimestamp; default Date.now. */
  now?: () => number;
  /** Events kept for watches to resume from; older resourceVersions get 410 Gone. Default 1000. */
  historyLimit?: number;
}

/** The object store of one API double. */
export interface ObjectStore {
  /** The latest resourceVersion. */
  revision(): number;
  /** Copies of the objects of `storage` (in `namespace` when given), in list order. */
  list(storage: string, namespace?: string): KubeObject[];
  /** The stored objects themselves, in list order, for serializing without copies: never modify them. */
  view(storage: string, namespace?: string): readonly Readonly<KubeObject>[];
  get(storage: string, namespace: string, name: string): KubeObject | undefined;
  /** Stores a new object (name or generateName required); throws AlreadyExists. A dry run returns it without storing it. */
  create(r: ResourceType, namespace: string, object: KubeObject, options?: { dryRun?: boolean }): KubeObject;
  /**
   * Replaces an object. A resourceVersion in `object` must be the stored one (else
   * Conflict); without one the update is unconditional. NotFound when absent.
   */
  update(r: ResourceType, namespace: string, object: KubeObject): KubeObject;
  delete(r: ResourceType, namespace: string, name: string): KubeObject;
  /** Events of `storage` after `revision`, oldest first; undefined when the history no longer reaches back that far. */
  eventsSince(storage: string, revision: number): StoreEvent[] | undefined;
  subscribe(listener: (event: StoreEvent) => void): () => void;
}

/** The order of lists (and of their pages): by namespace, then name. */
export function listKey(object: KubeObject): string {
  return `${object.metadata.namespace}/${object.metadata.name}`;
}

/** How list keys are ordered (code units, as etcd orders keys). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Creates an empty store. */
export function createStore(options: StoreOptions = {}): ObjectStore {
  const now = options.now ?? Date.now;
  const historyLimit = options.historyLimit ?? 1000;
  const objects = new Map<string, KubeObject>();
  const inStorage = (storage: string, namespace: string | undefined): KubeObject[] => {
    const out: KubeObject[] = [];
    for (const [key, object] of objects) {
      if (!key.startsWith(`${storage}\u0000`)) continue;
      if (namespace !== undefined && (object.metadata.namespace ?? '') !== namespace) continue;
      out.push(object);
    }
    return out.sort((a, b) => compareKeys(listKey(a), listKey(b)));
  };
  const history: StoreEvent[] = [];
  const listeners = new Set<(event: StoreEvent) => void>();
  let revision = 1;
  let uids = 0;
  let generated = 0;
  // Events at or below this revision may have been dropped from the history.
  let compacted = 0;

  const keyOf = (storage: string, namespace: string, name: string) => `${storage}\u0000${namespace}\u0000${name}`;

  const emit = (type: EventType, storage: string, object: KubeObject) => {
    const event: StoreEvent = { type, storage, object: structuredClone(object), revision };
    history.push(event);
    if (history.length > historyLimit) compacted = history.shift()!.revision;
    for (const listener of [...listeners]) listener(event);
  };

  const nameFor = (object: KubeObject): string => {
    if (object.metadata.name) return object.metadata.name;
    // Deterministic suffixes: the tests stay reproducible.
    generated++;
    return `${object.metadata.generateName ?? ''}${generated.toString(36).padStart(5, '0')}`;
  };

  return {
    revision: () => revision,
    list: (storage, namespace) => inStorage(storage, namespace).map((o) => structuredClone(o)),
    view: inStorage,
    get(storage, namespace, name) {
      const found = objects.get(keyOf(storage, namespace, name));
      return found ? structuredClone(found) : undefined;
    },
    create(r, namespace, object, options = {}) {
      const name = nameFor(object);
      const key = keyOf(r.storage, namespace, name);
      if (objects.has(key)) throw alreadyExists(r, name);
      // As on the API server, a dry run gets the object as it would be stored, without a resourceVersion.
      const dryRun = options.dryRun === true;
      if (!dryRun) revision++;
      uids++;
      const stored: KubeObject = {
        ...structuredClone(object),
        metadata: {
          ...structuredClone(object.metadata),
          name,
          ...(r.namespaced ? { namespace } : {}),
          uid: `d0a1b2c3-0000-4000-8000-${uids.toString(16).padStart(12, '0')}`,
          ...(dryRun ? {} : { resourceVersion: String(revision) }),
          creationTimestamp: `${new Date(now()).toISOString().slice(0, 19)}Z`,
        },
      };
      if (!r.namespaced) delete stored.metadata.namespace;
      if (dryRun) return stored;
      objects.set(key, stored);
      emit('ADDED', r.storage, stored);
      return structuredClone(stored);
    },
    update(r, namespace, object) {
      const name = object.metadata.name ?? '';
      const key = keyOf(r.storage, namespace, name);
      const current = objects.get(key);
      if (!current) throw notFound(r, name);
      const wanted = object.metadata.resourceVersion;
      if (wanted !== undefined && wanted !== '' && wanted !== current.metadata.resourceVersion) throw conflict(r, name);
      // uid, creationTimestamp and the like are the server's: a client cannot change them.
      const next: KubeObject = {
        ...structuredClone(object),
        metadata: {
          ...structuredClone(object.metadata),
          name,
          ...(r.namespaced ? { namespace } : {}),
          uid: current.metadata.uid,
          creationTimestamp: current.metadata.creationTimestamp,
          resourceVersion: current.metadata.resourceVersion,
        },
      };
      if (!r.namespaced) delete next.metadata.namespace;
      if (jsonEqual(next, current)) return structuredClone(current);
      revision++;
      next.metadata.resourceVersion = String(revision);
      objects.set(key, next);
      emit('MODIFIED', r.storage, next);
      return structuredClone(next);
    },
    delete(r, namespace, name) {
      const key = keyOf(r.storage, namespace, name);
      const current = objects.get(key);
      if (!current) throw notFound(r, name);
      objects.delete(key);
      revision++;
      const gone = { ...current, metadata: { ...current.metadata, resourceVersion: String(revision) } };
      emit('DELETED', r.storage, gone);
      return structuredClone(gone);
    },
    eventsSince(storage, since) {
      if (since < compacted) return undefined;
      return history.filter((e) => e.storage === storage && e.revision > since).map((e) => ({ ...e, object: structuredClone(e.object) }));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
