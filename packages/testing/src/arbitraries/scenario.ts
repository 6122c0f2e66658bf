import fc from 'fast-check';
import type { AdmissionConfig, MutationContext, Pod } from '@dd-admission/core';
import { configArbitrary, type DatadogYaml, type GeneratedConfig } from './config.js';
import { contextArbitrary } from './context.js';
import { podArbitrary, type PodArbitraryOptions } from './pod.js';

/** Everything one admission needs: the pod, the configuration (as written and parsed), the context. */
export interface Scenario {
  pod: Pod;
  configInput: DatadogYaml;
  config: AdmissionConfig;
  context: MutationContext;
}

/** Scenario options: the pod's, and where configurations come from (default: configArbitrary, the core's default release). */
export interface ScenarioArbitraryOptions extends PodArbitraryOptions {
  config?: fc.Arbitrary<GeneratedConfig>;
}

/** A pod with a configuration and a context consistent with it. */
export function scenarioArbitrary(options: ScenarioArbitraryOptions = {}): fc.Arbitrary<Scenario> {
  return fc
    .tuple(podArbitrary(options), options.config ?? configArbitrary)
    .chain(([pod, { input, config }]) => contextArbitrary(pod).map((context) => ({ pod, configInput: input, config, context })));
}

/**
 * Scenarios where library injection usually acts: the pod opts in with the enabled
 * label, names a library when it names none, and lives outside the namespaces
 * library injection leaves alone (kube-system, the agent's `datadog`).
 */
export function libraryScenarioArbitrary(config: fc.Arbitrary<GeneratedConfig>): fc.Arbitrary<Scenario> {
  const movable = (ns: string | undefined) => (ns === 'kube-system' || ns === 'datadog' ? 'shop' : ns);
  return scenarioArbitrary({ config }).map((s) => {
    const meta = s.pod.metadata ?? {};
    const labels = { ...(meta.labels ?? {}), 'admission.datadoghq.com/enabled': 'true' };
    const named = Object.keys(meta.annotations ?? {}).some((k) => /-lib\.(version|custom-image)$/.test(k));
    const annotations = named ? meta.annotations : { ...(meta.annotations ?? {}), 'admission.datadoghq.com/java-lib.version': 'v1' };
    const metadata = { ...meta, labels, annotations, ...(meta.namespace ? { namespace: movable(meta.namespace)! } : {}) };
    const owners = (s.context.owners ?? []).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: movable(o.metadata.namespace ?? undefined) } }));
    const namespace = movable(s.context.namespace);
    // The namespace's own name label moves with it: since 7.73 the webhooks' namespaceSelector reads it.
    const namespaceLabels = s.context.namespaceLabels && namespace ? { ...s.context.namespaceLabels, 'kubernetes.io/metadata.name': namespace } : s.context.namespaceLabels;
    const context = { ...s.context, namespace, namespaceLabels, agentNamespace: 'datadog', owners };
    return { ...s, pod: { ...s.pod, metadata }, context };
  });
}
