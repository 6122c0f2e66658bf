import type { AdmissionConfig } from '../config/schema.js';
import { isWebhookEnabled } from '../webhooks/mutate.js';
import { WEBHOOKS, type WebhookName } from '../webhooks/report.js';
import { hasChange } from '../versions/behaviour-changes.js';
import type { SnapshotWebhook, SnapshotWebhookConfiguration } from './snapshot.js';

// The Cluster Agent's entries in a MutatingWebhookConfiguration, under either
// of the names they have had: 7.49's `datadog.webhook.config` /
// `.tags` / `.auto.instrumentation`, and the names since 7.58
// (`.agent.config`, `.standard.tags`, `.lib.injection`).

const SUFFIXES: Readonly<Record<WebhookName, { before: string; since: string }>> = {
  config: { before: 'config', since: 'agent_config' },
  tags: { before: 'tags', since: 'standard_tags' },
  'auto-instrumentation': { before: 'auto-instrumentation', since: 'lib_injection' },
};

/** The two names of an entry: the one the configured agent version writes, and the other era's. */
function entryNames(config: AdmissionConfig, webhook: WebhookName): { expected: string; other: string } {
  const prefix = config.admission_controller.webhook_name;
  // 7.49 turns `-` into `.`; since the rename, `_` as well.
  const before = `${prefix}.${SUFFIXES[webhook].before}`.replace(/-/g, '.');
  const since = `${prefix}.${SUFFIXES[webhook].since}`.replace(/[-_]/g, '.');
  return hasChange(config.agentVersion, 'webhook-names-renamed') ? { expected: since, other: before } : { expected: before, other: since };
}

/** One enabled webhook and the entry serving it, if any. */
export interface EntryMatch {
  webhook: WebhookName;
  names: { expected: string; other: string };
  entry?: SnapshotWebhook;
  /** The entry carries the other era's name. */
  otherEra: boolean;
}

/** The entries of every webhook the configuration enables, in the agent's order. */
export function matchEntries(configuration: SnapshotWebhookConfiguration | undefined, config: AdmissionConfig): EntryMatch[] {
  const entries = configuration?.webhooks ?? [];
  return WEBHOOKS.filter((w) => isWebhookEnabled(config, w)).map((webhook) => {
    const names = entryNames(config, webhook);
    const expected = entries.find((e) => e.name === names.expected);
    const other = expected ? undefined : entries.find((e) => e.name === names.other);
    const entry = expected ?? other;
    return { webhook, names, otherEra: other !== undefined, ...(entry ? { entry } : {}) };
  });
}

/** The entries of `configuration` that are the Cluster Agent's (either era's names). */
export function datadogEntries(configuration: SnapshotWebhookConfiguration | undefined, config: AdmissionConfig): SnapshotWebhook[] {
  return matchEntries(configuration, config).flatMap((m) => (m.entry ? [m.entry] : []));
}

const DATADOG_PATHS = new Set(['/injectconfig', '/injecttags', '/injectlib']);

/** Whether an entry looks like the Cluster Agent's before its configuration is known (name prefix or path). */
export function looksLikeDatadogEntry(entry: SnapshotWebhook): boolean {
  return entry.name.startsWith('datadog.webhook.') || DATADOG_PATHS.has(entry.clientConfig.service?.path ?? '');
}

