import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WebhookName } from '@dd-admission/core';

/** The cluster agent's `mutation_type` / `webhook_name` tag value of each webhook. */
export const MUTATION_TYPE: Readonly<Record<WebhookName, string>> = {
  config: 'agent_config',
  tags: 'standard_tags',
  'auto-instrumentation': 'lib_injection',
};

/** How one webhook call ended, for `mutation_attempts` / `mutation_errors`. */
export interface MutationOutcome {
  injected: boolean;
  /** The failure reason (the core's stable code, or `deadline exceeded`); absent on success. */
  error?: string;
}

/** The server's telemetry, in the cluster agent's `admission_webhooks_*` family (webhooks spec §8). */
export interface WebhookMetrics {
  readonly registry: Registry;
  received(webhook: WebhookName): void;
  observeDuration(webhook: WebhookName, seconds: number): void;
  mutation(webhook: WebhookName, outcome: MutationOutcome): void;
  libraryInjected(language: string): void;
  ownerCache(resource: string, hit: boolean): void;
  /** A request answered with a 4xx before reaching a webhook (bad method, content type, size, body). */
  rejected(webhook: WebhookName, statusCode: number): void;
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
// Later cluster agents tag every webhook metric as a mutating webhook; we only have those.
const WEBHOOK_TYPE = 'mutating';

/** Creates a registry of its own (never prom-client's global one) with every metric registered. */
export function createMetrics(options: MetricsOptions = {}): WebhookMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const webhookLabels = ['mutation_type', 'webhook_name', 'webhook_type'] as const;

  const received = new Counter({ name: `${PREFIX}webhooks_received`, help: 'Number of webhook requests received.', labelNames: webhookLabels, registers });
  const duration = new Histogram({
    name: `${PREFIX}response_duration`,
    help: 'Webhook response duration distribution (in seconds).',
    labelNames: webhookLabels,
    // Prometheus' default buckets, as the agent uses.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const attempts = new Counter({
    name: `${PREFIX}mutation_attempts`,
    help: 'Number of pod mutation attempts by mutation type.',
    labelNames: ['mutation_type', 'status', 'injected', 'error'] as const,
    registers,
  });
  const errors = new Counter({ name: `${PREFIX}mutation_errors`, help: 'Number of pod mutation errors by mutation type and reason.', labelNames: ['mutation_type', 'reason'] as const, registers });
  const libraries = new Counter({
    name: `${PREFIX}library_injection_attempts`,
    help: 'Number of APM library injections by language.',
    labelNames: ['language', 'injected'] as const,
    registers,
  });
  const cacheHit = new Counter({ name: `${PREFIX}owner_cache_hit`, help: "Number of cache hits while getting pod's owner object.", labelNames: ['resource'] as const, registers });
  const cacheMiss = new Counter({ name: `${PREFIX}owner_cache_miss`, help: "Number of cache misses while getting pod's owner object.", labelNames: ['resource'] as const, registers });
  const rejected = new Counter({
    name: `${PREFIX}rejected_requests`,
    help: 'Number of webhook requests answered with a client error before any mutation.',
    labelNames: ['mutation_type', 'status_code'] as const,
    registers,
  });
  const reconcileSuccess = new Counter({ name: `${PREFIX}reconcile_success`, help: 'Number of reconcile successes per controller.', labelNames: ['controller'] as const, registers });
  const reconcileErrors = new Counter({ name: `${PREFIX}reconcile_errors`, help: 'Number of reconcile errors per controller.', labelNames: ['controller'] as const, registers });
  let hoursLeft: () => number | undefined = () => undefined;
  new Gauge({
    name: `${PREFIX}certificate_expiry`,
    help: 'Time left before the certificate expires in hours.',
    registers,
    collect() {
      const hours = hoursLeft();
      if (hours !== undefined) this.set(hours);
    },
  });

  // Bound children per webhook: the hot path then skips prom-client's label hashing.
  const labelsOf = (w: WebhookName) => ({ mutation_type: MUTATION_TYPE[w], webhook_name: MUTATION_TYPE[w], webhook_type: WEBHOOK_TYPE });
  const receivedBy = bindPerWebhook((w) => received.labels(labelsOf(w)));
  // One labelled child per outcome, made once: labelling on every request costs a label hash each time.
  const attemptChildren = new Map<string, ReturnType<typeof attempts.labels>>();
  const attemptsBy = (type: string, status: string, injected: boolean, error: string) => {
    const key = `${type}|${status}|${injected}|${error}`;
    let child = attemptChildren.get(key);
    if (!child) {
      child = attempts.labels({ mutation_type: type, status, injected: String(injected), error });
      attemptChildren.set(key, child);
    }
    return child;
  };
  const durationBy = bindPerWebhook((w) => duration.labels(labelsOf(w)));

  return {
    registry,
    received: (w) => receivedBy[w].inc(),
    observeDuration: (w, seconds) => durationBy[w].observe(seconds),
    mutation(w, outcome) {
      const type = MUTATION_TYPE[w];
      const status = outcome.error === undefined ? 'success' : 'error';
      attemptsBy(type, status, outcome.injected, outcome.error ?? '').inc();
      if (outcome.error !== undefined) errors.inc({ mutation_type: type, reason: outcome.error });
    },
    libraryInjected: (language) => libraries.inc({ language, injected: 'true' }),
    ownerCache: (resource, hit) => (hit ? cacheHit : cacheMiss).inc({ resource }),
    rejected: (w, statusCode) => rejected.inc({ mutation_type: MUTATION_TYPE[w], status_code: String(statusCode) }),
    reconcile: (controller, ok) => (ok ? reconcileSuccess : reconcileErrors).inc({ controller }),
    certificateExpiry(source) {
      hoursLeft = source;
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

function bindPerWebhook<T>(make: (w: WebhookName) => T): Record<WebhookName, T> {
  return { config: make('config'), tags: make('tags'), 'auto-instrumentation': make('auto-instrumentation') };
}
