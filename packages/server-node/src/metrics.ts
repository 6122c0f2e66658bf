import { Registry, collectDefaultMetrics } from 'prom-client';
import { AGENT_WEBHOOK_NAME, ENTRY_NAMES, type EntryName, type WebhookName } from '@dd-admission/core';
import { counter, gauge, histogram, PROMETHEUS_CONTENT_TYPE } from './prometheus.js';

/** The cluster agent's `mutation_type` / `webhook_name` tag value of each webhook. */
export const MUTATION_TYPE: Readonly<Record<EntryName, string>> = AGENT_WEBHOOK_NAME;

/** How a probe run ended, for `probe_executions`. */
export type ProbeResult = 'success' | 'failure' | 'config_error';

/** How one webhook call ended, for `mutation_attempts` / `mutation_errors`. */
export interface MutationOutcome {
  injected: boolean;
  /** The failure reason (the core's stable code, or `deadline exceeded`); absent on success. */
  error?: string;
}

/** The server's telemetry, in the cluster agent's `admission_webhooks_*` family (webhooks spec §8). */
export interface WebhookMetrics {
  received(webhook: EntryName): void;
  observeDuration(webhook: EntryName, seconds: number): void;
  mutation(webhook: WebhookName, outcome: MutationOutcome): void;
  /** A validating webhook's answer: `validation_attempts` (the admission-events webhook always allows). */
  validation(webhook: EntryName, validated: boolean): void;
  /** A probe object answered with the probe-received annotation (7.78). */
  probeAnswered(): void;
  /** One run of the connectivity probe on the leader (7.78). */
  probeRun(result: ProbeResult): void;
  libraryInjected(language: string): void;
  ownerCache(resource: string, hit: boolean): void;
  /** A request answered with a 4xx before reaching a webhook (bad method, content type, size, body). */
  rejected(webhook: EntryName, statusCode: number): void;
  /** One controller reconcile: `reconcile_success` / `reconcile_errors`, tag `controller` (`secrets` / `webhooks`). */
  reconcile(controller: 'secrets' | 'webhooks', ok: boolean): void;
  /** Tells the certificate_expiry gauge how to read the hours left on the served certificate. */
  certificateExpiry(hoursLeft: () => number | undefined): void;
  /** The Prometheus text exposition. */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsOptions {
  /** Also export prom-client's process and Node.js metrics (main turns this on; tests leave it off). */
  processMetrics?: boolean;
}

const PREFIX = 'admission_webhooks_';

/** The `webhook_type` tag: every entry mutates but the admission-events one. */
function webhookType(w: EntryName): string {
  return w === 'kubernetes-admission-events' ? 'validating' : 'mutating';
}

/** Creates the server's metrics, its own (no global registry), every family registered. */
export function createMetrics(options: MetricsOptions = {}): WebhookMetrics {
  const processRegistry = options.processMetrics ? processMetricsRegistry() : undefined;
  const webhookLabels = ['mutation_type', 'webhook_name', 'webhook_type'];

  const received = counter({ name: `${PREFIX}webhooks_received`, help: 'Number of webhook requests received.', labelNames: webhookLabels });
  const duration = histogram({
    name: `${PREFIX}response_duration`,
    help: 'Webhook response duration distribution (in seconds).',
    labelNames: webhookLabels,
    // Prometheus' default buckets, as the agent uses.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const attempts = counter({ name: `${PREFIX}mutation_attempts`, help: 'Number of pod mutation attempts by mutation type.', labelNames: ['mutation_type', 'status', 'injected', 'error'] });
  const errors = counter({ name: `${PREFIX}mutation_errors`, help: 'Number of pod mutation errors by mutation type and reason.', labelNames: ['mutation_type', 'reason'] });
  const libraries = counter({ name: `${PREFIX}library_injection_attempts`, help: 'Number of APM library injections by language.', labelNames: ['language', 'injected'] });
  const cacheHit = counter({ name: `${PREFIX}owner_cache_hit`, help: "Number of cache hits while getting pod's owner object.", labelNames: ['resource'] });
  const cacheMiss = counter({ name: `${PREFIX}owner_cache_miss`, help: "Number of cache misses while getting pod's owner object.", labelNames: ['resource'] });
  const rejected = counter({
    name: `${PREFIX}rejected_requests`,
    help: 'Number of webhook requests answered with a client error before any mutation.',
    labelNames: ['mutation_type', 'status_code'],
  });
  const validations = counter({
    name: `${PREFIX}validation_attempts`,
    help: 'Number of validation attempts by validation type.',
    labelNames: ['webhook_name', 'status', 'validated', 'error'],
  });
  const probeAnswers = counter({ name: `${PREFIX}probe_answers`, help: 'Number of connectivity probe objects answered with the probe-received annotation.', labelNames: [] });
  // Its one series exists from the start, so the family reads 0 rather than nothing.
  const probeAnswersTotal = probeAnswers.series();
  const probeRuns = counter({ name: `${PREFIX}probe_executions`, help: 'Number of connectivity probe runs by result.', labelNames: ['result'] });
  const reconcileSuccess = counter({ name: `${PREFIX}reconcile_success`, help: 'Number of reconcile successes per controller.', labelNames: ['controller'] });
  const reconcileErrors = counter({ name: `${PREFIX}reconcile_errors`, help: 'Number of reconcile errors per controller.', labelNames: ['controller'] });
  let hoursLeft: () => number | undefined = () => undefined;
  const expiry = gauge({ name: `${PREFIX}certificate_expiry`, help: 'Time left before the certificate expires in hours.', read: () => hoursLeft() });
  const families = [received, duration, attempts, errors, libraries, cacheHit, cacheMiss, rejected, validations, probeAnswers, probeRuns, reconcileSuccess, reconcileErrors, expiry];

  // The series each webhook's requests touch, looked up once.
  const webhookSeries = (w: EntryName) => [MUTATION_TYPE[w], MUTATION_TYPE[w], webhookType(w)] as const;
  const receivedBy = bindPerWebhook((w) => received.series(...webhookSeries(w)));
  const durationBy = bindPerWebhook((w) => duration.series(...webhookSeries(w)));

  return {
    received: (w) => receivedBy[w].inc(),
    observeDuration: (w, seconds) => durationBy[w].observe(seconds),
    mutation(w, outcome) {
      const type = MUTATION_TYPE[w];
      const status = outcome.error === undefined ? 'success' : 'error';
      attempts.series(type, status, String(outcome.injected), outcome.error ?? '').inc();
      if (outcome.error !== undefined) errors.series(type, outcome.error).inc();
    },
    validation: (w, validated) => validations.series(MUTATION_TYPE[w], 'success', String(validated), '').inc(),
    probeAnswered: () => probeAnswersTotal.inc(),
    probeRun: (result) => probeRuns.series(result).inc(),
    libraryInjected: (language) => libraries.series(language, 'true').inc(),
    ownerCache: (resource, hit) => (hit ? cacheHit : cacheMiss).series(resource).inc(),
    rejected: (w, statusCode) => rejected.series(MUTATION_TYPE[w], String(statusCode)).inc(),
    reconcile: (controller, ok) => (ok ? reconcileSuccess : reconcileErrors).series(controller).inc(),
    certificateExpiry(source) {
      hoursLeft = source;
    },
    async render() {
      const ours = families.map((f) => f.render()).join('');
      return { contentType: PROMETHEUS_CONTENT_TYPE, body: processRegistry ? ours + (await processRegistry.metrics()) : ours };
    },
  };
}

/** prom-client's process and Node.js metrics (CPU, memory, event loop lag, GC), in a registry of their own. */
function processMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

function bindPerWebhook<T>(make: (w: EntryName) => T): Record<EntryName, T> {
  return Object.fromEntries(ENTRY_NAMES.map((w) => [w, make(w)])) as Record<EntryName, T>;
}
