import type { AdmissionConfig } from '../config/schema.js';
import { hasChange } from '../versions/behaviour-changes.js';
import { isWebhookEnabled } from '../webhooks/mutate.js';
import { PROBE_LABEL } from '../webhooks/probe-answer.js';
import { WEBHOOKS, type WebhookName } from '../webhooks/report.js';
import { baseSelector, labelSelectors, NAMESPACE_NAME_LABEL, selectorsFor, type LabelSelector, type SelectorScope, type WebhookSelectors } from '../webhooks/selection.js';

// The webhook configurations the cluster agent keeps in the cluster (webhooks
// spec §1-§3, §5; controllers spec §3): 7.49 writes one MutatingWebhookConfiguration,
// 7.61 adds a ValidatingWebhookConfiguration of the same name (webhooks-7.78 §1-§5).
// Plain JSON in the shape of admissionregistration.k8s.io v1 (v1beta1 carries the same fields).

export const ADMISSION_REGISTRATION_GROUP = 'admissionregistration.k8s.io';
export type AdmissionRegistrationVersion = 'v1' | 'v1beta1';

/** The Service port every webhook's clientConfig names (hard-coded in the cluster agent). */
export const WEBHOOK_SERVICE_PORT = 443;

export type FailurePolicy = 'Ignore' | 'Fail';
export type ReinvocationPolicy = 'IfNeeded' | 'Never';

/** Every entry the cluster agent can register, by our name for it: the three pod webhooks, the probe (7.78) and the admission-events validator (7.61). */
export type EntryName = WebhookName | 'probe' | 'kubernetes-admission-events';

/** The path of the probe entry: not established for 7.78 (webhooks-7.78 §2), a proposal; the server answers probes on every path anyway. */
export const PROBE_WEBHOOK_PATH = '/probe';
/** The path of the admission-events validating webhook. */
export const ADMISSION_EVENTS_PATH = '/kubernetes-admission-events';

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

/** A CEL condition the API server evaluates before calling the webhook (Kubernetes 1.28+). */
export interface MatchCondition {
  name: string;
  expression: string;
}

/** One webhook of a ValidatingWebhookConfiguration; a mutating one adds its reinvocation policy. */
export interface ValidatingWebhook {
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
  matchConditions?: MatchCondition[];
}

/** One webhook of a MutatingWebhookConfiguration. */
export interface MutatingWebhook extends ValidatingWebhook {
  reinvocationPolicy?: string;
}

export interface MutatingWebhookConfiguration {
  apiVersion: string;
  kind: 'MutatingWebhookConfiguration';
  metadata: { name: string; [key: string]: unknown };
  webhooks?: MutatingWebhook[];
}

export interface ValidatingWebhookConfiguration {
  apiVersion: string;
  kind: 'ValidatingWebhookConfiguration';
  metadata: { name: string; [key: string]: unknown };
  webhooks?: ValidatingWebhook[];
}

export type WebhookConfigurationKind = MutatingWebhookConfiguration['kind'] | ValidatingWebhookConfiguration['kind'];

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

/** Every entry, the pod webhooks first. */
export const ENTRY_NAMES: readonly EntryName[] = [...WEBHOOKS, 'probe', 'kubernetes-admission-events'];

/** The agent's Name() of each entry (its metrics' `webhook_name` tag, its entry name's suffix since the 7.58 rename). */
export const AGENT_WEBHOOK_NAME: Readonly<Record<EntryName, string>> = {
  config: 'agent_config',
  tags: 'standard_tags',
  'auto-instrumentation': 'lib_injection',
  probe: 'probe',
  'kubernetes-admission-events': 'kubernetes_admission_events',
};

/** `<webhook_name>.<suffix>` with every `-` (since the 7.58 rename, also every `_`) turned into `.` (webhooks spec §1). */
export function webhookNameFor(config: AdmissionConfig, webhook: EntryName): string {
  const renamed = hasChange(config.agentVersion, 'webhook-names-renamed');
  const name = `${config.admission_controller.webhook_name}.${renamed ? AGENT_WEBHOOK_NAME[webhook] : webhook}`;
  return name.replace(renamed ? /[-_]/g : /-/g, '.');
}

