import { kubeObjectSchema, ownerCacheKey, type KubeObject, type OwnerResource } from '@dd-admission/core';
import type { Clock } from './clock.js';

/** Fetches one owner object (the Kubernetes API in production, a function in tests); rejects with a readable error. */
export type OwnerFetch = (resource: OwnerResource) => Promise<unknown>;

/** Options of one lookup. */
export interface LookupOptions {
  /** A dry-run request reads the cache but never writes it. */
  dryRun: boolean;
}

/** Owner objects by reference, cached for `pod_owners_cache_validity` minutes as the cluster agent does. */
export interface OwnerLookup {
  get(resource: OwnerResource, options: LookupOptions): Promise<KubeObject>;
  /** Number of cached owners (for tests and diagnostics). */
  size(): number;
}

/** The fetched object is not a Kubernetes object. */
export class InvalidOwnerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidOwnerError';
  }
}

export interface OwnerLookupOptions {
  fetch: OwnerFetch;
  /** Time to live of a cached owner; 0 disables the cache. */
  ttlMs: number;
  clock: Clock;
  /** Told of every cache hit and miss, by resource (`replicasets`, ...). */
  onCacheResult?: (resource: string, hit: boolean) => void;
  /** Bound on cached owners; expired then oldest entries go first. */
  maxEntries?: number;
}

interface Entry {
  object: KubeObject;
  expiresAt: number;
}

/** Creates a lookup with its own cache; concurrent misses for one owner share one fetch. */
export function createOwnerLookup(options: OwnerLookupOptions): OwnerLookup {
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<KubeObject>>();
  const maxEntries = options.maxEntries ?? 10_000;

  const fetchValid = async (resource: OwnerResource): Promise<KubeObject> => validOwner(await options.fetch(resource));

  const fetchAndStore = (key: string, resource: OwnerResource): Promise<KubeObject> => {
    const pending = inFlight.get(key);
    if (pending) return pending;
    const work = fetchValid(resource)
      .then((object) => {
        store(cache, key, { object, expiresAt: options.clock.now() + options.ttlMs }, maxEntries, options.clock.now());
        return object;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, work);
    return work;
  };

  return {
    get(resource, { dryRun }) {
      const key = ownerCacheKey(resource);
      const cached = cache.get(key);
      const hit = cached !== undefined && cached.expiresAt > options.clock.now();
      options.onCacheResult?.(resource.resource, hit);
      if (hit) return Promise.resolve(cached.object);
      if (dryRun || options.ttlMs <= 0) return fetchValid(resource);
      return fetchAndStore(key, resource);
    },
    size: () => cache.size,
  };
}

function store(cache: Map<string, Entry>, key: string, entry: Entry, maxEntries: number, now: number): void {
  cache.delete(key); // re-inserting keeps Map order = age order
  cache.set(key, entry);
  if (cache.size <= maxEntries) return;
  for (const [k, e] of cache) if (e.expiresAt <= now) cache.delete(k);
  for (const k of cache.keys()) {
    if (cache.size <= maxEntries) break;
    cache.delete(k);
  }
}

function validOwner(value: unknown): KubeObject {
  const parsed = kubeObjectSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidOwnerError(`the API returned something that is not a Kubernetes object (${parsed.error.issues[0]?.message ?? 'invalid'})`);
}
