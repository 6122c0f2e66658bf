import http from 'node:http';
import https from 'node:https';
import type { OwnerResource } from '@dd-admission/core';
import type { OwnerFetch } from './owner-lookup.js';

// Only the type is imported statically: the client is loaded on the first lookup,
// so a server that never needs an owner starts (and the bundle runs) without it.
type KubeConfig = import('@kubernetes/client-node').KubeConfig;

/** The Kubernetes client could not be loaded or configured. */
export class KubeClientUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeClientUnavailableError';
  }
}

/** The API answered a GET with an error status. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export interface KubeOwnerFetchOptions {
  /** Per-request timeout; the review deadline usually answers first. */
  timeoutMs?: number;
  /** Loads the client; defaults to a dynamic import of `@kubernetes/client-node` (tests replace it). */
  loadClient?: () => Promise<{ KubeConfig: new () => KubeConfig }>;
}

/**
 * An OwnerFetch over the Kubernetes API, as the cluster agent's dynamic client
 * does: GET `/api[s]/<group>/<version>/namespaces/<ns>/<resource>/<name>`, with
 * the in-cluster service account (or the local kubeconfig outside a cluster).
 */
export function kubeOwnerFetch(options: KubeOwnerFetchOptions = {}): OwnerFetch {
  const load = options.loadClient ?? (() => import('@kubernetes/client-node'));
  let config: Promise<KubeConfig> | undefined;
  return async (resource) => {
    config ??= loadConfig(load);
    const kc = await config;
    return getJson(kc, resourcePath(resource), options.timeoutMs ?? 10_000);
  };
}

async function loadConfig(load: NonNullable<KubeOwnerFetchOptions['loadClient']>): Promise<KubeConfig> {
  let k8s: Awaited<ReturnType<typeof load>>;
  try {
    k8s = await load();
  } catch (error) {
    throw new KubeClientUnavailableError(`the Kubernetes client @kubernetes/client-node is not installed: ${(error as Error).message}`);
  }
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (error) {
    throw new KubeClientUnavailableError(`no Kubernetes configuration: ${(error as Error).message}`);
  }
  if (!kc.getCurrentCluster()) throw new KubeClientUnavailableError('no Kubernetes cluster configured');
  return kc;
}

/** The API path of a namespaced object; the core group lives under /api. */
export function resourcePath(r: OwnerResource): string {
  const base = r.group === '' ? `/api/${enc(r.version)}` : `/apis/${enc(r.group)}/${enc(r.version)}`;
  return `${base}/namespaces/${enc(r.namespace)}/${enc(r.resource)}/${enc(r.name)}`;
}

const enc = encodeURIComponent;

async function getJson(kc: KubeConfig, path: string, timeoutMs: number): Promise<unknown> {
  const url = new URL(path, kc.getCurrentCluster()!.server);
  const request: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' }, timeout: timeoutMs };
  // Adds the CA, client certificate and bearer token of the current context.
  await kc.applyToHTTPSOptions(request);
  const client = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = client.request(url, request, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) return reject(new KubeApiError(status, apiErrorText(status, text)));
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new KubeApiError(status, 'the API answered with invalid JSON'));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from the API server within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The API's Status message when there is one (`replicasets.apps "x" not found`). */
function apiErrorText(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not a Status object
  }
  return `the API answered HTTP ${status}`;
}