/** The HTTP path a webhook is served on. */
export function webhookPath(config: AdmissionConfig, webhook: EntryName): string {
  const ac = config.admission_controller;
  if (webhook === 'config') return ac.inject_config.endpoint;
  if (webhook === 'tags') return ac.inject_tags.endpoint;
  if (webhook === 'probe') return PROBE_WEBHOOK_PATH;
  if (webhook === 'kubernetes-admission-events') return ADMISSION_EVENTS_PATH;
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

/** What differs from one entry to the next; the other fields come from the configuration. */
interface EntrySpec {
  webhook: EntryName;
  rules: RuleWithOperations[];
  selectors: WebhookSelectors;
  /** Absent before 7.61, when the skeleton had no such field. */
  matchConditions?: MatchCondition[];
}

const EXCLUDE_SYSTEM_USERS: MatchCondition = { name: 'exclude-system-users', expression: "!(request.userInfo.username.startsWith('system:'))" };

function createOf(group: string, resource: string): RuleWithOperations {
  return { operations: ['CREATE'], apiGroups: [group], apiVersions: ['v1'], resources: [resource] };
}

/** Whether the probe's entry is registered (7.78, admission_controller.probe.enabled). */
export function probeEntryEnabled(config: AdmissionConfig): boolean {
  return hasChange(config.agentVersion, 'probe') && config.admission_controller.probe.enabled;
}

/** The probe entry's selectors, as proposed by webhooks-7.78 §4.3 (unconfirmed): probe-labelled objects of the resources namespace. */
export function probeSelectors(namespace: string): WebhookSelectors {
  return {
    objectSelector: { matchLabels: { [PROBE_LABEL]: 'true' } },
    namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [namespace] }] },
  };
}

function mutatingSpecs(config: AdmissionConfig, options: WebhookTemplateOptions): EntrySpec[] {
  const scope: SelectorScope = { resourcesNamespace: options.namespace, legacyNamespaceSelector: options.legacyNamespaceSelector ?? false };
  const conditions = hasChange(config.agentVersion, 'match-conditions') ? { matchConditions: [] } : {};
  const specs: EntrySpec[] = WEBHOOKS.filter((w) => isWebhookEnabled(config, w)).map((webhook) => ({
    webhook,
    rules: [createOf('', 'pods')],
    selectors: selectorsFor(webhook, config, scope),
    ...conditions,
  }));
  if (probeEntryEnabled(config)) specs.push({ webhook: 'probe', rules: [createOf('', 'configmaps')], selectors: probeSelectors(options.namespace), matchConditions: [] });
  return specs;
}

/** Whether the admission-events validating entry is registered (7.61, admission_controller.kubernetes_admission_events.enabled). */
export function admissionEventsEnabled(config: AdmissionConfig): boolean {
  return hasChange(config.agentVersion, 'admission-events') && config.admission_controller.kubernetes_admission_events.enabled;
}

function validatingSpecs(config: AdmissionConfig, options: WebhookTemplateOptions): EntrySpec[] {
  const version = config.agentVersion;
  if (!admissionEventsEnabled(config)) return [];
  // DefaultLabelSelectors without exclusions: since 7.73 that is an empty namespaceSelector.
  const excluded = hasChange(version, 'namespace-exclusion') ? [] : undefined;
  return [
    {
      webhook: 'kubernetes-admission-events',
      rules: [{ operations: ['*'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }],
      selectors: labelSelectors(config, baseSelector(config), excluded, options.legacyNamespaceSelector ?? false),
      matchConditions: [EXCLUDE_SYSTEM_USERS],
    },
  ];
}

/** The fields every entry shares, in the agent's field order (reinvocationPolicy and matchConditions are added after). */
function skeleton(config: AdmissionConfig, spec: EntrySpec, namespace: string): ValidatingWebhook {
  const ac = config.admission_controller;
  const { namespaceSelector, objectSelector } = spec.selectors;
  return {
    name: webhookNameFor(config, spec.webhook),
    clientConfig: { service: { namespace, name: ac.service_name, port: WEBHOOK_SERVICE_PORT, path: webhookPath(config, spec.webhook) } },
    rules: spec.rules,
    failurePolicy: failurePolicyOf(ac.failure_policy),
    matchPolicy: 'Exact',
    ...(namespaceSelector ? { namespaceSelector } : {}),
    ...(objectSelector ? { objectSelector } : {}),
    sideEffects: 'None',
    timeoutSeconds: ac.timeout_seconds,
    admissionReviewVersions: ['v1', 'v1beta1'],
  };
}

/** The enabled mutating webhooks in the agent's order (config, tags, auto-instrumentation, then the 7.78 probe), without a CA bundle. */
export function webhookTemplates(config: AdmissionConfig, options: WebhookTemplateOptions): MutatingWebhook[] {
  const reinvocationPolicy = reinvocationPolicyOf(config.admission_controller.reinvocation_policy);
  return mutatingSpecs(config, options).map((spec) => ({
    ...skeleton(config, spec, options.namespace),
    reinvocationPolicy,
    ...(spec.matchConditions ? { matchConditions: spec.matchConditions } : {}),
  }));
}

/** The enabled validating webhooks (7.61: kubernetes_admission_events), without a CA bundle. */
export function validatingWebhookTemplates(config: AdmissionConfig, options: WebhookTemplateOptions): ValidatingWebhook[] {
  return validatingSpecs(config, options).map((spec) => ({ ...skeleton(config, spec, options.namespace), matchConditions: spec.matchConditions ?? [] }));
}

/** The templates with `caBundle` (base64 of cert.pem) in every clientConfig; the templates are not modified. */
export function withCaBundle<T extends ValidatingWebhook>(templates: readonly T[], caBundle: string): T[] {
  return templates.map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle } }));
}

