// Spec conformance: spec/webhooks.md §3 (selectors) and §4 (handler-side label checks).
import { describe, expect, it } from 'vitest';
import {
  baseSelector,
  webhookSelectors,
  matchesSelector,
  selectionSkip,
  usesNamespaceSelector,
  mutate,
  injectConfig,
  injectTags,
  injectAutoInstrumentation,
  type AdmissionConfig,
  type Pod,
  type WebhookResult,
} from '@dd-admission/core';
import { AKS_SPEC_REQUIREMENTS as AKS, config, makePod, ENABLED, NOT_FALSE_SELECTOR as BASE_TRUE, OPT_IN, OPT_IN_SELECTOR as BASE_FALSE } from '../helpers.js';

const unlabelled = config({ 'admission_controller.mutate_unlabelled': true });
const aks = config({ 'admission_controller.add_aks_selectors': true });
const aksUnlabelled = config({ 'admission_controller.add_aks_selectors': true, 'admission_controller.mutate_unlabelled': true });
const fallback = config({ 'admission_controller.namespace_selector_fallback': true });

describe('webhooks §3.1 base label selector', () => {
  it('mutate_unlabelled false (default) → matchLabels {admission.datadoghq.com/enabled: "true"}', () => {
    expect(baseSelector(config())).toEqual(BASE_FALSE);
  });

  it('mutate_unlabelled true → matchExpressions [{key: admission.datadoghq.com/enabled, operator: NotIn, values: ["false"]}]', () => {
    expect(baseSelector(unlabelled)).toEqual(BASE_TRUE);
  });

  it('mutate_unlabelled false: only pods that opt in are sent', () => {
    expect(matchesSelector(BASE_FALSE, { [ENABLED]: 'true' })).toBe(true);
    expect(matchesSelector(BASE_FALSE, {})).toBe(false);
    expect(matchesSelector(BASE_FALSE, { [ENABLED]: 'false' })).toBe(false);
    expect(matchesSelector(BASE_FALSE, { [ENABLED]: 'True' })).toBe(false);
  });

  it('mutate_unlabelled true: every pod except those labelled "false"', () => {
    expect(matchesSelector(BASE_TRUE as never, {})).toBe(true);
    expect(matchesSelector(BASE_TRUE as never, { [ENABLED]: 'true' })).toBe(true);
    expect(matchesSelector(BASE_TRUE as never, { [ENABLED]: 'yes' })).toBe(true);
    expect(matchesSelector(BASE_TRUE as never, { [ENABLED]: 'false' })).toBe(false);
  });
});

describe('webhooks §3.1 where the selector goes', () => {
  it('normal (default): objectSelector = base selector, namespaceSelector not set', () => {
    expect(webhookSelectors(config(), false)).toEqual({ objectSelector: BASE_FALSE });
    expect(webhookSelectors(unlabelled, false)).toEqual({ objectSelector: BASE_TRUE });
  });

  it('namespace-selector fallback active: objectSelector not set, namespaceSelector = base selector', () => {
    expect(webhookSelectors(fallback, true)).toEqual({ namespaceSelector: BASE_FALSE });
  });

  it('AKS selectors on, normal: objectSelector = base; namespaceSelector = AKS requirements only (no matchLabels), in order', () => {
    expect(webhookSelectors(aks, false)).toEqual({ objectSelector: BASE_FALSE, namespaceSelector: { matchExpressions: AKS } });
    expect(webhookSelectors(aksUnlabelled, false)).toEqual({ objectSelector: BASE_TRUE, namespaceSelector: { matchExpressions: AKS } });
  });

  it('AKS selectors on, fallback active: objectSelector not set; namespaceSelector = base selector + AKS requirements appended', () => {
    const c1 = config({ 'admission_controller.add_aks_selectors': true, 'admission_controller.namespace_selector_fallback': true });
    expect(webhookSelectors(c1, true)).toEqual({ namespaceSelector: { matchLabels: BASE_FALSE.matchLabels, matchExpressions: AKS } });
    const c2 = config({
      'admission_controller.add_aks_selectors': true,
      'admission_controller.namespace_selector_fallback': true,
      'admission_controller.mutate_unlabelled': true,
    });
    expect(webhookSelectors(c2, true)).toEqual({ namespaceSelector: { matchExpressions: [...BASE_TRUE.matchExpressions, ...AKS] } });
  });
});

