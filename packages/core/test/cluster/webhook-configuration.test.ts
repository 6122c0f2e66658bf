// Spec conformance: spec/webhooks.md §1 (names, order), §2 (fields), §3 (selectors), §5 (v1 / v1beta1); controllers.md §3.
import { describe, expect, it } from 'vitest';
import {
  chooseAdmissionVersion,
  failurePolicyOf,
  reinvocationPolicyOf,
  sameWebhooks,
  webhookConfiguration,
  webhookNameFor,
  webhookPolicyWarnings,
  webhookTemplates,
  withCaBundle,
} from '@dd-admission/core';
import { AKS_SPEC_REQUIREMENTS as AKS, CA_BUNDLE as CA, config, deepFreeze, NOT_FALSE_SELECTOR as NOT_FALSE, OPT_IN_SELECTOR as OPT_IN, specWebhook as expected } from '../helpers.js';

describe('webhookConfiguration: the datadog-webhook object', () => {
  it('default keys: three webhooks in the order config, tags, auto-instrumentation, every field as in §2', () => {
    expect(webhookConfiguration(config(), CA, { namespace: 'datadog' })).toEqual({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'datadog-webhook' },
      webhooks: [
        expected('datadog.webhook.config', '/injectconfig'),
        expected('datadog.webhook.tags', '/injecttags'),
        expected('datadog.webhook.auto.instrumentation', '/injectlib'),
      ],
    });
  });

  it('name, service, endpoints, failure policy, reinvocation and timeout come from the config', () => {
    const c = config({
      admission_controller: {
        webhook_name: 'my-hook',
        service_name: 'dd-cluster-agent-admission-controller',
        failure_policy: 'FAIL',
        reinvocation_policy: 'never',
        timeout_seconds: 25,
        inject_config: { endpoint: '/cfg' },
        inject_tags: { endpoint: '/tg' },
        auto_instrumentation: { endpoint: '/lib' },
      },
    });
    const object = webhookConfiguration(c, CA, { namespace: 'monitoring' });
    expect(object.metadata).toEqual({ name: 'my-hook' });
    expect(object.webhooks!.map((w) => [w.name, w.clientConfig.service!.path])).toEqual([
      ['my.hook.config', '/cfg'],
      ['my.hook.tags', '/tg'],
      ['my.hook.auto.instrumentation', '/lib'],
    ]);
    for (const w of object.webhooks!) {
      expect(w.clientConfig.service).toEqual({ namespace: 'monitoring', name: 'dd-cluster-agent-admission-controller', port: 443, path: w.clientConfig.service!.path });
      expect([w.failurePolicy, w.reinvocationPolicy, w.timeoutSeconds]).toEqual(['Fail', 'Never', 25]);
    }
  });

  it('only enabled webhooks appear, in order', () => {
    const noTags = config({ 'admission_controller.inject_tags.enabled': false });
    expect(webhookTemplates(noTags, { namespace: 'default' }).map((w) => w.name)).toEqual(['datadog.webhook.config', 'datadog.webhook.auto.instrumentation']);
    const onlyLib = config({ 'admission_controller.inject_config.enabled': false, 'admission_controller.inject_tags.enabled': false });
    expect(webhookTemplates(onlyLib, { namespace: 'default' }).map((w) => w.name)).toEqual(['datadog.webhook.auto.instrumentation']);
    const none = config({ 'admission_controller.inject_config.enabled': false, 'admission_controller.inject_tags.enabled': false, 'admission_controller.auto_instrumentation.enabled': false });
    expect(webhookConfiguration(none, CA, { namespace: 'default' }).webhooks).toEqual([]);
  });

  it('v1beta1 carries the same webhooks under the v1beta1 apiVersion', () => {
    const v1 = webhookConfiguration(config(), CA, { namespace: 'default' });
    const beta = webhookConfiguration(config(), CA, { namespace: 'default', apiVersion: 'v1beta1' });
    expect(beta.apiVersion).toBe('admissionregistration.k8s.io/v1beta1');
    expect(beta.webhooks).toEqual(v1.webhooks);
  });
});

describe('webhookConfiguration: selectors (§3)', () => {
  const selectorsOf = (values: Record<string, unknown>, legacyNamespaceSelector = false) =>
    webhookTemplates(config(values), { namespace: 'default', legacyNamespaceSelector }).map((w) => ({ objectSelector: w.objectSelector, namespaceSelector: w.namespaceSelector }));

  it('mutate_unlabelled false: objectSelector matchLabels enabled=true, no namespaceSelector', () => {
    expect(selectorsOf({})).toEqual(Array(3).fill({ objectSelector: OPT_IN, namespaceSelector: undefined }));
  });

  it('mutate_unlabelled true: objectSelector enabled NotIn [false]', () => {
    expect(selectorsOf({ 'admission_controller.mutate_unlabelled': true })).toEqual(Array(3).fill({ objectSelector: NOT_FALSE, namespaceSelector: undefined }));
  });

  it('namespace-selector fallback: the base selector moves to namespaceSelector', () => {
    expect(selectorsOf({ 'admission_controller.namespace_selector_fallback': true }, true)).toEqual(Array(3).fill({ objectSelector: undefined, namespaceSelector: OPT_IN }));
  });

  it('AKS selectors: namespaceSelector with the three 7.49 requirements, objectSelector unchanged', () => {
    expect(selectorsOf({ 'admission_controller.add_aks_selectors': true })).toEqual(Array(3).fill({ objectSelector: OPT_IN, namespaceSelector: { matchExpressions: AKS } }));
  });

  it('AKS selectors with the fallback: requirements appended to the base selector in namespaceSelector', () => {
    const values = { 'admission_controller.add_aks_selectors': true, 'admission_controller.mutate_unlabelled': true, 'admission_controller.namespace_selector_fallback': true };
    expect(selectorsOf(values, true)).toEqual(Array(3).fill({ objectSelector: undefined, namespaceSelector: { matchExpressions: [...NOT_FALSE.matchExpressions, ...AKS] } }));
  });
});

