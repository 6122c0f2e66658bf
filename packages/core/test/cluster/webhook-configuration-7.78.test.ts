// Spec conformance: spec/7.78/webhooks-7.78.md §1 (both configurations, written / deleted), §2 (mutating
// entries, names, order), §3 (the validating entry), §4 (selectors), §5 (fields, matchConditions); probe-7.78.md §3.5.
import { describe, expect, it } from 'vitest';
import {
  configurationAction,
  sameWebhooks,
  validatingWebhookConfiguration,
  webhookConfiguration,
  webhookConfigurationNotes,
  webhookConfigurations,
  webhookNameFor,
  webhookTemplates,
} from '@dd-admission/core';
import { AKS_SPEC_REQUIREMENTS as AKS, CA_BUNDLE as CA, configAt, NOT_FALSE_SELECTOR as NOT_FALSE, OPT_IN_SELECTOR as OPT_IN, specWebhook } from '../helpers.js';
const notIn = (...values: string[]) => ({ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values });

/** One 7.78 entry as §5 describes it with default keys, in the agent's field order: the 7.49 fields, then matchConditions. */
function entry(name: string, path: string, selectors: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { ...specWebhook(name, path, selectors), matchConditions: [], ...extra };
}

const EXCLUDED = { namespaceSelector: { matchExpressions: [notIn('kube-system', 'datadog')] }, objectSelector: OPT_IN };

describe('7.78 MutatingWebhookConfiguration (§2, §4, §5)', () => {
  it('default keys: the renamed entries in order, namespaceSelector excluding kube-system and the agent namespace, matchConditions []', () => {
    const object = webhookConfiguration(configAt('7.78'), CA, { namespace: 'datadog' });
    expect(object).toEqual({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'datadog-webhook' },
      webhooks: [
        entry('datadog.webhook.agent.config', '/injectconfig', EXCLUDED),
        entry('datadog.webhook.standard.tags', '/injecttags', EXCLUDED),
        entry('datadog.webhook.lib.injection', '/injectlib', EXCLUDED),
      ],
    });
    // The agent's field order (Go struct order), as `dd-mutate manifests` prints it.
    expect(Object.keys(object.webhooks![0]!)).toEqual([
      'name',
      'clientConfig',
      'rules',
      'failurePolicy',
      'matchPolicy',
      'namespaceSelector',
      'objectSelector',
      'sideEffects',
      'timeoutSeconds',
      'admissionReviewVersions',
      'reinvocationPolicy',
      'matchConditions',
    ]);
  });

  it('the name rule turns "-" and "_" into "." (configName)', () => {
    const c = configAt('7.78', { 'admission_controller.webhook_name': 'my_hook-x' });
    expect(webhookNameFor(c, 'config')).toBe('my.hook.x.agent.config');
    expect(webhookNameFor(c, 'probe')).toBe('my.hook.x.probe');
    expect(webhookNameFor(c, 'kubernetes-admission-events')).toBe('my.hook.x.kubernetes.admission.events');
  });

  it('kube_resources_namespace is the excluded namespace (and the service namespace)', () => {
    const c = configAt('7.78', { kube_resources_namespace: 'dd' });
    const [first] = webhookTemplates(c, { namespace: 'dd' });
    expect(first!.namespaceSelector).toEqual({ matchExpressions: [notIn('kube-system', 'dd')] });
  });

  it('mutate_unlabelled: NotIn ["false"] on the object; AKS requirements after the exclusion', () => {
    const c = configAt('7.78', { 'admission_controller.mutate_unlabelled': true, 'admission_controller.add_aks_selectors': true });
    for (const w of webhookTemplates(c, { namespace: 'datadog' })) {
      expect(w.objectSelector).toEqual(NOT_FALSE);
      expect(w.namespaceSelector).toEqual({ matchExpressions: [notIn('kube-system', 'datadog'), ...AKS] });
    }
  });

  it('fallback case: no objectSelector; the namespaceSelector holds the enabled requirement, the NotIn, then AKS', () => {
    const c = configAt('7.78', { 'admission_controller.namespace_selector_fallback': true, 'admission_controller.add_aks_selectors': true });
    const [config] = webhookTemplates(c, { namespace: 'datadog', legacyNamespaceSelector: true });
    expect(config!.objectSelector).toBeUndefined();
    expect(config!.namespaceSelector).toEqual({ matchLabels: OPT_IN.matchLabels, matchExpressions: [notIn('kube-system', 'datadog'), ...AKS] });
  });

  it('7.75: SSI no longer widens the config and tags selectors; the lib-injection selector follows apm_config.instrumentation.enabled (§4.2)', () => {
    const c = configAt('7.78', { 'apm_config.instrumentation.enabled': true, 'apm_config.instrumentation.disabled_namespaces': ['legacy', 'batch'] });
    const [config, tags, lib] = webhookTemplates(c, { namespace: 'datadog' });
    expect([config!.objectSelector, tags!.objectSelector]).toEqual([OPT_IN, OPT_IN]);
    expect(lib!.objectSelector).toEqual(NOT_FALSE);
    expect(lib!.namespaceSelector).toEqual({ matchExpressions: [notIn('kube-system', 'datadog', 'legacy', 'batch')] });
  });

  it('enabled_namespaces does not change the lib-injection selector in 7.78 (PR #47456 is main-only)', () => {
    const c = configAt('7.78', { 'apm_config.instrumentation.enabled_namespaces': ['apps'] });
    const lib = webhookTemplates(c, { namespace: 'datadog' })[2]!;
    expect(lib.objectSelector).toEqual(OPT_IN);
    expect(lib.namespaceSelector).toEqual({ matchExpressions: [notIn('kube-system', 'datadog')] });
  });

  it('the probe entry comes after lib injection when the probe is on: ConfigMap CREATE, the proposed selectors', () => {
    const c = configAt('7.78', { 'admission_controller.probe.enabled': true });
    const webhooks = webhookConfiguration(c, CA, { namespace: 'datadog' }).webhooks!;
    expect(webhooks.map((w) => w.name)).toEqual(['datadog.webhook.agent.config', 'datadog.webhook.standard.tags', 'datadog.webhook.lib.injection', 'datadog.webhook.probe']);
    expect(webhooks[3]).toEqual({
      ...entry('datadog.webhook.probe', '/probe', {
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['datadog'] }] },
        objectSelector: { matchLabels: { 'admission.datadoghq.com/probe': 'true' } },
      }),
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
    });
  });

  it('the probe entry has no AKS requirements in 7.78 (PR #52005 is 7.80.x)', () => {
    const c = configAt('7.78', { 'admission_controller.probe.enabled': true, 'admission_controller.add_aks_selectors': true });
    const probe = webhookTemplates(c, { namespace: 'datadog' }).at(-1)!;
    expect(probe.namespaceSelector).toEqual({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['datadog'] }] });
  });
});

