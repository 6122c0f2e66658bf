import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatAgentVersion, mutate, parseAdmissionReview, parseConfig } from '@dd-admission/core';
import { admissionReviewArbitrary, configArbitrary, datadogYamlArbitrary, libraryScenarioArbitrary, scenarioArbitrary, validatePod, versionedConfigArbitrary, type Scenario } from '@dd-admission/testing';

// The properties are only as good as what the arbitraries produce: these tests
// check, on a fixed sample, that every case the brief lists actually shows up.

type Obj = Record<string, unknown>;
const SAMPLE = fc.sample(scenarioArbitrary(), { numRuns: 500, seed: 7 });
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const spec = (s: Scenario): Obj => (s.pod.spec ?? {}) as Obj;
const allContainers = (s: Scenario) => [...list(spec(s).containers), ...list(spec(s).initContainers)];
const envs = (s: Scenario) => allContainers(s).flatMap((c) => list(c.env));
const labels = (s: Scenario) => s.pod.metadata?.labels ?? {};
const annotations = (s: Scenario) => s.pod.metadata?.annotations ?? {};
const outcomes = SAMPLE.map((s) => ({ s, r: mutate(s.pod, s.context, s.config) }));

/** How many sampled scenarios satisfy `pred`. */
function count(pred: (s: Scenario) => boolean): number {
  return SAMPLE.filter(pred).length;
}

describe('pod arbitrary', () => {
  const cases: [string, (s: Scenario) => boolean][] = [
    ['no container', (s) => list(spec(s).containers).length === 0],
    ['4 containers', (s) => list(spec(s).containers).length === 4],
    ['3 init containers', (s) => list(spec(s).initContainers).length === 3],
    ['initContainers absent', (s) => !('initContainers' in spec(s))],
    ['initContainers null', (s) => spec(s).initContainers === null],
    ['volumes absent', (s) => !('volumes' in spec(s))],
    ['volumes null', (s) => spec(s).volumes === null],
    ['spec with only containers', (s) => Object.keys(spec(s)).join() === 'containers'],
    ['env absent', (s) => allContainers(s).some((c) => !('env' in c))],
    ['env null', (s) => allContainers(s).some((c) => c.env === null)],
    ['literal env value', (s) => envs(s).some((e) => typeof e.value === 'string' && e.value !== '')],
    ['empty env value', (s) => envs(s).some((e) => e.value === '' && !e.valueFrom)],
    ['env without value', (s) => envs(s).some((e) => !('value' in e) && !('valueFrom' in e))],
    ['fieldRef', (s) => envs(s).some((e) => (e.valueFrom as Obj | undefined)?.fieldRef !== undefined)],
    ['secretKeyRef', (s) => envs(s).some((e) => (e.valueFrom as Obj | undefined)?.secretKeyRef !== undefined)],
    ['configMapKeyRef', (s) => envs(s).some((e) => (e.valueFrom as Obj | undefined)?.configMapKeyRef !== undefined)],
    ['user DD_AGENT_HOST', (s) => envs(s).some((e) => e.name === 'DD_AGENT_HOST')],
    ['user JAVA_TOOL_OPTIONS', (s) => envs(s).some((e) => e.name === 'JAVA_TOOL_OPTIONS')],
    ['user PYTHONPATH', (s) => envs(s).some((e) => e.name === 'PYTHONPATH')],
    ['user LD_PRELOAD', (s) => envs(s).some((e) => e.name === 'LD_PRELOAD')],
    ['user CORECLR_PROFILER', (s) => envs(s).some((e) => e.name === 'CORECLR_PROFILER')],
    ['volume named datadog', (s) => list(spec(s).volumes).some((v) => v.name === 'datadog')],
    ['hostPath volume', (s) => list(spec(s).volumes).some((v) => v.hostPath !== undefined)],
    ['configMap volume', (s) => list(spec(s).volumes).some((v) => v.configMap !== undefined)],
    ['mount at /var/run/datadog', (s) => allContainers(s).some((c) => list(c.volumeMounts).some((m) => m.mountPath === '/var/run/datadog'))],
    ['native sidecar', (s) => list(spec(s).initContainers).some((c) => c.restartPolicy === 'Always')],
    ['already-injected init container', (s) => list(spec(s).initContainers).some((c) => /^datadog-lib-/.test(String(c.name)))],
    ['x-future on spec', (s) => 'x-future' in spec(s)],
    ['x-future on a container', (s) => allContainers(s).some((c) => 'x-future' in c)],
    ['x-future on metadata', (s) => s.pod.metadata !== undefined && s.pod.metadata !== null && 'x-future' in s.pod.metadata],
    ['label key with / and ~', (s) => Object.keys(labels(s)).some((k) => k.includes('~') && k.includes('/'))],
    ['annotation key with ~', (s) => Object.keys(annotations(s)).some((k) => k.includes('~'))],
    ['enabled "true"', (s) => labels(s)['admission.datadoghq.com/enabled'] === 'true'],
    ['enabled "false"', (s) => labels(s)['admission.datadoghq.com/enabled'] === 'false'],
    ['enabled other', (s) => !['true', 'false', undefined].includes(labels(s)['admission.datadoghq.com/enabled'])],
    ['enabled absent', (s) => !('admission.datadoghq.com/enabled' in labels(s))],
    ['config.mode label', (s) => 'admission.datadoghq.com/config.mode' in labels(s)],
    ['tags labels', (s) => 'tags.datadoghq.com/env' in labels(s)],
    ['lib version', (s) => Object.keys(annotations(s)).some((k) => /^admission\.datadoghq\.com\/[a-z]+-lib\.version$/.test(k) && !k.includes('all-'))],
    ['lib custom-image', (s) => Object.keys(annotations(s)).some((k) => /\/[a-z]+-lib\.custom-image$/.test(k))],
    ['per-container lib', (s) => Object.keys(annotations(s)).some((k) => /\/[a-z0-9-]+\.[a-z]+-lib\.(version|custom-image)$/.test(k))],
    ['all-lib.version', (s) => 'admission.datadoghq.com/all-lib.version' in annotations(s)],
    ['valid lib config', (s) => Object.entries(annotations(s)).some(([k, v]) => k.endsWith('.config.v1') && v.startsWith('{"'))],
    ['invalid lib config', (s) => Object.entries(annotations(s)).some(([k, v]) => k.endsWith('.config.v1') && !v.startsWith('{"'))],
    ['ReplicaSet owner', (s) => s.pod.metadata?.ownerReferences?.[0]?.kind === 'ReplicaSet'],
    ['StatefulSet owner', (s) => s.pod.metadata?.ownerReferences?.[0]?.kind === 'StatefulSet'],
    ['Job owner', (s) => s.pod.metadata?.ownerReferences?.[0]?.kind === 'Job'],
    ['two owners', (s) => (s.pod.metadata?.ownerReferences?.length ?? 0) === 2],
  ];
  for (const [name, pred] of cases) {
    it(`generates: ${name}`, () => {
      expect(count(pred)).toBeGreaterThanOrEqual(3);
    });
  }

  it('is mostly valid', () => {
    expect(count((s) => validatePod(s.pod).length === 0)).toBeGreaterThan(SAMPLE.length * 0.6);
  });
});