/** A configuration object of `kind`: name from the config, no labels or annotations, no caBundle when undefined (as in a preview). */
function configurationOf<K extends WebhookConfigurationKind, W extends ValidatingWebhook>(
  kind: K,
  config: AdmissionConfig,
  templates: W[],
  caBundle: string | undefined,
  options: WebhookConfigurationOptions,
): { apiVersion: string; kind: K; metadata: { name: string }; webhooks: W[] } {
  return {
    apiVersion: `${ADMISSION_REGISTRATION_GROUP}/${options.apiVersion ?? 'v1'}`,
    kind,
    metadata: { name: config.admission_controller.webhook_name },
    webhooks: caBundle === undefined ? templates : withCaBundle(templates, caBundle),
  };
}

/** The whole MutatingWebhookConfiguration the agent creates. */
export function webhookConfiguration(config: AdmissionConfig, caBundle: string | undefined, options: WebhookConfigurationOptions): MutatingWebhookConfiguration {
  return configurationOf('MutatingWebhookConfiguration', config, webhookTemplates(config, options), caBundle, options);
}

/** The ValidatingWebhookConfiguration the agent creates since 7.61: same name as the mutating one, written even with no entry. */
export function validatingWebhookConfiguration(config: AdmissionConfig, caBundle: string | undefined, options: WebhookConfigurationOptions): ValidatingWebhookConfiguration {
  return configurationOf('ValidatingWebhookConfiguration', config, validatingWebhookTemplates(config, options), caBundle, options);
}

/** What the agent does with one kind of configuration: keep it written, delete it (7.63), or leave it alone. */
export type ConfigurationAction = 'write' | 'delete' | 'ignore';

/** The action for `kind`: written when its `mutation.enabled` / `validation.enabled` key is on (7.49: the mutating one always, no validating one). */
export function configurationAction(config: AdmissionConfig, kind: WebhookConfigurationKind): ConfigurationAction {
  const version = config.agentVersion;
  const mutating = kind === 'MutatingWebhookConfiguration';
  if (!hasChange(version, 'admission-events')) return mutating ? 'write' : 'ignore';
  const ac = config.admission_controller;
  if (mutating ? ac.mutation.enabled : ac.validation.enabled) return 'write';
  return hasChange(version, 'delete-disabled-configurations') ? 'delete' : 'ignore';
}

/** The configurations the agent writes, mutating first. */
export function webhookConfigurations(
  config: AdmissionConfig,
  caBundle: string | undefined,
  options: WebhookConfigurationOptions,
): (MutatingWebhookConfiguration | ValidatingWebhookConfiguration)[] {
  const out: (MutatingWebhookConfiguration | ValidatingWebhookConfiguration)[] = [];
  if (configurationAction(config, 'MutatingWebhookConfiguration') === 'write') out.push(webhookConfiguration(config, caBundle, options));
  if (configurationAction(config, 'ValidatingWebhookConfiguration') === 'write') out.push(validatingWebhookConfiguration(config, caBundle, options));
  return out;
}

/** What a preview of the configurations should say: where they differ from what the agent surely writes. */
export function webhookConfigurationNotes(config: AdmissionConfig): string[] {
  const notes: string[] = [];
  if (configurationAction(config, 'MutatingWebhookConfiguration') === 'write' && probeEntryEnabled(config)) {
    notes.push(
      `the ${webhookNameFor(config, 'probe')} entry is a proposal: its path (${PROBE_WEBHOOK_PATH}) and selectors are not established for Cluster Agent 7.78 (the probe works with any path, as the webhook answers probe objects everywhere)`,
    );
  }
  if (configurationAction(config, 'ValidatingWebhookConfiguration') === 'write' && admissionEventsEnabled(config)) {
    notes.push(
      `matchConditions need Kubernetes 1.28 or later: an older API server ignores them, and ${webhookNameFor(config, 'kubernetes-admission-events')} then receives system: users' requests too (the Cluster Agent skips them itself)`,
    );
  }
  for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const) {
    if (configurationAction(config, kind) !== 'delete') continue;
    const key = kind === 'MutatingWebhookConfiguration' ? 'mutation' : 'validation';
    notes.push(`admission_controller.${key}.enabled is false: the Cluster Agent deletes its ${kind} ${config.admission_controller.webhook_name}`);
  }
  return notes;
}

/**
 * Whether the webhooks stored in the cluster already say what `desired` says, once
 * the API server's defaults are filled in on both sides: an update would change nothing.
 */
export function sameWebhooks(current: readonly unknown[] | undefined, desired: readonly ValidatingWebhook[]): boolean {
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
  // An empty list is not stored (Go's omitempty): absent and [] say the same.
  if (Array.isArray(w.matchConditions) && w.matchConditions.length === 0) delete w.matchConditions;
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