describe('policies (§2)', () => {
  it('failurePolicy: ignore → Ignore, fail → Fail, anything else → Ignore with a warning', () => {
    expect(['ignore', 'Ignore', 'IGNORE', 'fail', 'Fail', 'FaIl', '', 'deny'].map(failurePolicyOf)).toEqual(['Ignore', 'Ignore', 'Ignore', 'Fail', 'Fail', 'Fail', 'Ignore', 'Ignore']);
    expect(webhookPolicyWarnings(config({ 'admission_controller.failure_policy': 'deny' }))).toEqual([
      'Unknown failure policy "deny" (admission_controller.failure_policy) - defaulting to "Ignore"',
    ]);
  });

  it('reinvocationPolicy: ifneeded → IfNeeded, never → Never, anything else → IfNeeded with a warning', () => {
    expect(['ifneeded', 'IfNeeded', 'never', 'NEVER', '', 'always'].map(reinvocationPolicyOf)).toEqual(['IfNeeded', 'IfNeeded', 'Never', 'Never', 'IfNeeded', 'IfNeeded']);
    expect(webhookPolicyWarnings(config({ 'admission_controller.reinvocation_policy': 'always' }))).toEqual([
      'Unknown reinvocation policy "always" (admission_controller.reinvocation_policy) - defaulting to "IfNeeded"',
    ]);
    expect(webhookPolicyWarnings(config())).toEqual([]);
  });

  it('name rule: every "-" becomes "."', () => {
    expect(webhookNameFor(config({ 'admission_controller.webhook_name': 'a-b-c' }), 'auto-instrumentation')).toBe('a.b.c.auto.instrumentation');
  });
});

describe('withCaBundle / sameWebhooks', () => {
  it('fills caBundle without touching the templates', () => {
    const templates = deepFreeze(webhookTemplates(config(), { namespace: 'default' }));
    const filled = withCaBundle(templates, 'Zm9v');
    expect(filled.map((w) => w.clientConfig.caBundle)).toEqual(['Zm9v', 'Zm9v', 'Zm9v']);
    expect(templates.every((w) => w.clientConfig.caBundle === undefined)).toBe(true);
  });

  it('an object as the API server stores it (defaults filled in, keys reordered) is the same', () => {
    const desired = webhookConfiguration(config(), CA, { namespace: 'default' }).webhooks!;
    const stored = desired.map((w) => ({
      ...w,
      namespaceSelector: {},
      rules: w.rules!.map((r) => ({ scope: '*', ...r })),
      clientConfig: { caBundle: w.clientConfig.caBundle, service: { ...w.clientConfig.service } },
    }));
    expect(sameWebhooks(stored, desired)).toBe(true);
  });

  it('a manual edit, a new CA bundle, a missing or extra webhook is a difference', () => {
    const desired = webhookConfiguration(config(), CA, { namespace: 'default' }).webhooks!;
    expect(sameWebhooks(desired.map((w, i) => (i === 1 ? { ...w, failurePolicy: 'Fail' } : w)), desired)).toBe(false);
    expect(sameWebhooks(withCaBundle(desired, 'b3RoZXI='), desired)).toBe(false);
    expect(sameWebhooks(desired.slice(1), desired)).toBe(false);
    expect(sameWebhooks([...desired, desired[0]], desired)).toBe(false);
    expect(sameWebhooks(undefined, desired)).toBe(false);
    expect(sameWebhooks(undefined, [])).toBe(true);
  });
});

describe('chooseAdmissionVersion (§5)', () => {
  it('v1 when its list works; v1beta1 when only that one works', () => {
    expect(chooseAdmissionVersion('found')).toBe('v1');
    expect(chooseAdmissionVersion('not-found', 'found')).toBe('v1beta1');
    expect(chooseAdmissionVersion('error', 'found')).toBe('v1beta1');
  });

  it('both failed: v1beta1 only for v1 NotFound + v1beta1 unknown error, else the newest', () => {
    expect(chooseAdmissionVersion('not-found', 'error')).toBe('v1beta1');
    expect(chooseAdmissionVersion('not-found', 'not-found')).toBe('v1');
    expect(chooseAdmissionVersion('error', 'error')).toBe('v1');
    expect(chooseAdmissionVersion('error', 'not-found')).toBe('v1');
  });
});