describe('config and context arbitraries', () => {
  const cases: [string, (s: Scenario) => boolean][] = [
    ['mode hostip', (s) => s.config.admission_controller.inject_config.mode === 'hostip'],
    ['mode service', (s) => s.config.admission_controller.inject_config.mode === 'service'],
    ['mode socket', (s) => s.config.admission_controller.inject_config.mode === 'socket'],
    ['bad mode', (s) => !['hostip', 'service', 'socket'].includes(s.config.admission_controller.inject_config.mode)],
    ['mutate_unlabelled', (s) => s.config.admission_controller.mutate_unlabelled],
    ['SSI enabled', (s) => s.config.apm_config.instrumentation.enabled],
    ['SSI enabled_namespaces', (s) => s.config.apm_config.instrumentation.enabled_namespaces.length > 0],
    ['SSI disabled_namespaces', (s) => s.config.apm_config.instrumentation.disabled_namespaces.length > 0],
    ['SSI lib_versions', (s) => Object.keys(s.config.apm_config.instrumentation.lib_versions).length > 0],
    ['inject_all.namespaces', (s) => s.config.admission_controller.auto_instrumentation.inject_all.namespaces.length > 0],
    ['custom registry', (s) => s.config.admission_controller.auto_instrumentation.container_registry !== 'gcr.io/datadoghq'],
    ['init_resources', (s) => s.config.admission_controller.auto_instrumentation.init_resources.cpu !== undefined],
    ['reinvocation Never', (s) => s.config.admission_controller.reinvocation_policy === 'Never'],
    ['a webhook disabled', (s) => !s.config.admission_controller.inject_config.enabled || !s.config.admission_controller.auto_instrumentation.enabled],
    ['agentNamespace datadog', (s) => s.context.agentNamespace === 'datadog'],
    ['ReplicaSet and Deployment owners', (s) => (s.context.owners ?? []).map((o) => o.kind).join() === 'ReplicaSet,Deployment'],
    ['owner missing', (s) => (s.pod.metadata?.ownerReferences?.length ?? 0) > 0 && (s.context.owners ?? []).length < 2],
  ];
  for (const [name, pred] of cases) {
    it(`generates: ${name}`, () => {
      expect(count(pred)).toBeGreaterThanOrEqual(3);
    });
  }

  it('every generated datadog.yaml parses', () => {
    fc.assert(
      fc.property(datadogYamlArbitrary, (values) => {
        expect(parseConfig([{ origin: 'datadog.yaml', values }], { agentVersion: '7.49' }).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect(fc.sample(configArbitrary, { numRuns: 20, seed: 1 })).toHaveLength(20);
  });

  it('contexts agree with the pod: the pod namespace is the request namespace, owners live there', () => {
    for (const s of SAMPLE) {
      if (s.pod.metadata?.namespace) expect(s.context.namespace).toBe(s.pod.metadata.namespace);
      for (const o of s.context.owners ?? []) expect(o.metadata.namespace).toBe(s.context.namespace);
    }
  });
});

describe('outcomes the sample reaches through the core', () => {
  const reached = (pred: (o: (typeof outcomes)[number]) => boolean) => outcomes.filter(pred).length;
  const cases: [string, (o: (typeof outcomes)[number]) => boolean][] = [
    ['unknown mode failure', (o) => o.r.failures.some((f) => f.code === 'unknown mode')],
    ['valueFrom combination failure', (o) => o.r.failures.some((f) => f.code === 'invalid env')],
    ['invalid lib config failure', (o) => o.r.failures.some((f) => f.code === 'invalid lib config')],
    ['invalid resources failure', (o) => o.r.failures.some((f) => f.code === 'invalid resources')],
    ['owner lookup failure', (o) => o.r.failures.some((f) => f.code === 'cannot get owner')],
    ['library injected', (o) => o.r.events.some((e) => e.kind === 'initContainer')],
    ['env combined with a user value', (o) => o.r.events.some((e) => e.action === 'combined')],
    ['env replaced', (o) => o.r.events.some((e) => e.action === 'replaced')],
    ['socket volume added', (o) => o.r.events.some((e) => e.kind === 'volume' && e.name === 'datadog')],
    ['tags from an owner', (o) => o.r.events.some((e) => e.reason.includes('owner'))],
    ['SSI defaults', (o) => o.r.events.some((e) => e.reason.includes('Single Step'))],
    ['reinvocation with changes', (o) => o.r.calls.some((c) => c.reinvocation && c.patch.length > 0)],
    ['already-injected guard', (o) => o.r.skipped.some((k) => k.code === 'already-injected')],
    ['not selected', (o) => o.r.skipped.some((k) => k.code === 'not-selected')],
  ];
  for (const [name, pred] of cases) {
    it(`reaches: ${name}`, () => {
      expect(reached(pred)).toBeGreaterThanOrEqual(3);
    });
  }
});

describe('AdmissionReview arbitrary', () => {
  it('produces v1 and v1beta1 reviews the core accepts, wrapping the pod', () => {
    const reviews = fc.sample(admissionReviewArbitrary(), { numRuns: 200, seed: 3 });
    const versions = new Set<string>();
    for (const body of reviews) {
      const review = parseAdmissionReview(JSON.parse(JSON.stringify(body)));
      versions.add(review.apiVersion);
      expect(review.request.operation).toBe('CREATE');
      const ns = body.request.object.metadata?.namespace;
      if (ns) expect(review.request.namespace).toBe(ns);
      expect(body.request.name).toBe(body.request.object.metadata?.name ?? undefined);
    }
    expect([...versions].sort()).toEqual(['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']);
  });
});

describe('versioned scenarios reach every release and the config webhook\'s newer paths', () => {
  const VERSIONED = fc.sample(scenarioArbitrary({ config: versionedConfigArbitrary }), { numRuns: 500, seed: 11 });
  const runs = VERSIONED.map((s) => ({ s, r: mutate(s.pod, s.context, s.config) }));
  const version = (s: Scenario) => formatAgentVersion(s.config.agentVersion);
  const volumeNames = (o: (typeof runs)[number]) => o.r.events.filter((e) => e.webhook === 'config' && e.kind === 'volume').map((e) => e.name);
  const cases: [string, (o: (typeof runs)[number]) => boolean][] = [
    ['7.49', (o) => version(o.s) === '7.49'],
    ['7.78', (o) => version(o.s) === '7.78'],
    ['7.78.1', (o) => version(o.s) === '7.78.1'],
    ['a release between', (o) => !['7.49', '7.78', '7.78.1'].includes(version(o.s))],
    ['csi directory volumes', (o) => volumeNames(o).includes('datadog-apm') && o.r.events.some((e) => e.kind === 'volume' && e.value?.startsWith('csi '))],
    ['hostPath directories per socket', (o) => volumeNames(o).includes('datadog-apm') && o.r.events.some((e) => e.kind === 'volume' && e.value?.startsWith('hostPath '))],
    ['socket-type volumes', (o) => volumeNames(o).includes('datadog-trace-agent')],
    ['safe-to-evict annotation', (o) => o.r.events.some((e) => e.kind === 'annotation')],
    ['DD_EXTERNAL_ENV', (o) => o.r.events.some((e) => e.name === 'DD_EXTERNAL_ENV')],
    ['csi falls back to socket', (o) => o.r.warnings.some((w) => w.message.startsWith('csi mode needs csi.enabled'))],
    ['an unlabelled pod mutated by the 7.75 filter', (o) => o.s.pod.metadata?.labels?.['admission.datadoghq.com/enabled'] === undefined && o.r.calls.some((c) => c.webhook === 'config' && !c.skip)],
  ];
  for (const [name, pred] of cases) {
    it(`generates: ${name}`, () => {
      expect(runs.filter(pred).length).toBeGreaterThanOrEqual(3);
    });
  }
});

describe('outcomes the injector era (7.78) reaches through the core', () => {
  const config = versionedConfigArbitrary.filter((g) => formatAgentVersion(g.config.agentVersion).startsWith('7.78'));
  const sample = [...fc.sample(scenarioArbitrary({ config }), { numRuns: 1000, seed: 11 }), ...fc.sample(libraryScenarioArbitrary(config), { numRuns: 200, seed: 12 })];
  const results = sample.map((s) => mutate(s.pod, s.context, s.config));
  const events = (r: (typeof results)[number]) => r.events;
  const cases: [string, (r: (typeof results)[number]) => boolean][] = [
    ['injector init container', (r) => events(r).some((e) => e.name === 'datadog-init-apm-inject')],
    ['php library', (r) => events(r).some((e) => e.name === 'datadog-lib-php-init')],
    ['LD_PRELOAD joined', (r) => events(r).some((e) => e.name === 'LD_PRELOAD' && e.action === 'combined')],
    ['injection skipped for resources', (r) => events(r).some((e) => e.name === 'internal.apm.datadoghq.com/injection-error')],
    ['init resources from the pod', (r) => events(r).some((e) => e.kind === 'initContainer') && JSON.stringify(r.pod.spec?.initContainers).includes('"limits"')],
    ['a target applied', (r) => events(r).some((e) => e.name === 'internal.apm.datadoghq.com/applied-target' && !e.value?.includes('"default"'))],
    ['restricted security context', (r) => JSON.stringify(r.pod.spec?.initContainers ?? []).includes('RuntimeDefault')],
    ['csi not simulated', (r) => r.warnings.some((w) => w.message.includes('is not simulated'))],
    ['config run by /injectlib', (r) => events(r).some((e) => e.reason.includes('config mutator run by /injectlib'))],
    ['service name with its source', (r) => events(r).some((e) => e.name === 'DD_SERVICE_K8S_ENV_SOURCE')],
  ];
  for (const [name, pred] of cases) {
    it(`reaches: ${name}`, () => {
      expect(results.filter(pred).length).toBeGreaterThanOrEqual(3);
    });
  }

  it('library scenarios, which the core properties draw half of their runs from, inject libraries in at least a third of the cases', () => {
    const library = results.slice(1000);
    expect(library.filter((r) => r.events.some((e) => e.name === 'datadog-init-apm-inject')).length).toBeGreaterThan(library.length / 3);
  });
});
