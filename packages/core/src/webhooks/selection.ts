import type { AdmissionConfig } from '../config/schema.js';
import { ENABLED_LABEL } from './labels.js';

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

/** The AKS admissions enforcer's namespace requirements, 7.49 form, in order. */
export const AKS_REQUIREMENTS: readonly LabelSelectorRequirement[] = [
  { key: 'control-plane', operator: 'DoesNotExist' },
  { key: 'control-plane', operator: 'NotIn', values: ['true'] },
  { key: 'kubernetes.azure.com/managedby', operator: 'NotIn', values: ['aks'] },
];

/**
 * True when the webhooks accept every pod not labelled "false": mutate_unlabelled,
 * or (early-2024 rule, spec README) Single Step Instrumentation switched on anywhere.
 */
export function acceptsUnlabelled(config: AdmissionConfig): boolean {
  const ssi = config.apm_config.instrumentation;
  return config.admission_controller.mutate_unlabelled || ssi.enabled || ssi.enabled_namespaces.length > 0;
}

/** The base selector on the `admission.datadoghq.com/enabled` label. */
export function baseSelector(config: AdmissionConfig): LabelSelector {
  if (acceptsUnlabelled(config)) {
    return { matchExpressions: [{ key: ENABLED_LABEL, operator: 'NotIn', values: ['false'] }] };
  }
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

/** objectSelector / namespaceSelector as the cluster agent writes them. */
export function webhookSelectors(config: AdmissionConfig, legacyNamespaceSelector = false): WebhookSelectors {
  const base = baseSelector(config);
  const aks = config.admission_controller.add_aks_selectors;
  if (legacyNamespaceSelector) {
    if (!aks) return { namespaceSelector: base };
    return { namespaceSelector: { ...base, matchExpressions: [...(base.matchExpressions ?? []), ...AKS_REQUIREMENTS.map(copyRequirement)] } };
  }
  if (!aks) return { objectSelector: base };
  return { objectSelector: base, namespaceSelector: { matchExpressions: AKS_REQUIREMENTS.map(copyRequirement) } };
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
