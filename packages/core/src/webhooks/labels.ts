import type { AdmissionConfig } from '../config/schema.js';
import { resourcesNamespace } from '../config/resources-namespace.js';
import type { Pod } from '../review/pod.js';
import type { SkipCode } from './report.js';

/** The opt-in / opt-out label every webhook reads. */
export const ENABLED_LABEL = 'admission.datadoghq.com/enabled';
/** Per-pod override of the config webhook's mode. */
export const CONFIG_MODE_LABEL = 'admission.datadoghq.com/config.mode';
/** Unified service tagging labels and the env vars they become. */
export const STANDARD_TAG_LABELS = [
  { label: 'tags.datadoghq.com/env', env: 'DD_ENV' },
  { label: 'tags.datadoghq.com/service', env: 'DD_SERVICE' },
  { label: 'tags.datadoghq.com/version', env: 'DD_VERSION' },
] as const;

/** Label value of `key` on the pod, undefined when absent. */
export function podLabel(pod: Pod, key: string): string | undefined {
  const labels = pod.metadata?.labels;
  if (!labels || !Object.hasOwn(labels, key)) return undefined;
  return labels[key];
}

/** A yes/no decision with the reason in the user's terms, the skip code when it is no, and a warning when the label was unusable. */
export type Gate =
  | { pass: true; reason: string; warning?: string }
  | { pass: false; code: SkipCode; reason: string; warning?: string };

const DISABLED_BY_LABEL: Gate = { pass: false, code: 'disabled-by-label', reason: `label ${ENABLED_LABEL}="false"` };

/**
 * The config webhook's own label check (7.47-7.49): "true" passes, "false" stops,
 * any other value stops with a warning, absent follows mutate_unlabelled.
 */
export function configGate(pod: Pod, config: AdmissionConfig): Gate {
  const value = podLabel(pod, ENABLED_LABEL);
  if (value === 'true') return { pass: true, reason: `label ${ENABLED_LABEL}="true"` };
  if (value === 'false') return DISABLED_BY_LABEL;
  if (value !== undefined) {
    const warning = `invalid label value ${ENABLED_LABEL}="${value}" (expected "true" or "false"): the config webhook skips this pod`;
    return { pass: false, code: 'invalid-label-value', reason: warning, warning };
  }
  return config.admission_controller.mutate_unlabelled
    ? { pass: true, reason: 'admission_controller.mutate_unlabelled is true' }
    : { pass: false, code: 'label-not-enabled', reason: `no ${ENABLED_LABEL} label and admission_controller.mutate_unlabelled is false` };
}

/**
 * The config webhook's filter from 7.75 (config-injection-7.78.md §1): "true"
 * passes, "false" stops, another value warns and counts as absent; absent passes
 * in every namespace but kube-system and the agent's, else follows mutate_unlabelled.
 * The webhook's objectSelector, not this filter, keeps unlabelled pods away.
 */
export function configFilterGate(pod: Pod, config: AdmissionConfig, agentNamespace: string | undefined): Gate {
  const value = podLabel(pod, ENABLED_LABEL);
  if (value === 'true') return { pass: true, reason: `label ${ENABLED_LABEL}="true"` };
  if (value === 'false') return DISABLED_BY_LABEL;
  const warning = value === undefined ? undefined : invalidEnabledLabel(value);
  const fallback = namespaceGate(pod, config, agentNamespace);
  return warning ? { ...fallback, warning } : fallback;
}

function namespaceGate(pod: Pod, config: AdmissionConfig, agentNamespace: string | undefined): Gate {
  const namespace = pod.metadata?.namespace ?? '';
  const excluded = ['kube-system', resourcesNamespace(config, agentNamespace)];
  const shown = `namespace "${namespace}"`;
  if (!config.admission_controller.inject_config.enabled) return unlabelledGate(config, 'admission_controller.inject_config.enabled is false');
  if (!excluded.includes(namespace)) return { pass: true, reason: `no ${ENABLED_LABEL} label and ${shown} is not excluded (${excluded.join(', ')})` };
  return unlabelledGate(config, `${shown} is excluded (${excluded.join(', ')})`);
}

function unlabelledGate(config: AdmissionConfig, why: string): Gate {
  if (config.admission_controller.mutate_unlabelled) return { pass: true, reason: `admission_controller.mutate_unlabelled is true (${why})` };
  return { pass: false, code: 'label-not-enabled', reason: `no ${ENABLED_LABEL}="true" label, ${why} and admission_controller.mutate_unlabelled is false` };
}

function invalidEnabledLabel(value: string): string {
  return `invalid label value ${ENABLED_LABEL}="${value}" (expected "true" or "false"): treated as absent`;
}

/**
 * The shared "should inject" check: "true" yes, "false" no, another value warns and
 * falls back like an absent label, which follows SSI for the namespace or mutate_unlabelled.
 */
export function shouldInjectGate(pod: Pod, config: AdmissionConfig, ssiActive: boolean): Gate {
  const value = podLabel(pod, ENABLED_LABEL);
  if (value === 'true') return { pass: true, reason: `label ${ENABLED_LABEL}="true"` };
  if (value === 'false') return DISABLED_BY_LABEL;
  const warning = value === undefined ? undefined : invalidEnabledLabel(value);
  const fallback = fallbackGate(config, ssiActive);
  return warning ? { ...fallback, warning } : fallback;
}

function fallbackGate(config: AdmissionConfig, ssiActive: boolean): Gate {
  if (ssiActive) return { pass: true, reason: 'Single Step Instrumentation is active in the namespace' };
  if (config.admission_controller.mutate_unlabelled) return { pass: true, reason: 'admission_controller.mutate_unlabelled is true' };
  return {
    pass: false,
    code: 'label-not-enabled',
    reason: `no ${ENABLED_LABEL}="true" label, admission_controller.mutate_unlabelled is false and Single Step Instrumentation is not active in the namespace`,
  };
}
