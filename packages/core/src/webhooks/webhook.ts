import type { Operation } from 'fast-json-patch';
import type { AdmissionConfig } from '../config/schema.js';
import { openJournal, type ContainerScope, type Journal } from './journal.js';
import type { KubeObject, Pod } from '../review/pod.js';
import type { MutationEvent, Skip, SkipCode, Warning, WebhookFailure, WebhookName } from './report.js';

/** What the adapter knows about the request beyond the pod itself. */
export interface MutationContext {
  /** The AdmissionRequest namespace. */
  namespace?: string;
  /** The namespace the webhook server runs in (service-mode host name). Default `default`. */
  agentNamespace?: string;
  /** Owner objects fetched by the adapter for the tags webhook (ReplicaSet, Deployment, Job, ...). */
  owners?: readonly KubeObject[];
  /** Why an owner could not be fetched, by `ownerCacheKey`; the failure message says so instead of "not found". */
  ownerErrors?: Readonly<Record<string, string>>;
  /** Labels of the pod's namespace, for namespace selectors. */
  namespaceLabels?: Readonly<Record<string, string>>;
  /** True when the cluster predates object selectors (1.10-1.14, see isLegacyCluster); used only with namespace_selector_fallback. */
  legacyNamespaceSelector?: boolean;
  /** Unix seconds of the request, for DD_INJECT_START_TIME (library injection since 7.57); the adapter reads its clock. Default 0. */
  now?: number;
  /**
   * DD_INSTRUMENTATION_INSTALL_TIME and _ID as the Cluster Agent injects them: its own env
   * vars of those names, else its start time and an empty id. Default: `now` and ''.
   */
  install?: { time: string; id: string };
}

/** One webhook's answer for one pod. On failure or skip the pod is unchanged and the patch empty. */
export interface WebhookResult {
  webhook: WebhookName;
  pod: Pod;
  patch: Operation[];
  events: MutationEvent[];
  skip?: Skip;
  failure?: WebhookFailure;
  warnings: Warning[];
}

/** A webhook: a pure function of the pod, the request context and the configuration. */
export type Webhook = (pod: Pod, context: MutationContext, config: AdmissionConfig) => WebhookResult;

/** Collects one webhook's journal and notices into its result. */
export interface Run {
  readonly journal: Journal;
  readonly warnings: Warning[];
  readonly input: Pod;
}

/** Starts a webhook run over `pod`; `owned` and `scope` as for openJournal. */
export function startRun(webhook: WebhookName, pod: Pod, owned?: Set<object>, scope?: ContainerScope): Run {
  return { journal: openJournal(webhook, pod, owned, scope), warnings: [], input: pod };
}

/** Adds a notice that changes nothing. */
export function warn(run: Run, message: string): void {
  run.warnings.push({ webhook: run.journal.webhook, message });
}

/** The run's changes as a result. */
export function done(run: Run): WebhookResult {
  const { journal } = run;
  return { webhook: journal.webhook, pod: journal.pod, patch: journal.ops, events: journal.events, warnings: run.warnings };
}

/** The pod left alone, with the reason. */
export function skipped(run: Run, code: SkipCode, reason: string): WebhookResult {
  const webhook = run.journal.webhook;
  return { webhook, pod: run.input, patch: [], events: [], skip: { webhook, code, reason }, warnings: run.warnings };
}

/** The webhook failed: it fails open, so every change of this run is dropped. */
export function failed(run: Run, code: string, message: string): WebhookResult {
  const webhook = run.journal.webhook;
  return { webhook, pod: run.input, patch: [], events: [], failure: { webhook, code, message }, warnings: run.warnings };
}
