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
