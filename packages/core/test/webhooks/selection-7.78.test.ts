// Spec conformance: spec/7.78/webhooks-7.78.md §4 (selectors) and README "Selectors first": the preview
// applies the webhook configuration's selectors before any handler, per agent version.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hasChange,
  matchesSelector,
  mutate,
  resourcesNamespace,
  selectionSkip,
  WEBHOOKS,
  webhookNameFor,
  webhookTemplates,
  type MutationContext,
} from '@dd-admission/core';
import { agentVersionArbitrary, applyStrictPatch, parseGeneratedConfig, scenarioArbitrary, toJson, userEnvViolations } from '@dd-admission/testing';
import { configAt, ENABLED, makePod, OPT_IN } from '../helpers.js';

const TAGGED = { ...OPT_IN, 'tags.datadoghq.com/env': 'prod' };

describe('7.78: namespaces excluded by namespaceSelector (7.73)', () => {
  it('a labelled pod in kube-system is not mutated, and the preview says why', () => {
    const pod = makePod({ namespace: 'kube-system', labels: TAGGED });
    const m = mutate(pod, { namespace: 'kube-system', agentNamespace: 'datadog' }, configAt('7.78'));
    expect(m.patch).toEqual([]);
    expect(m.skipped).toEqual(
      WEBHOOKS.map((webhook) => ({
        webhook,
        code: 'not-selected',
        reason: "namespace kube-system is excluded by the webhook's namespaceSelector (kubernetes.io/metadata.name notin (kube-system,datadog))",
      })),
    );
  });

  it("the agent's own namespace is excluded too; kube_resources_namespace wins over the agent's namespace", () => {
    const inAgentNs = makePod({ namespace: 'datadog', labels: TAGGED });
    expect(mutate(inAgentNs, { namespace: 'datadog', agentNamespace: 'datadog' }, configAt('7.78')).patch).toEqual([]);
    const c = configAt('7.78', { kube_resources_namespace: 'monitoring' });
    expect(mutate(inAgentNs, { namespace: 'datadog', agentNamespace: 'datadog' }, c).patch).not.toEqual([]);
    const inResources = makePod({ namespace: 'monitoring', labels: TAGGED });
    expect(selectionSkip('config', inResources, { namespace: 'monitoring', agentNamespace: 'datadog' }, c)?.reason).toContain('namespace monitoring is excluded');
  });

  it('7.49 (and 7.72) keep mutating a labelled pod in kube-system', () => {
    for (const version of ['7.49', '7.72']) {
      const pod = makePod({ namespace: 'kube-system', labels: TAGGED });
      const m = mutate(pod, { namespace: 'kube-system', agentNamespace: 'datadog' }, configAt(version));
      expect(m.skipped.filter((s) => s.code === 'not-selected'), version).toEqual([]);
      expect(m.patch, version).not.toEqual([]);
    }
  });

  it('lib injection also excludes apm_config.instrumentation.disabled_namespaces', () => {
    const c = configAt('7.78', { 'apm_config.instrumentation.enabled': true, 'apm_config.instrumentation.disabled_namespaces': ['legacy'] });
    const pod = makePod({ namespace: 'legacy', labels: OPT_IN });
    const ctx: MutationContext = { namespace: 'legacy', agentNamespace: 'datadog' };
    expect(selectionSkip('auto-instrumentation', pod, ctx, c)?.reason).toBe(
      "namespace legacy is excluded by the webhook's namespaceSelector (kubernetes.io/metadata.name notin (kube-system,datadog,legacy))",
    );
    expect(selectionSkip('config', pod, ctx, c)).toBeUndefined();
  });

  it('AKS requirements still apply to the namespace labels', () => {
    const c = configAt('7.78', { 'admission_controller.add_aks_selectors': true });
    const pod = makePod({ namespace: 'shop', labels: OPT_IN });
    expect(selectionSkip('tags', pod, { namespace: 'shop', namespaceLabels: { 'control-plane': 'true' } }, c)?.reason).toBe(
      "the namespace's labels do not match the webhook's namespaceSelector (kubernetes.io/metadata.name notin (kube-system,default), !control-plane, control-plane notin (true), kubernetes.azure.com/managedby notin (aks))",
    );
    expect(selectionSkip('tags', pod, { namespace: 'shop', namespaceLabels: {} }, c)).toBeUndefined();
  });
});