describe('webhooks §3.2 namespace-selector fallback', () => {
  it('used only if namespace_selector_fallback is true and the server is 1.10 - 1.14', () => {
    for (const minor of ['10', '11', '12', '13', '14', '14+']) expect(usesNamespaceSelector(fallback, { major: '1', minor }), minor).toBe(true);
    for (const minor of ['15', '16', '28', '9']) expect(usesNamespaceSelector(fallback, { major: '1', minor }), minor).toBe(false);
    expect(usesNamespaceSelector(fallback, { major: '2', minor: '12' })).toBe(false);
  });

  it('flag false → no fallback (the server version is not even queried)', () => {
    expect(usesNamespaceSelector(config(), { major: '1', minor: '12' })).toBe(false);
    expect(usesNamespaceSelector(config(), { major: '1', minor: 'xx' })).toBe(false);
  });

  it('a parse error of the minor version aborts (an error, not a silent "no fallback")', () => {
    expect(() => usesNamespaceSelector(fallback, { major: '1', minor: 'ab' })).toThrow();
  });

  it('an old cluster without namespace_selector_fallback keeps the object selector', () => {
    // the fallback needs the flag AND the 1.10-1.14 server; here only the server is old
    const pod = makePod({ labels: OPT_IN });
    expect(selectionSkip('config', pod, { legacyNamespaceSelector: true, namespaceLabels: {} }, config())).toBeUndefined();
  });

  it('fallback active: the base selector is matched against the namespace labels, not the pod labels', () => {
    const pod = makePod({ labels: OPT_IN });
    expect(selectionSkip('config', pod, { legacyNamespaceSelector: true, namespaceLabels: {} }, fallback)).toMatchObject({ code: 'not-selected' });
    const unlabelledPod = makePod();
    expect(selectionSkip('config', unlabelledPod, { legacyNamespaceSelector: true, namespaceLabels: { [ENABLED]: 'true' } }, fallback)).toBeUndefined();
  });
});

describe('webhooks §3.3 AKS selectors (7.49 three-requirement form)', () => {
  it('namespaces with control-plane (any value) or kubernetes.azure.com/managedby=aks are not sent', () => {
    const pod = makePod({ labels: OPT_IN });
    for (const namespaceLabels of [{ 'control-plane': 'true' }, { 'control-plane': 'false' }, { 'kubernetes.azure.com/managedby': 'aks' }] as Record<string, string>[]) {
      expect(selectionSkip('config', pod, { namespaceLabels }, aks)).toMatchObject({ code: 'not-selected' });
    }
    for (const namespaceLabels of [{}, { 'kubernetes.azure.com/managedby': 'me' }, { team: 'shop' }] as Record<string, string>[]) {
      expect(selectionSkip('config', pod, { namespaceLabels }, aks)).toBeUndefined();
    }
  });

  it('add_aks_selectors defaults to false: no namespaceSelector', () => {
    expect(config().admission_controller.add_aks_selectors).toBe(false);
    expect(webhookSelectors(config()).namespaceSelector).toBeUndefined();
  });
});