describe('7.78 ValidatingWebhookConfiguration (§1, §3)', () => {
  it('written with the same name and no entry by default', () => {
    expect(validatingWebhookConfiguration(configAt('7.78'), CA, { namespace: 'datadog' })).toEqual({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'datadog-webhook' },
      webhooks: [],
    });
  });

  it('kubernetes_admission_events: Deployments of any operation, no reinvocation policy, the exclude-system-users condition, an empty namespaceSelector', () => {
    const c = configAt('7.78', { 'admission_controller.kubernetes_admission_events.enabled': true });
    const [w, ...rest] = validatingWebhookConfiguration(c, CA, { namespace: 'datadog' }).webhooks!;
    expect(rest).toEqual([]);
    expect(w).toEqual({
      name: 'datadog.webhook.kubernetes.admission.events',
      clientConfig: { service: { namespace: 'datadog', name: 'datadog-admission-controller', port: 443, path: '/kubernetes-admission-events' }, caBundle: CA },
      rules: [{ operations: ['*'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }],
      failurePolicy: 'Ignore',
      matchPolicy: 'Exact',
      namespaceSelector: {},
      objectSelector: OPT_IN,
      sideEffects: 'None',
      timeoutSeconds: 10,
      admissionReviewVersions: ['v1', 'v1beta1'],
      matchConditions: [{ name: 'exclude-system-users', expression: "!(request.userInfo.username.startsWith('system:'))" }],
    });
  });

  it('v1beta1 carries the same entries', () => {
    const c = configAt('7.78', { 'admission_controller.kubernetes_admission_events.enabled': true });
    const beta = validatingWebhookConfiguration(c, CA, { namespace: 'datadog', apiVersion: 'v1beta1' });
    expect(beta.apiVersion).toBe('admissionregistration.k8s.io/v1beta1');
    expect(beta.webhooks).toEqual(validatingWebhookConfiguration(c, CA, { namespace: 'datadog' }).webhooks);
  });
});

