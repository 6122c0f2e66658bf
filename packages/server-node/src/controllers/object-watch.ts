import { formatGoDuration } from '@dd-admission/core';
import { apiVersionOf, describeKubeError, type ApiResource, type KubeClient, type WatchEvent } from '@dd-admission/kube';
import type { Clock } from '../clock.js';
import { SITES } from '../log-lines.js';
import type { Logger } from '../logger.js';
import { backoffDelay, pause, type Backoff } from './backoff.js';

// A small informer for one named object (the agent's informers use a
// `metadata.name=<name>` field selector): list, then watch from the list's
// resourceVersion, re-watch when the server ends the stream, re-list when the
// version is too old (410) or after an error (with back-off), and replay the
// cached object every resync period. Handlers see add / update / delete as
// client-go's would, with update also fired on resync and re-list.

/** The parts of an object the watch reads. */
export interface ObjectJson {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export type ObjectEvent<T extends ObjectJson> =
  | { type: 'add'; object: T }
  /** `previous` and `object` have the same resourceVersion on a resync. */
  | { type: 'update'; object: T; previous: T }
  | { type: 'delete'; object: T };

export interface ObjectWatchOptions<T extends ObjectJson> {
  client: KubeClient;
  resource: ApiResource;
  /** The object's namespace (for a namespaced resource). */
  namespace?: string;
  name: string;
  /** Replay period; 0 disables it. */
  resyncMs: number;
  /** Called for every change, in order; must not throw (errors are logged). */
  onEvent: (event: ObjectEvent<T>) => void;
  logger: Logger;
  clock: Clock;
  backoff: Backoff;
  /** Asked of the server for each watch (it ends the stream then); default 300 s. */
  watchTimeoutSeconds?: number;
}

/** A running watch of one object. */
export interface ObjectWatch<T extends ObjectJson> {
  /** The object as last seen; undefined before the first list or when it does not exist. */
  current(): T | undefined;
  hasSynced(): boolean;
  /** Resolves after the first successful list (or when stopped). */
  readonly synced: Promise<void>;
  stop(): void;
}

/** Starts watching; it runs (and retries) until stopped. */
export function watchObject<T extends ObjectJson>(options: ObjectWatchOptions<T>): ObjectWatch<T> {
  const { client, resource, namespace, name } = options;
  const description = `${apiVersionOf(resource)}/${resource.resource}`;
  const fieldSelector = `metadata.name=${name}`;
  const stopper = new AbortController();
  const { signal } = stopper;
  let cached: T | undefined;
  let synced = false;
  let markSynced!: () => void;
  const syncedPromise = new Promise<void>((resolve) => (markSynced = resolve));
  signal.addEventListener('abort', () => markSynced(), { once: true });

  const emit = (event: ObjectEvent<T>) => {
    try {
      options.onEvent(event);
    } catch (error) {
      options.logger.error(SITES.informerWatch, `A handler of ${description} failed: ${(error as Error).message}`);
    }
  };
  const set = (object: T | undefined) => {
    const previous = cached;
    cached = object;
    if (object && previous) emit({ type: 'update', object, previous });
    else if (object) emit({ type: 'add', object });
    else if (previous) emit({ type: 'delete', object: previous });
  };

  const run = async () => {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const started = options.clock.now();
        const listed = await client.listAll<T>(resource, { namespace, fieldSelector, signal });
        set(listed.items.find((o) => o.metadata?.name === name));
        if (!synced) {
          synced = true;
          markSynced();
          options.logger.debug(
            SITES.informerSync,
            `Sync done for informer ${description} in ${formatGoDuration(BigInt(options.clock.now() - started) * 1_000_000n)}, last resource version: ${listed.resourceVersion}`,
          );
        }
        failures = 0;
        await watchLoop(listed.resourceVersion);
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        const wait = backoffDelay(options.backoff, failures);
        options.logger.warn(SITES.informerWatch, `Failed to list or watch ${description}: ${describeKubeError(error)}; retrying in ${wait}ms`);
        await pause(wait, signal);
      }
    }
  };

  /** Watches from `version` until the version is too old (returns: re-list) or an error (throws). */
  const watchLoop = async (version: string) => {
    let rv = version;
    while (!signal.aborted) {
      const end = await watchOnce(rv);
      if (end.kind === 'expired') return;
      if (end.kind === 'error') throw end.error;
      rv = end.resourceVersion;
    }
  };

  type End = { kind: 'closed'; resourceVersion: string } | { kind: 'expired' } | { kind: 'error'; error: unknown };

  /** One watch from `from`, until the server ends it: how it ended. */
  const watchOnce = async (from: string): Promise<End> => {
    let rv = from;
    let expired = false;
    let stalled = false;
    const seconds = options.watchTimeoutSeconds ?? 300;
    const request = new AbortController();
    const stop = () => request.abort();
    signal.addEventListener('abort', stop, { once: true });
    // A server that stops answering without closing the connection must not keep us waiting forever.
    const guard = setTimeout(() => {
      stalled = true;
      request.abort();
    }, (seconds + 30) * 1000);
    const onEvent = (event: WatchEvent) => {
      if (event.type === 'ERROR') {
        if (event.object.code === 410) expired = true;
        return;
      }
      rv = event.object.metadata?.resourceVersion ?? rv;
      if (event.type === 'BOOKMARK' || event.object.metadata?.name !== name) return;
      if (event.type === 'DELETED') set(undefined);
      else set(event.object as T);
    };
    try {
      await client.watch(resource, { namespace, fieldSelector, resourceVersion: rv, timeoutSeconds: seconds, allowWatchBookmarks: true, signal: request.signal }, onEvent);
    } catch (error) {
      if (stalled) return { kind: 'error', error: new Error(`the watch of ${description} got no end from the server after ${seconds + 30}s`) };
      if (!signal.aborted && !expired) return { kind: 'error', error };
    } finally {
      clearTimeout(guard);
      signal.removeEventListener('abort', stop);
    }
    return expired ? { kind: 'expired' } : { kind: 'closed', resourceVersion: rv };
  };

  // client-go's resync: the cached object is handed to the update handlers again.
  const resync =
    options.resyncMs > 0
      ? setInterval(() => {
          if (synced && cached) emit({ type: 'update', object: cached, previous: cached });
        }, options.resyncMs)
      : undefined;
  resync?.unref();

  void run();
  return {
    current: () => cached,
    hasSynced: () => synced,
    synced: syncedPromise,
    stop() {
      if (resync) clearInterval(resync);
      stopper.abort();
    },
  };
}