describe('webhooks §3.4 SSI makes the selector accept all (early-2024 rule, README decision)', () => {
  it('apm_config.instrumentation.enabled true → accept-all selector', () => {
    expect(baseSelector(config({ 'apm_config.instrumentation.enabled': true }))).toEqual(BASE_TRUE);
  });

  it('apm_config.instrumentation.enabled_namespaces non-empty → accept-all selector', () => {
    expect(baseSelector(config({ 'apm_config.instrumentation.enabled_namespaces': ['apps'] }))).toEqual(BASE_TRUE);
  });

  it('disabled_namespaces alone does not switch to accept-all', () => {
    expect(baseSelector(config({ 'apm_config.instrumentation.disabled_namespaces': ['legacy'] }))).toEqual(BASE_FALSE);
  });

  it('with SSI on, an unlabelled pod is sent to every webhook; a pod labelled "false" is not', () => {
    const c = config({ 'apm_config.instrumentation.enabled': true });
    for (const w of ['config', 'tags', 'auto-instrumentation'] as const) {
      expect(selectionSkip(w, makePod(), {}, c)).toBeUndefined();
      expect(selectionSkip(w, makePod({ labels: { [ENABLED]: 'false' } }), {}, c)).toMatchObject({ code: 'not-selected' });
    }
  });
});

describe('webhooks §3.5 namespaces excluded (7.47 - 7.49)', () => {
  it('config and tags: none by code — a labelled pod in kube-system or the DCA namespace is mutated', () => {
    for (const ns of ['kube-system', 'datadog']) {
      const pod = makePod({ namespace: ns, labels: { ...OPT_IN, 'tags.datadoghq.com/env': 'prod' } });
      const m = mutate(pod, { namespace: ns, agentNamespace: 'datadog' }, config(), ['config', 'tags']);
      expect(m.skipped).toEqual([]);
      const names = (m.pod.spec?.containers?.[0]?.env ?? []).map((e) => e.name);
      expect(names).toEqual(expect.arrayContaining(['DD_AGENT_HOST', 'DD_ENTITY_ID', 'DD_ENV']));
    }
  });

  it('auto-instrumentation, annotation-driven: none — an annotated, labelled pod in kube-system is injected', () => {
    const pod = makePod({ namespace: 'kube-system', labels: OPT_IN, annotations: { 'admission.datadoghq.com/java-lib.version': 'v1' } });
    const r = injectAutoInstrumentation(pod, { namespace: 'kube-system' }, config());
    expect((r.pod.spec?.initContainers ?? []).map((c) => c.name)).toEqual(['datadog-lib-java-init']);
  });
});

describe('webhooks §1 / selection: a disabled webhook is not in the configuration', () => {
  for (const [w, key] of [
    ['config', 'admission_controller.inject_config.enabled'],
    ['tags', 'admission_controller.inject_tags.enabled'],
    ['auto-instrumentation', 'admission_controller.auto_instrumentation.enabled'],
  ] as const) {
    it(`${key} false → ${w} never sees the pod`, () => {
      expect(selectionSkip(w, makePod({ labels: OPT_IN }), {}, config({ [key]: false }))).toBeDefined();
      expect(selectionSkip(w, makePod({ labels: OPT_IN }), {}, config())).toBeUndefined();
    });
  }

  it('a pod the API server would not send stays unchanged, with the reason', () => {
    const pod = makePod({ annotations: { 'admission.datadoghq.com/java-lib.version': 'v1' } });
    const m = mutate(pod, {}, config());
    expect(m.patch).toEqual([]);
    expect(m.pod).toEqual(pod);
    expect(m.skipped.map((s) => [s.webhook, s.code])).toEqual([
      ['config', 'not-selected'],
      ['tags', 'not-selected'],
      ['auto-instrumentation', 'not-selected'],
    ]);
  });
});

// webhooks §4: each handler re-checks the label (case-sensitive).
type Handler = (pod: Pod, c: AdmissionConfig) => WebhookResult;
const runConfig: Handler = (pod, c) => injectConfig(pod, { namespace: 'apps' }, c);
const runTags: Handler = (pod, c) => injectTags(pod, { namespace: 'apps' }, c);
const runLib: Handler = (pod, c) => injectAutoInstrumentation(pod, { namespace: 'apps' }, c);

