// Shared helpers of the server tests: a real HTTPS server on 127.0.0.1, a client that verifies its CA.
import { parseConfig, type AdmissionConfig, type KubeObject, type OwnerResource } from '@dd-admission/core';
import { Agent, request } from 'undici';
import { systemClock, type Clock } from '../src/clock.js';
import { generateDevCertificate } from '../src/dev-certificate.js';
import { createLogger, type LogFormat, type LogLevel } from '../src/logger.js';
import { createMetrics, type WebhookMetrics } from '../src/metrics.js';
import { createOwnerLookup, type OwnerFetch, type OwnerLookup } from '../src/owner-lookup.js';
import { createWebhookServer, type WebhookServer } from '../src/server.js';
import { staticTls, type TlsMaterial, type TlsSource } from '../src/tls.js';

/** A parsed configuration from datadog.yaml-style values for `agentVersion` (default 7.49, what the tests written before 7.78 state); throws on a config error. */
export function config(values: Record<string, unknown> = {}, agentVersion = '7.49'): AdmissionConfig {
  const r = parseConfig({ origin: 'test', values }, { agentVersion });
  if (!r.ok) throw new Error(`config error: ${JSON.stringify(r.errors)}`);
  return r.config;
}

/** A fresh self-signed certificate for 127.0.0.1 and localhost. */
export function certificate(commonName = 'test-webhook'): Promise<TlsMaterial> {
  return generateDevCertificate({ hosts: ['127.0.0.1', 'localhost'], clock: systemClock, commonName });
}

export interface TestServerOptions {
  config?: AdmissionConfig;
  tls?: TlsSource;
  material?: TlsMaterial;
  fetch?: OwnerFetch;
  clock?: Clock;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  agentNamespace?: string;
  /** DD_INSTRUMENTATION_INSTALL_TIME / _ID for library injection. */
  install?: { time: string; id: string };
  maxBodyBytes?: number;
  /** Wraps the real metrics (to make one throw, say). */
  wrapMetrics?: (metrics: WebhookMetrics) => WebhookMetrics;
}

export interface TestServer {
  server: WebhookServer;
  base: string;
  port: number;
  ca: string;
  logs: string[];
  metrics: WebhookMetrics;
  lookup: OwnerLookup;
  /** Every owner the fetch was asked for. */
  fetched: OwnerResource[];
  /** A dispatcher that trusts the server's CA (keep-alive pool). */
  client: Agent;
  close(): Promise<void>;
}

/** Starts a webhook server on 127.0.0.1 with an ephemeral port, logs captured in memory. */
export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const material = options.material ?? (await certificate());
  const tls = options.tls ?? staticTls(material);
  const clock = options.clock ?? systemClock;
  const logs: string[] = [];
  const logger = createLogger({ level: options.logLevel ?? 'debug', format: options.logFormat ?? 'text', sink: (l) => logs.push(l), clock });
  const real = createMetrics();
  const metrics = options.wrapMetrics ? options.wrapMetrics(real) : real;
  const fetched: OwnerResource[] = [];
  const fetch: OwnerFetch = async (r) => {
    fetched.push(r);
    if (!options.fetch) throw new Error('no owner fetch in this test');
    return options.fetch(r);
  };
  const lookup = createOwnerLookup({ fetch, ttlMs: 10 * 60_000, clock, onCacheResult: metrics.ownerCache });
  const server = createWebhookServer({
    config: options.config ?? config(),
    tls,
    logger,
    metrics,
    ownerLookup: lookup,
    clock,
    agentNamespace: options.agentNamespace ?? 'datadog',
    ...(options.install ? { install: options.install } : {}),
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  const address = await server.listen(0, '127.0.0.1');
  const client = new Agent({ connect: { ca: tls.current().cert } });
  return {
    server,
    base: `https://127.0.0.1:${address.port}`,
    port: address.port,
    ca: tls.current().cert,
    logs,
    metrics,
    lookup,
    fetched,
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Sends one request through the CA-verifying client. */
export async function send(
  t: TestServer,
  path: string,
  init: { method?: string; body?: string | Buffer; contentType?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (init.contentType !== null) headers['content-type'] = init.contentType ?? 'application/json';
  const res = await request(`${t.base}${path}`, {
    method: (init.method ?? 'POST') as 'POST',
    headers,
    body: init.body ?? null,
    dispatcher: t.client,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** Posts an AdmissionReview and returns the decoded answer (throws unless 200). */
export async function review(t: TestServer, path: string, body: object): Promise<AdmissionAnswer> {
  const reply = await send(t, path, { body: JSON.stringify(body) });
  if (reply.status !== 200) throw new Error(`HTTP ${reply.status}: ${reply.text}`);
  return JSON.parse(reply.text) as AdmissionAnswer;
}

export interface AdmissionAnswer {
  apiVersion: string;
  kind: string;
  response: { uid: string; allowed: boolean; patchType?: string; patch?: string; status?: { message: string }; warnings?: string[] };
}

/** The JSON patch of an answer, decoded from base64. */
export function patchOf(answer: AdmissionAnswer): unknown[] {
  if (!answer.response.patch) return [];
  return JSON.parse(Buffer.from(answer.response.patch, 'base64').toString('utf8')) as unknown[];
}

export interface PodSpecInput {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string }[];
  containers?: object[];
}

/** A pod CREATE review in `apiVersion`, as the API server sends it. */
export function admissionReview(apiVersion: 'admission.k8s.io/v1' | 'admission.k8s.io/v1beta1', pod: PodSpecInput, extra: Record<string, unknown> = {}): object {
  const metadata: Record<string, unknown> = {};
  for (const key of ['name', 'generateName', 'namespace', 'labels', 'annotations', 'ownerReferences'] as const) {
    if (pod[key] !== undefined) metadata[key] = pod[key];
  }
  return {
    apiVersion,
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${Math.random().toString(16).slice(2)}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: pod.namespace ?? 'shop',
      operation: 'CREATE',
      object: { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: pod.containers ?? [{ name: 'app', image: 'app:1' }] } },
      ...extra,
    },
  };
}

/** The uid of a review built by admissionReview. */
export function uidOf(body: object): string {
  return (body as { request: { uid: string } }).request.uid;
}

/** A ReplicaSet owned by a Deployment, and the Deployment, as the API returns them. */
export function deploymentOwners(namespace: string, labels: Record<string, string>): Record<string, KubeObject> {
  return {
    'replicasets/web-5d8f7c9b4': {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-5d8f7c9b4', namespace, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }] },
    },
    'deployments/web': { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace, labels } },
  };
}

/** Reads one sample value of a metric from the Prometheus text (undefined when absent). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labelText = m[2] ?? '';
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    return Number(m[3]);
  }
  return undefined;
}
