import fc from 'fast-check';
import type { AdmissionConfig, MutationContext, Pod } from '@dd-admission/core';
import { configArbitrary, type DatadogYaml } from './config.js';
import { contextArbitrary } from './context.js';
import { podArbitrary, type PodArbitraryOptions } from './pod.js';

/** Everything one admission needs: the pod, the configuration (as written and parsed), the context. */
export interface Scenario {
  pod: Pod;
  configInput: DatadogYaml;
  config: AdmissionConfig;
  context: MutationContext;
}

/** A pod with a configuration and a context consistent with it. */
export function scenarioArbitrary(options: PodArbitraryOptions = {}): fc.Arbitrary<Scenario> {
  return fc
    .tuple(podArbitrary(options), configArbitrary)
    .chain(([pod, { input, config }]) => contextArbitrary(pod).map((context) => ({ pod, configInput: input, config, context })));
}
