import type { AdmissionConfig } from '../config/schema.js';
import { isWebhookEnabled } from '../webhooks/mutate.js';
import { WEBHOOKS, type WebhookName } from '../webhooks/report.js';
import { webhookSelectors, type LabelSelector } from '../webhooks/selection.js';

// The MutatingWebhookConfiguration the cluster agent keeps in the cluster
// (webhooks spec §1-§3, §5; controllers spec §3). Plain JSON in the shape of
// admissionregistration.k8s.io v1 (v1beta1 carries the same fields).

export const ADMISSION_REGISTRATION_GROUP = 'admissionregistration.k8s.io';
export type AdmissionRegistrationVersion = 'v1' | 'v1beta1';

/** The Service port every webhook's clientConfig names (hard-coded in the cluster agent). */
export const WEBHOOK_SERVICE_PORT = 443;

export type FailurePolicy = 'Ignore' | 'Fail';
export type ReinvocationPolicy = 'IfNeeded' | 'Never';

/** One rule: which operations on which resources are sent. */
export interface RuleWithOperations {
  operations: string[];
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  scope?: string;
}

export interface ServiceReference {
  namespace: string;
  name: string;
  path?: string;
  port?: number;
}

export interface WebhookClientConfig {
  service?: ServiceReference;
  url?: string;
  /** Base64 of the PEM bytes, as the API carries `[]byte`. */
  caBundle?: string;
}

/** One webhook of a MutatingWebhookConfiguration. */
export interface MutatingWebhook {
  name: string;
  clientConfig: WebhookClientConfig;
  rules?: RuleWithOperations[];
  failurePolicy?: string;
  matchPolicy?: string;
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  sideEffects?: string;
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
  reinvocationPolicy?: string;
}

export interface MutatingWebhookConfiguration {
  apiVersion: string;
  kind: 'MutatingWebhookConfiguration';
  metadata: { name: string; [key: string]: unknown };
  webhooks?: MutatingWebhook[];
}

export interface WebhookTemplateOptions {
  /** The resources namespace: where the Service and the Secret live (see resourcesNamespace). */
  namespace: string;
  /** The namespace-selector fallback is in force (see usesNamespaceSelector). */
  legacyNamespaceSelector?: boolean;
}

export interface WebhookConfigurationOptions extends WebhookTemplateOptions {
  /** Default v1; v1beta1 only on clusters that serve nothing newer (chooseAdmissionVersion). */
  apiVersion?: AdmissionRegistrationVersion;
}

/** `<webhook_name>.<suffix>` with every `-` turned into `.` (webhooks spec §1). */
export function webhookNameFor(config: AdmissionConfig, webhook: WebhookName): string {
  return `${config.admission_controller.webhook_name}.${webhook}`.replace(/-/g, '.');
}

/** The HTTP path a webhook is served on. */
export function webhookPath(config: AdmissionConfig, webhook: WebhookName): string {
  const ac = config.admission_controller;
  if (webhook === 'config') return ac.inject_config.endpoint;
  if (webhook === 'tags') return ac.inject_tags.endpoint;
  return ac.auto_instrumentation.endpoint;
}

/** `admission_controller.failure_policy` compared case-insensitively; anything else is `Ignore`. */
export function failurePolicyOf(value: string): FailurePolicy {
  const v = value.toLowerCase();
  return v === 'fail' ? 'Fail' : 'Ignore';
}

/** `admission_controller.reinvocation_policy` compared case-insensitively; anything else is `IfNeeded`. */
export function reinvocationPolicyOf(value: string): ReinvocationPolicy {
  return value.toLowerCase() === 'never' ? 'Never' : 'IfNeeded';
}

/** The warnings the cluster agent logs when a policy key holds an unknown value. */
export function webhookPolicyWarnings(config: AdmissionConfig): string[] {
  const ac = config.admission_controller;
  const warnings: string[] = [];
  if (!['ignore', 'fail'].includes(ac.failure_policy.toLowerCase())) {
    warnings.push(`Unknown failure policy "${ac.failure_policy}" (admission_controller.failure_policy) - defaulting to "Ignore"`);
  }
  if (!['ifneeded', 'never'].includes(ac.reinvocation_policy.toLowerCase())) {
    warnings.push(`Unknown reinvocation policy "${ac.reinvocation_policy}" (admission_controller.reinvocation_policy) - defaulting to "IfNeeded"`);
  }
  return warnings;
}

