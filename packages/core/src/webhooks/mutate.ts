import type { Operation } from 'fast-json-patch';
import type { AdmissionConfig } from '../config/schema.js';
import { injectConfig } from './config-injection.js';
import { injectAutoInstrumentation } from './lib-injection.js';
import { parsePod, type Pod } from '../review/pod.js';
import { WEBHOOKS, type MutationEvent, type Skip, type Warning, type WebhookFailure, type WebhookName } from './report.js';
import { resourcesNamespace } from '../config/resources-namespace.js';
import { formatSelector, matchesSelector, NAMESPACE_NAME_LABEL, selectorsFor, type LabelSelector } from './selection.js';
import { injectTags } from './tags-injection.js';
import type { MutationContext, Webhook, WebhookResult } from './webhook.js';

/** Each webhook's handler, by name. */
export const WEBHOOK_HANDLERS: Readonly<Record<WebhookName, Webhook>> = {
  config: injectConfig,
  tags: injectTags,
  'auto-instrumentation': injectAutoInstrumentation,
};

/** The config key that switches each webhook on. */
export const WEBHOOK_ENABLED_KEY: Readonly<Record<WebhookName, string>> = {
  config: 'admission_controller.inject_config.enabled',
  tags: 'admission_controller.inject_tags.enabled',
  'auto-instrumentation': 'admission_controller.auto_instrumentation.enabled',
};

/** Whether `webhook` is part of the webhook configuration. */
export function isWebhookEnabled(config: AdmissionConfig, webhook: WebhookName): boolean {
  const ac = config.admission_controller;
  if (webhook === 'config') return ac.inject_config.enabled;
  if (webhook === 'tags') return ac.inject_tags.enabled;
  return ac.auto_instrumentation.enabled;
}

/** The outcome of the whole admission path for one pod. */
export interface MutationResult {
  /** RFC 6902 operations relative to the input pod, in order. */
  patch: Operation[];
  /** The pod after every webhook (the input is not modified). */
  pod: Pod;
  events: MutationEvent[];
  skipped: Skip[];
  failures: WebhookFailure[];
  warnings: Warning[];
  /** Every webhook call made, reinvocations included, in order. */
  calls: (WebhookResult & { reinvocation: boolean })[];
}

/**
 * Runs the admission path as the API server would: each selected webhook in the
 * cluster agent's order, each seeing the previous result, then one reinvocation
 * pass (reinvocationPolicy IfNeeded) for webhooks that ran before a later change.
 * Throws InvalidPodError when `input` is not a pod.
 */
export function mutate(
  input: unknown,
  context: MutationContext,
  config: AdmissionConfig,
  webhooks: readonly WebhookName[] = WEBHOOKS,
): MutationResult {
  let pod = parsePod(input);
  const result: MutationResult = { patch: [], pod, events: [], skipped: [], failures: [], warnings: [], calls: [] };
  const order = WEBHOOKS.filter((w) => webhooks.includes(w));
  const reinvoke = config.admission_controller.reinvocation_policy.toLowerCase() !== 'never';
  const invoked = new Set<WebhookName>();
  const pending = new Set<WebhookName>();

  const call = (webhook: WebhookName, reinvocation: boolean) => {
    const r = WEBHOOK_HANDLERS[webhook](pod, context, config);
    // Not `{ ...r, reinvocation }`: Node 20's V8 makes a spread followed by a new key ~20x slower.
    result.calls.push(Object.assign({}, r, { reinvocation }));
    result.events.push(...r.events);
    result.warnings.push(...r.warnings);
    if (r.failure) result.failures.push(r.failure);
    if (r.skip && !reinvocation) result.skipped.push(r.skip);
    invoked.add(webhook);
    if (r.patch.length === 0) return;
    pod = r.pod;
    result.patch.push(...r.patch);
    if (reinvoke) for (const w of invoked) if (w !== webhook) pending.add(w);
  };

  const selected = order.filter((w) => {
    const skip = selectionSkip(w, pod, context, config);
    if (skip) result.skipped.push(skip);
    return !skip;
  });
  for (const w of selected) call(w, false);
  for (const w of selected) {
    if (!pending.delete(w)) continue;
    call(w, true);
  }
  result.pod = pod;
  return result;
}

/** Why the API server would not send this pod to `webhook`, if it would not. */
export function selectionSkip(webhook: WebhookName, pod: Pod, context: MutationContext, config: AdmissionConfig): Skip | undefined {
  if (!isWebhookEnabled(config, webhook)) {
    return { webhook, code: 'webhook-disabled', reason: `${WEBHOOK_ENABLED_KEY[webhook]} is false` };
  }
  const legacyNamespaceSelector = config.admission_controller.namespace_selector_fallback && (context.legacyNamespaceSelector ?? false);
  const selectors = selectorsFor(webhook, config, { legacyNamespaceSelector, resourcesNamespace: resourcesNamespace(config, context.agentNamespace) });
  if (!matchesSelector(selectors.objectSelector, pod.metadata?.labels ?? {})) {
    return {
      webhook,
      code: 'not-selected',
      reason: `the pod's labels do not match the webhook's objectSelector (${formatSelector(selectors.objectSelector!)})`,
    };
  }
  const namespaceLabels = namespaceLabelsOf(context);
  if (!matchesSelector(selectors.namespaceSelector, namespaceLabels)) {
    const namespace = namespaceLabels[NAMESPACE_NAME_LABEL];
    const what = namespace !== undefined && excludesByName(selectors.namespaceSelector!, namespace) ? `namespace ${namespace} is excluded by` : `the namespace's labels do not match`;
    return { webhook, code: 'not-selected', reason: `${what} the webhook's namespaceSelector (${formatSelector(selectors.namespaceSelector!)})` };
  }
  return undefined;
}

/** The namespace's labels with its name label, which the API server sets on every namespace. */
function namespaceLabelsOf(context: MutationContext): Readonly<Record<string, string>> {
  if (context.namespace === undefined) return context.namespaceLabels ?? {};
  return { [NAMESPACE_NAME_LABEL]: context.namespace, ...context.namespaceLabels };
}

function excludesByName(selector: LabelSelector, namespace: string): boolean {
  return (selector.matchExpressions ?? []).some((r) => r.key === NAMESPACE_NAME_LABEL && r.operator === 'NotIn' && (r.values ?? []).includes(namespace));
}
