import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasChange, mutate, type MutationResult } from '@dd-admission/core';
import {
  applyStrictPatch,
  formatPodValidationErrors,
  libraryScenarioArbitrary,
  patchViolations,
  preservationViolations,
  toJson,
  userEnvViolations,
  validatePod,
  versionedConfigArbitrary,
  type Scenario,
} from '@dd-admission/testing';

// The core properties again, on scenarios where the injector-era library webhook
// (7.57 and later) acts on most pods, so its volumes, init containers, mounts,
// env, annotations and the /injectlib tags and config runs are exercised in depth.

const RUNS = { numRuns: 150, seed: 5757 } as const;
const injectorEra = versionedConfigArbitrary.filter((g) => hasChange(g.config.agentVersion, 'apm-injector'));
const scenarios = libraryScenarioArbitrary(injectorEra);
const INJECTOR_VOLUMES = ['datadog-auto-instrumentation', 'datadog-auto-instrumentation-etc'];

function run(s: Scenario, pod: unknown = s.pod): MutationResult {
  return mutate(pod, s.context, s.config);
}

describe('core properties where library injection acts (7.57 and later)', () => {
  it('the sample does inject libraries', () => {
    const injected = fc.sample(scenarios, { numRuns: 100, seed: 1 }).filter((s) => run(s).events.some((e) => e.name === 'datadog-init-apm-inject'));
    expect(injected.length).toBeGreaterThan(25);
  });

  it('idempotent, the reinvocation pass included', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        fc.pre(s.config.admission_controller.reinvocation_policy.toLowerCase() !== 'never');
        expect(run(s, run(s).pod).patch).toEqual([]);
      }),
      RUNS,
    );
  });

  it('the patch applies under strict rules, lands where it says and gives the result pod', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const r = run(s);
        expect(patchViolations(s.pod, r.patch)).toEqual([]);
        expect(applyStrictPatch(s.pod, r.patch)).toEqual(toJson(r.pod, 'result pod'));
      }),
      RUNS,
    );
  });

  it('a valid pod stays valid', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        fc.pre(validatePod(s.pod).length === 0);
        const errors = validatePod(run(s).pod);
        expect(errors, formatPodValidationErrors(errors)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('user values are kept: env (LD_PRELOAD only joined), fields, volumes (except the injector\'s own names), annotations', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const out = run(s).pod;
        expect(userEnvViolations(s.pod, out, s.config.agentVersion)).toEqual([]);
        expect(preservationViolations(s.pod, out, { replaceableVolumes: INJECTOR_VOLUMES })).toEqual([]);
      }),
      RUNS,
    );
  });
});