describe('which configurations are written or deleted (§1)', () => {
  it('7.49: the mutating one only, whatever mutation/validation say', () => {
    const c = configAt('7.49', { 'admission_controller.mutation.enabled': false });
    expect([configurationAction(c, 'MutatingWebhookConfiguration'), configurationAction(c, 'ValidatingWebhookConfiguration')]).toEqual(['write', 'ignore']);
    expect(webhookConfigurations(c, CA, { namespace: 'd' }).map((o) => o.kind)).toEqual(['MutatingWebhookConfiguration']);
  });

  it('7.78: both by default; a disabled kind is deleted (7.63)', () => {
    expect(webhookConfigurations(configAt('7.78'), CA, { namespace: 'd' }).map((o) => o.kind)).toEqual(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
    const noValidation = configAt('7.78', { 'admission_controller.validation.enabled': false });
    expect(configurationAction(noValidation, 'ValidatingWebhookConfiguration')).toBe('delete');
    expect(webhookConfigurations(noValidation, CA, { namespace: 'd' }).map((o) => o.kind)).toEqual(['MutatingWebhookConfiguration']);
    expect(configurationAction(configAt('7.78', { 'admission_controller.mutation.enabled': false }), 'MutatingWebhookConfiguration')).toBe('delete');
  });

  it('7.61-7.62 (interpolated): a disabled kind is left alone, not deleted', () => {
    const c = configAt('7.62', { 'admission_controller.validation.enabled': false });
    expect(configurationAction(c, 'ValidatingWebhookConfiguration')).toBe('ignore');
    expect(configurationAction(configAt('7.61'), 'ValidatingWebhookConfiguration')).toBe('write');
  });
});

describe('versions between 7.49 and 7.78 get every change released at or before them', () => {
  const shape = (version: string, values: Record<string, unknown> = {}) =>
    webhookTemplates(configAt(version, values), { namespace: 'datadog' }).map((w) => ({
      name: w.name,
      namespaceSelector: w.namespaceSelector,
      objectSelector: w.objectSelector,
      matchConditions: w.matchConditions,
    }));

  it('7.57: the 7.49 names and fields', () => {
    expect(shape('7.57').map((w) => w.name)).toEqual(['datadog.webhook.config', 'datadog.webhook.tags', 'datadog.webhook.auto.instrumentation']);
    expect(shape('7.57')[0]).toEqual({ name: 'datadog.webhook.config', namespaceSelector: undefined, objectSelector: OPT_IN, matchConditions: undefined });
  });

  it('7.60: renamed entries, no matchConditions yet; 7.72: matchConditions [], no namespace exclusion yet', () => {
    expect(shape('7.60')[0]).toEqual({ name: 'datadog.webhook.agent.config', namespaceSelector: undefined, objectSelector: OPT_IN, matchConditions: undefined });
    expect(shape('7.72')[0]).toEqual({ name: 'datadog.webhook.agent.config', namespaceSelector: undefined, objectSelector: OPT_IN, matchConditions: [] });
  });

  it('7.74: namespaces excluded, but SSI still widens the config and tags selectors (until 7.75)', () => {
    const ssi = { 'apm_config.instrumentation.enabled': true };
    expect(shape('7.74', ssi)[0]!.objectSelector).toEqual(NOT_FALSE);
    expect(shape('7.74', ssi)[0]!.namespaceSelector).toEqual({ matchExpressions: [notIn('kube-system', 'datadog')] });
    expect(shape('7.75', ssi)[0]!.objectSelector).toEqual(OPT_IN);
  });

  it('7.77: no probe entry even with the key set (the probe is 7.78)', () => {
    expect(shape('7.77', { 'admission_controller.probe.enabled': true }).map((w) => w.name)).not.toContain('datadog.webhook.probe');
  });
});

describe('sameWebhooks with 7.78 entries', () => {
  it('an API server drops empty matchConditions (omitempty): the stored object is still the same', () => {
    const desired = webhookConfiguration(configAt('7.78'), CA, { namespace: 'datadog' }).webhooks!;
    const stored = desired.map(({ matchConditions: _, ...w }) => w);
    expect(sameWebhooks(stored, desired)).toBe(true);
    expect(sameWebhooks(desired.map((w) => ({ ...w, matchConditions: [{ name: 'x', expression: 'true' }] })), desired)).toBe(false);
  });
});

describe('notes for a preview of the configurations', () => {
  it('the probe entry is flagged as a proposal; matchConditions need 1.28; a disabled kind is deleted', () => {
    expect(webhookConfigurationNotes(configAt('7.78'))).toEqual([]);
    const c = configAt('7.78', { 'admission_controller.probe.enabled': true, 'admission_controller.kubernetes_admission_events.enabled': true, 'admission_controller.mutation.enabled': false });
    expect(webhookConfigurationNotes(c)).toEqual([
      'matchConditions need Kubernetes 1.28 or later: an older API server ignores them, and datadog.webhook.kubernetes.admission.events then receives system: users\' requests too (the Cluster Agent skips them itself)',
      'admission_controller.mutation.enabled is false: the Cluster Agent deletes its MutatingWebhookConfiguration datadog-webhook',
    ]);
    expect(webhookConfigurationNotes(configAt('7.78', { 'admission_controller.probe.enabled': true }))).toEqual([
      'the datadog.webhook.probe entry is a proposal: its path (/probe) and selectors are not established for Cluster Agent 7.78 (the probe works with any path, as the webhook answers probe objects everywhere)',
    ]);
  });
});