/** The enabled webhooks in the agent's order (config, tags, auto-instrumentation), without a CA bundle. */
export function webhookTemplates(config: AdmissionConfig, options: WebhookTemplateOptions): MutatingWebhook[] {
  const ac = config.admission_controller;
  const selectors = webhookSelectors(config, options.legacyNamespaceSelector ?? false);
  return WEBHOOKS.filter((w) => isWebhookEnabled(config, w)).map((webhook) => ({
    name: webhookNameFor(config, webhook),
    clientConfig: {
      service: { namespace: options.namespace, name: ac.service_name, port: WEBHOOK_SERVICE_PORT, path: webhookPath(config, webhook) },
    },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    failurePolicy: failurePolicyOf(ac.failure_policy),
    matchPolicy: 'Exact',
    ...(selectors.namespaceSelector ? { namespaceSelector: selectors.namespaceSelector } : {}),
    ...(selectors.objectSelector ? { objectSelector: selectors.objectSelector } : {}),
    sideEffects: 'None',
    timeoutSeconds: ac.timeout_seconds,
    admissionReviewVersions: ['v1', 'v1beta1'],
    reinvocationPolicy: reinvocationPolicyOf(ac.reinvocation_policy),
  }));
}

/** The templates with `caBundle` (base64 of cert.pem) in every clientConfig; the templates are not modified. */
export function withCaBundle(templates: readonly MutatingWebhook[], caBundle: string): MutatingWebhook[] {
  return templates.map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle } }));
}

/** The whole MutatingWebhookConfiguration the agent creates: name from the config, no labels or annotations. */
export function webhookConfiguration(config: AdmissionConfig, caBundle: string, options: WebhookConfigurationOptions): MutatingWebhookConfiguration {
  return {
    apiVersion: `${ADMISSION_REGISTRATION_GROUP}/${options.apiVersion ?? 'v1'}`,
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: config.admission_controller.webhook_name },
    webhooks: withCaBundle(webhookTemplates(config, options), caBundle),
  };
}

/**
 * Whether the webhooks stored in the cluster already say what `desired` says, once
 * the API server's defaults are filled in on both sides: an update would change nothing.
 */
export function sameWebhooks(current: readonly unknown[] | undefined, desired: readonly MutatingWebhook[]): boolean {
  const a = (current ?? []).map(withApiDefaults);
  const b = desired.map(withApiDefaults);
  return a.length === b.length && a.every((w, i) => canonicalJson(w) === canonicalJson(b[i]));
}

// The v1 defaults of the API server (SetDefaults_MutatingWebhook, SetDefaults_Rule, SetDefaults_ServiceReference).
function withApiDefaults(input: unknown): unknown {
  if (!isObject(input)) return input;
  const w: Record<string, unknown> = { ...input };
  w.failurePolicy ??= 'Fail';
  w.matchPolicy ??= 'Equivalent';
  w.reinvocationPolicy ??= 'Never';
  w.timeoutSeconds ??= 10;
  w.namespaceSelector = normalSelector(w.namespaceSelector);
  w.objectSelector = normalSelector(w.objectSelector);
  if (Array.isArray(w.rules)) w.rules = w.rules.map((r) => (isObject(r) ? { ...r, scope: r.scope ?? '*' } : r));
  if (isObject(w.clientConfig)) {
    const cc: Record<string, unknown> = { ...w.clientConfig };
    if (isObject(cc.service)) cc.service = { ...cc.service, port: cc.service.port ?? WEBHOOK_SERVICE_PORT };
    if (cc.caBundle === '') delete cc.caBundle;
    w.clientConfig = cc;
  }
  return w;
}

function normalSelector(s: unknown): unknown {
  if (s === undefined || s === null) return {};
  if (!isObject(s)) return s;
  const out: Record<string, unknown> = {};
  if (isObject(s.matchLabels) && Object.keys(s.matchLabels).length > 0) out.matchLabels = s.matchLabels;
  if (Array.isArray(s.matchExpressions) && s.matchExpressions.length > 0) out.matchExpressions = s.matchExpressions;
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** What listing MutatingWebhookConfigurations in one API version gave. */
export type ApiProbe = 'found' | 'not-found' | 'error';

/**
 * v1 or v1beta1 (webhooks spec §5): the version whose list succeeded, v1 first;
 * when both failed, v1beta1 only if v1 was NotFound and v1beta1 an unknown error,
 * otherwise the newest (v1).
 */
export function chooseAdmissionVersion(v1: ApiProbe, v1beta1?: ApiProbe): AdmissionRegistrationVersion {
  if (v1 === 'found') return 'v1';
  if (v1beta1 === 'found') return 'v1beta1';
  if (v1 === 'not-found' && v1beta1 === 'error') return 'v1beta1';
  return 'v1';
}
