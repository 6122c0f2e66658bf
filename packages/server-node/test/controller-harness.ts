// Replicas of the webhook (controllers + HTTPS server) against the Kubernetes API double,
// configured through a kubeconfig file as in a cluster, and an API-server-like caller
// that sends pod reviews through the registered webhook configuration.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { webhookConfiguration, type AdmissionConfig, type Pod } from '@dd-admission/core';
import { dispatch, type DispatchResult, type WebhookClients, type WebhookRegistration } from '@dd-admission/testing';
import { Agent, type Dispatcher } from 'undici';
import { connectKube } from '@dd-admission/kube';
import { systemClock, type Clock } from '../src/clock.js';
import { startControllers, type RunningControllers } from '../src/controllers/start.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import type { KubeApi, KubeObject } from '@dd-admission/testing';
import { config as parseTestConfig, startServer, type TestServer } from './helpers.js';

export const NAMESPACE = 'datadog';
export const SERVICE_HOST = `datadog-admission-controller.${NAMESPACE}.svc`;
export const MWC = 'admissionregistration.k8s.io/v1';

/** The controllers' configuration in these tests: enabled, resources in `datadog`, resync every second. */
export function controllerConfig(values: Record<string, unknown> = {}): AdmissionConfig {
  return parseTestConfig({ 'admission_controller.enabled': true, kube_resources_namespace: NAMESPACE, kubernetes_informers_resync_period: 1, ...values });
}

/** Short lease timings and back-off: the tests see leadership move and errors retried within a second or two. */
export const FAST = {
  timings: { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 200 },
  backoff: { baseMs: 50, maxMs: 500 },
  discoveryPauseMs: 20,
};

export interface Replica {
  identity: string;
  controllers: RunningControllers;
  logs: string[];
  /** Started once the Secret holds a certificate (withServer). */
  server?: TestServer;
  stop(): Promise<void>;
}

/** A directory for kubeconfig files, removed by the returned function. */
export async function scratch(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'dd-controllers-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts one replica with its own bearer token (= identity) so the double records who wrote what. */
export async function startReplica(
  api: KubeApi,
  dir: string,
  identity: string,
  options: { config?: AdmissionConfig; withServer?: boolean; clock?: Clock } = {},
): Promise<Replica> {
  const file = join(dir, `${identity}.kubeconfig`);
  await writeFile(file, api.kubeconfig({ token: identity }));
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', format: 'text', sink: (l) => logs.push(l), clock: systemClock });
  const config = options.config ?? controllerConfig();
  const client = await connectKube({ kubeconfig: file, env: {}, timeoutMs: 3_000 });
  const clock = options.clock ?? systemClock;
  const controllers = await startControllers({ config, namespace: NAMESPACE, client, identity, clock, logger, metrics: createMetrics(), ...FAST });
  const replica: Replica = {
    identity,
    controllers,
    logs,
    async stop() {
      await replica.server?.close();
      await controllers.stop();
    },
  };
  if (options.withServer) {
    const tls = await controllers.tls;
    replica.server = await startServer({ config, tls, agentNamespace: NAMESPACE });
  }
  return replica;
}

/** A clock that stands still until the test moves it: a lease then expires when the test says, however slow the machine. */
export function manualClock(start = Date.now()): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}

/** Polls `check` every 25 ms until it returns a value other than undefined/false; fails after `ms`. */
export async function eventually<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < 10_000; i++) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

export interface WebhookJson {
  name: string;
  clientConfig: { caBundle?: string; service?: { namespace: string; name: string; path?: string; port?: number } };
  failurePolicy?: string;
  timeoutSeconds?: number;
  reinvocationPolicy?: string;
  sideEffects?: string;
  admissionReviewVersions?: string[];
  objectSelector?: object;
  namespaceSelector?: object;
  [key: string]: unknown;
}

/** The stored webhook configuration, or undefined. */
export function storedConfiguration(api: KubeApi): (KubeObject & { webhooks?: WebhookJson[] }) | undefined {
  return api.read(MWC, 'MutatingWebhookConfiguration', 'datadog-webhook') as (KubeObject & { webhooks?: WebhookJson[] }) | undefined;
}

/** The stored Secret, or undefined. */
export function storedSecret(api: KubeApi): (KubeObject & { data?: Record<string, string> }) | undefined {
  return api.read('v1', 'Secret', 'webhook-certificate', NAMESPACE) as (KubeObject & { data?: Record<string, string> }) | undefined;
}

/** The webhook configuration the controllers must converge to, for the Secret's certificate. */
export function expectedWebhooks(config: AdmissionConfig, caBundle: string): ReturnType<typeof webhookConfiguration>['webhooks'] {
  return webhookConfiguration(config, caBundle, { namespace: NAMESPACE }).webhooks;
}

/** SHA-256 fingerprint of the certificate a server presents on a new connection. */
export function servedFingerprint(port: number, caPem: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: caPem, servername: SERVICE_HOST }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

/**
 * The API server's webhook clients: one keep-alive pool per CA bundle, dialling the
 * server's port but checking the certificate for the Service's DNS name, as
 * kube-apiserver does when it calls `<svc>.<ns>.svc`.
 */
export function serviceClients(): WebhookClients {
  const agents = new Map<string, Agent>();
  return {
    agentFor(caPem): Dispatcher {
      const key = caPem ?? '';
      let agent = agents.get(key);
      if (!agent) {
        agent = new Agent({ connect: { ca: caPem, servername: SERVICE_HOST }, keepAliveTimeout: 30_000 });
        agents.set(key, agent);
      }
      return agent;
    },
    async close() {
      const all = [...agents.values()];
      agents.clear();
      await Promise.all(all.map((a) => a.close()));
    },
  };
}

/** The registrations of the stored configuration, pointed at `port` (the API server resolves the Service; we dial 127.0.0.1). */
export function registrationsFor(api: KubeApi, port: number): WebhookRegistration[] {
  const stored = storedConfiguration(api);
  if (!stored) throw new Error('no webhook configuration is registered');
  return (stored.webhooks ?? []).map((w) => ({
    name: w.name,
    url: `https://127.0.0.1:${port}${w.clientConfig.service?.path ?? '/'}`,
    ...(w.clientConfig.caBundle ? { caBundle: w.clientConfig.caBundle } : {}),
    ...(w.failurePolicy ? { failurePolicy: w.failurePolicy as 'Ignore' | 'Fail' } : {}),
    ...(w.timeoutSeconds ? { timeoutSeconds: w.timeoutSeconds } : {}),
    ...(w.reinvocationPolicy ? { reinvocationPolicy: w.reinvocationPolicy as 'Never' | 'IfNeeded' } : {}),
    ...(w.admissionReviewVersions ? { admissionReviewVersions: w.admissionReviewVersions } : {}),
    ...(w.objectSelector ? { objectSelector: w.objectSelector as never } : {}),
    ...(w.namespaceSelector ? { namespaceSelector: w.namespaceSelector as never } : {}),
  }));
}

/** A pod that opts in, created in namespace `shop`. */
export function optInPod(name: string): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels: { 'admission.datadoghq.com/enabled': 'true' } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } } as Pod;
}

/** One pod CREATE through the registered webhooks, as the API server would make it. */
export function admitPod(api: KubeApi, port: number, clients: WebhookClients, name: string): Promise<DispatchResult> {
  return dispatch(optInPod(name), { namespace: 'shop', webhooks: registrationsFor(api, port), clients });
}