function handlerPod(label: string | undefined): Pod {
  return makePod({
    namespace: 'apps',
    labels: { 'tags.datadoghq.com/env': 'prod', ...(label === undefined ? {} : { [ENABLED]: label }) },
    annotations: { 'admission.datadoghq.com/java-lib.version': 'v1' },
  });
}

function mutated(h: Handler, label: string | undefined, c: AdmissionConfig): boolean {
  const r = h(handlerPod(label), c);
  expect(r.failure).toBeUndefined();
  return r.patch.length > 0;
}

describe('webhooks §4 handler label checks', () => {
  const plain = config();
  const ssiOn = config({ 'apm_config.instrumentation.enabled_namespaces': ['apps'] });
  const ssiOff = config({ 'apm_config.instrumentation.enabled_namespaces': ['elsewhere'] });

  it('config (7.47-7.49): "true" mutate; "false" skip; other value warning + skip; absent mutate iff mutate_unlabelled', () => {
    expect(mutated(runConfig, 'true', plain)).toBe(true);
    expect(mutated(runConfig, 'false', unlabelled)).toBe(false);
    expect(mutated(runConfig, 'True', unlabelled)).toBe(false);
    expect(runConfig(handlerPod('True'), unlabelled).warnings.length).toBeGreaterThan(0);
    expect(mutated(runConfig, undefined, plain)).toBe(false);
    expect(mutated(runConfig, undefined, unlabelled)).toBe(true);
  });

  it('config does not consider SSI: absent label with SSI active for the namespace → skip', () => {
    expect(mutated(runConfig, undefined, ssiOn)).toBe(false);
  });

  it('tags (README decision: shared "should inject" check): "true" mutate; "false" skip; other → warning then fallback; absent → SSI active or mutate_unlabelled', () => {
    expect(mutated(runTags, 'true', plain)).toBe(true);
    expect(mutated(runTags, 'false', unlabelled)).toBe(false);
    expect(mutated(runTags, 'other', plain)).toBe(false);
    expect(mutated(runTags, 'other', unlabelled)).toBe(true);
    expect(runTags(handlerPod('other'), plain).warnings.length).toBeGreaterThan(0);
    expect(mutated(runTags, undefined, plain)).toBe(false);
    expect(mutated(runTags, undefined, unlabelled)).toBe(true);
    expect(mutated(runTags, undefined, ssiOn)).toBe(true);
    expect(mutated(runTags, undefined, ssiOff)).toBe(false);
  });

  it('lib injection 7.49, SSI active for the namespace: "true" mutate; "false" skip; other mutate; absent mutate', () => {
    expect(mutated(runLib, 'true', ssiOn)).toBe(true);
    expect(mutated(runLib, 'false', ssiOn)).toBe(false);
    expect(mutated(runLib, 'other', ssiOn)).toBe(true);
    expect(mutated(runLib, undefined, ssiOn)).toBe(true);
  });

  it('lib injection 7.49, SSI not active: "true" mutate; "false" skip; other → warning then mutate_unlabelled; absent → mutate_unlabelled', () => {
    expect(mutated(runLib, 'true', ssiOff)).toBe(true);
    expect(mutated(runLib, 'false', unlabelled)).toBe(false);
    expect(mutated(runLib, 'other', ssiOff)).toBe(false);
    expect(runLib(handlerPod('other'), ssiOff).warnings.length).toBeGreaterThan(0);
    expect(mutated(runLib, 'other', unlabelled)).toBe(true);
    expect(mutated(runLib, undefined, ssiOff)).toBe(false);
    expect(mutated(runLib, undefined, unlabelled)).toBe(true);
  });

  it('the label value is compared exactly (case-sensitive): "FALSE" is not "false"', () => {
    expect(mutated(runLib, 'FALSE', ssiOn)).toBe(true);
    expect(mutated(runConfig, 'TRUE', unlabelled)).toBe(false);
  });
});