describe('7.78: which pods the enabled requirement sends', () => {
  it('7.75: Single Step Instrumentation no longer sends unlabelled pods to config and tags; lib injection gets them', () => {
    const c = configAt('7.78', { 'apm_config.instrumentation.enabled': true });
    const pod = makePod({ namespace: 'shop' });
    const ctx = { namespace: 'shop', agentNamespace: 'datadog' };
    expect(selectionSkip('config', pod, ctx, c)).toMatchObject({ code: 'not-selected' });
    expect(selectionSkip('tags', pod, ctx, c)).toMatchObject({ code: 'not-selected' });
    expect(selectionSkip('auto-instrumentation', pod, ctx, c)).toBeUndefined();
    // 7.74 still widened config and tags.
    expect(selectionSkip('config', pod, ctx, configAt('7.74', { 'apm_config.instrumentation.enabled': true }))).toBeUndefined();
  });

  it('enabled_namespaces alone no longer widens any selector', () => {
    const c = configAt('7.78', { 'apm_config.instrumentation.enabled_namespaces': ['shop'] });
    for (const w of WEBHOOKS) expect(selectionSkip(w, makePod({ namespace: 'shop' }), { namespace: 'shop' }, c), w).toMatchObject({ code: 'not-selected' });
  });
});

// Properties over every supported version: the preview's selection is the API server's,
// given the webhook configuration dd-admission writes for that version.
const RUNS = { numRuns: 150, seed: 778 } as const;
const versioned = fc
  .record({
    s: scenarioArbitrary(),
    version: agentVersionArbitrary,
    aks: fc.boolean(),
    resources: fc.constantFrom(undefined, 'datadog', 'monitoring'),
    namespaceLabels: fc.constantFrom<Record<string, string>>({}, { 'control-plane': 'true' }, { 'kubernetes.azure.com/managedby': 'aks' }, { team: 'shop' }),
  })
  .map(({ s, version, aks, resources, namespaceLabels }) => {
    const ac = { ...(s.configInput.admission_controller as Record<string, unknown>), add_aks_selectors: aks };
    const input = { ...s.configInput, admission_controller: ac, ...(resources ? { kube_resources_namespace: resources } : {}) };
    return { ...s, config: parseGeneratedConfig(input, version).config, context: { ...s.context, namespaceLabels } };
  });

describe('selection properties, every version (7.49, 7.78, interpolated)', () => {
  it('a webhook is skipped exactly when the written configuration has no entry for it whose selectors match the pod and its namespace', () => {
    fc.assert(
      fc.property(versioned, ({ pod, config, context }) => {
        const templates = webhookTemplates(config, { namespace: resourcesNamespace(config, context.agentNamespace) });
        const namespaceLabels = { 'kubernetes.io/metadata.name': context.namespace!, ...context.namespaceLabels };
        for (const w of WEBHOOKS) {
          const entry = templates.find((t) => t.name === webhookNameFor(config, w));
          const sent = entry !== undefined && matchesSelector(entry.objectSelector, pod.metadata?.labels ?? {}) && matchesSelector(entry.namespaceSelector, namespaceLabels);
          expect(selectionSkip(w, pod, context, config) === undefined, w).toBe(sent);
        }
      }),
      RUNS,
    );
  });

  it('a pod labelled admission.datadoghq.com/enabled: "false" is never mutated', () => {
    fc.assert(
      fc.property(versioned, ({ pod, config, context }) => {
        const labelled = { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata?.labels, [ENABLED]: 'false' } } };
        expect(mutate(labelled, context, config).patch).toEqual([]);
      }),
      RUNS,
    );
  });

  it('the core properties hold with the selection of every version: strict patch, user env kept, idempotent (IfNeeded)', () => {
    fc.assert(
      fc.property(versioned, ({ pod, config, context }) => {
        const first = mutate(pod, context, config);
        expect(applyStrictPatch(pod, first.patch)).toEqual(toJson(first.pod, 'result pod'));
        expect(userEnvViolations(pod, first.pod, config.agentVersion)).toEqual([]);
        if (config.admission_controller.reinvocation_policy.toLowerCase() !== 'never') expect(mutate(first.pod, context, config).patch).toEqual([]);
      }),
      RUNS,
    );
  });

  it('from 7.73 on, pods of kube-system and of the resources namespace are never mutated', () => {
    fc.assert(
      fc.property(versioned, ({ pod, config, context }) => {
        fc.pre(hasChange(config.agentVersion, 'namespace-exclusion'));
        for (const namespace of ['kube-system', resourcesNamespace(config, context.agentNamespace)]) {
          const moved = { ...pod, metadata: { ...pod.metadata, namespace } };
          expect(mutate(moved, { ...context, namespace }, config).patch).toEqual([]);
        }
      }),
      RUNS,
    );
  });
});
