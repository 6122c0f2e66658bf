import type { AdmissionConfig } from '../config/schema.js';
import { hasChange } from '../versions/behaviour-changes.js';
import { ENABLED_LABEL } from './labels.js';
import type { WebhookName } from './report.js';

/** A Kubernetes LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** The selectors the webhook configuration carries (webhooks spec §3). */
export interface WebhookSelectors {
  objectSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
}

/** The label the API server puts on every namespace, holding its name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Where selectors are evaluated besides the configuration. */
export interface SelectorScope {
  /** The resources namespace (kube_resources_namespace, else the agent's): excluded from the pod webhooks since 7.73. */
  resourcesNamespace: string;
  /** The namespace-selector fallback is in force (see usesNamespaceSelector). */
  legacyNamespaceSelector: boolean;
}

/** The AKS admissions enforcer's namespace requirements, 7.49 form, in order. */
export const AKS_REQUIREMENTS: readonly LabelSelectorRequirement[] = [
  { key: 'control-plane', operator: 'DoesNotExist' },
  { key: 'control-plane', operator: 'NotIn', values: ['true'] },
  { key: 'kubernetes.azure.com/managedby', operator: 'NotIn', values: ['aks'] },
];

/**
 * True when the webhooks accept every pod not labelled "false": mutate_unlabelled,
 * or (early-2024 rule, spec README; dropped in 7.75) Single Step Instrumentation switched on anywhere.
 */
export function acceptsUnlabelled(config: AdmissionConfig): boolean {
  const ssi = config.apm_config.instrumentation;
  if (config.admission_controller.mutate_unlabelled) return true;
  if (hasChange(config.agentVersion, 'ssi-selector-dropped')) return false;
  return ssi.enabled || ssi.enabled_namespaces.length > 0;
}

/** The base selector on the `admission.datadoghq.com/enabled` label. */
export function baseSelector(config: AdmissionConfig): LabelSelector {
  return enabledSelector(acceptsUnlabelled(config));
}

/** "Every pod not labelled false" or "pods labelled true". */
function enabledSelector(unlabelled: boolean): LabelSelector {
  if (unlabelled) return { matchExpressions: [{ key: ENABLED_LABEL, operator: 'NotIn', values: ['false'] }] };
  return { matchLabels: { [ENABLED_LABEL]: 'true' } };
}

/** Thrown when the API server's version cannot be read (the agent then refuses to start its controllers). */
export class ServerVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerVersionError';
  }
}

/** Whether the cluster predates object selectors (Kubernetes 1.10-1.14); throws on an unreadable minor version. */
export function isLegacyCluster(serverVersion: { major: string; minor: string }): boolean {
  if (serverVersion.major !== '1') return false;
  const minor = Number.parseInt(serverVersion.minor.slice(0, 2), 10);
  if (Number.isNaN(minor)) throw new ServerVersionError(`cannot parse the Kubernetes minor version "${serverVersion.minor}"`);
  return minor >= 10 && minor <= 14;
}

/** Whether the namespace-selector fallback is in force: the key is on and the cluster is 1.10-1.14 (the version is not read otherwise). */
export function usesNamespaceSelector(config: AdmissionConfig, serverVersion?: { major: string; minor: string }): boolean {
  if (!config.admission_controller.namespace_selector_fallback || !serverVersion) return false;
  return isLegacyCluster(serverVersion);
}

/** objectSelector / namespaceSelector of the config and tags webhooks as the cluster agent writes them. */
export function webhookSelectors(config: AdmissionConfig, legacyNamespaceSelector = false, resourcesNamespace = 'default'): WebhookSelectors {
  return selectorsFor('config', config, { legacyNamespaceSelector, resourcesNamespace });
}

/** The selectors of one pod webhook for the configured agent version (webhooks spec §3; 7.78: webhooks-7.78 §4.1, §4.2). */
export function selectorsFor(webhook: WebhookName, config: AdmissionConfig, scope: SelectorScope): WebhookSelectors {
  const version = config.agentVersion;
  if (webhook === 'auto-instrumentation' && hasChange(version, 'lib-injection-selectors')) {
    const ssi = config.apm_config.instrumentation;
    const unlabelled = config.admission_controller.mutate_unlabelled || ssi.enabled;
    const excluded = ['kube-system', scope.resourcesNamespace, ...ssi.disabled_namespaces];
    return labelSelectors(config, enabledSelector(unlabelled), excluded, scope.legacyNamespaceSelector);
  }
  const excluded = hasChange(version, 'namespace-exclusion') ? ['kube-system', scope.resourcesNamespace] : undefined;
  return labelSelectors(config, baseSelector(config), excluded, scope.legacyNamespaceSelector);
}

/**
 * The agent's DefaultLabelSelectors: the enabled requirement on the object (on the namespace
 * in the fallback case), then the namespaces excluded by name, then the AKS requirements.
 * `excluded` undefined is the pre-7.73 form, which sets no namespaceSelector without a requirement.
 */
export function labelSelectors(config: AdmissionConfig, enabled: LabelSelector, excluded: readonly string[] | undefined, legacy: boolean): WebhookSelectors {
  const requirements = [
    ...(excluded && excluded.length > 0 ? [{ key: NAMESPACE_NAME_LABEL, operator: 'NotIn' as const, values: [...excluded] }] : []),
    ...(config.admission_controller.add_aks_selectors ? AKS_REQUIREMENTS.map(copyRequirement) : []),
  ];
  if (legacy) return { namespaceSelector: withRequirements(enabled, requirements) };
  if (requirements.length === 0 && excluded === undefined) return { objectSelector: enabled };
  return { objectSelector: enabled, namespaceSelector: requirements.length > 0 ? { matchExpressions: requirements } : {} };
}

function withRequirements(selector: LabelSelector, requirements: LabelSelectorRequirement[]): LabelSelector {
  if (requirements.length === 0) return selector;
  return { ...selector, matchExpressions: [...(selector.matchExpressions ?? []), ...requirements] };
}

function copyRequirement(r: LabelSelectorRequirement): LabelSelectorRequirement {
  return r.values ? { ...r, values: [...r.values] } : { ...r };
}

/** Whether `labels` satisfy `selector`, with the API server's semantics (an empty selector matches all). */
export function matchesSelector(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
  }
  return (selector.matchExpressions ?? []).every((r) => matchesRequirement(r, labels));
}

function matchesRequirement(r: LabelSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(labels[r.key]!);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(labels[r.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** Renders a selector the way users write it: `a=b, c notin (x)`. */
export function formatSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) {
    if (r.operator === 'Exists') parts.push(r.key);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
    else parts.push(`${r.key} ${r.operator.toLowerCase()} (${(r.values ?? []).join(',')})`);
  }
  return parts.join(', ');
}
