// Spec conformance: spec/lib-injection.md §5.2 (SSI defaults) and §6 (7.49 SSI activity and flow).
import { describe, expect, it } from 'vitest';
import {
  isSsiActive,
  serviceNameFromOwner,
  deploymentOfReplicaSet,
  ssiDefaultEnv,
  injectAutoInstrumentation,
  parseConfig,
  type Pod,
} from '@dd-admission/core';
import {
  config,
  makePod,
  ENABLED,
  OPT_IN,
  envOf,
  envEntry,
  envValue,
  containerOf,
  expectPatchGivesPod,
  expectUnchanged,
  JAVA_TOOL_OPTIONS_VALUE,
} from '../helpers.js';

const A = 'admission.datadoghq.com/';
const LANGS = ['java', 'js', 'python', 'dotnet', 'ruby'] as const;

function ssi(values: { enabled?: boolean; enabled_namespaces?: string[]; disabled_namespaces?: string[]; lib_versions?: Record<string, string> }, extra: Record<string, unknown> = {}) {
  const v: Record<string, unknown> = { ...extra };
  for (const [k, val] of Object.entries(values)) v[`apm_config.instrumentation.${k}`] = val;
  return config(v);
}

function owned(kind: string, name: string): Pod {
  return makePod({ ownerReferences: [{ apiVersion: kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : 'apps/v1', kind, name }] });
}

function initNames(pod: Pod): string[] {
  return (pod.spec?.initContainers ?? []).map((c) => c.name);
}

const SSI_DEFAULTS: Record<string, string> = {
  DD_TRACE_ENABLED: 'true',
  DD_LOGS_INJECTION: 'true',
  DD_TRACE_HEALTH_METRICS_ENABLED: 'true',
  DD_RUNTIME_METRICS_ENABLED: 'true',
  DD_TRACE_SAMPLE_RATE: '1.00',
  DD_TRACE_RATE_LIMIT: '100',
};

describe('lib-injection §6 "SSI active for namespace N" (7.49 rule)', () => {
  it('rule 1: warnings when E is true and EN non-empty, or E is false and DN non-empty', () => {
    const a = parseConfig({ origin: 't', values: { apm_config: { instrumentation: { enabled: true, enabled_namespaces: ['apps'] } } } }, { agentVersion: '7.49' });
    expect(a.warnings.some((w) => w.key.startsWith('apm_config.instrumentation.'))).toBe(true);
    const b = parseConfig({ origin: 't', values: { apm_config: { instrumentation: { enabled: false, disabled_namespaces: ['apps'] } } } }, { agentVersion: '7.49' });
    expect(b.warnings.some((w) => w.key.startsWith('apm_config.instrumentation.'))).toBe(true);
    const c = parseConfig({ origin: 't', values: { apm_config: { instrumentation: { enabled: true, disabled_namespaces: ['legacy'] } } } }, { agentVersion: '7.49' });
    expect(c.warnings.filter((w) => w.key.startsWith('apm_config.instrumentation.'))).toEqual([]);
  });

  it('rule 2: EN and DN both non-empty → error logged, not active (even for a namespace in EN, even with E true)', () => {
    const cfg = ssi({ enabled: true, enabled_namespaces: ['apps'], disabled_namespaces: ['legacy'] });
    expect(isSsiActive(cfg, 'apps')).toBe(false);
    expect(isSsiActive(cfg, 'other')).toBe(false);
    expect(isSsiActive(cfg, 'legacy')).toBe(false);
    const parsed = parseConfig({ origin: 't', values: { 'apm_config.instrumentation.enabled_namespaces': ['apps'], 'apm_config.instrumentation.disabled_namespaces': ['legacy'] } }, { agentVersion: '7.49' });
    expect(parsed.ok).toBe(true);
    expect(parsed.warnings.some((w) => w.key.startsWith('apm_config.instrumentation.'))).toBe(true);
  });

  it('rule 3: N in EN → active, even when E is false', () => {
    const cfg = ssi({ enabled: false, enabled_namespaces: ['apps'] });
    expect(isSsiActive(cfg, 'apps')).toBe(true);
    expect(isSsiActive(cfg, 'other')).toBe(false);
  });

  it('rule 3 before rule 4: kube-system listed in EN → active', () => {
    expect(isSsiActive(ssi({ enabled_namespaces: ['kube-system'] }), 'kube-system')).toBe(true);
  });

  it('rule 4: N is kube-system → not active (E true)', () => {
    expect(isSsiActive(ssi({ enabled: true }), 'kube-system')).toBe(false);
  });

  it('rule 5: N in DN → not active', () => {
    const cfg = ssi({ enabled: true, disabled_namespaces: ['legacy'] });
    expect(isSsiActive(cfg, 'legacy')).toBe(false);
    expect(isSsiActive(cfg, 'apps')).toBe(true);
  });

  it('rule 6: otherwise → E', () => {
    expect(isSsiActive(ssi({ enabled: true }), 'apps')).toBe(true);
    expect(isSsiActive(ssi({ enabled: false }), 'apps')).toBe(false);
    expect(isSsiActive(config(), 'default')).toBe(false);
    // 7.49: the DCA's own namespace is not excluded (that came in 2024)
    expect(isSsiActive(ssi({ enabled: true }), 'datadog')).toBe(true);
  });

  it('evaluated on the pod object\'s metadata.namespace: a pod in apps is judged on apps whatever the request namespace', () => {
    const cfg = ssi({ enabled_namespaces: ['apps'] });
    const inApps = makePod({ namespace: 'apps' });
    expect(initNames(injectAutoInstrumentation(inApps, { namespace: 'other' }, cfg).pod)).toHaveLength(5);
  });

  it('evaluated on the pod object\'s metadata.namespace: a pod object without metadata.namespace is judged on "" (not the request namespace) → not active', () => {
    const cfg = ssi({ enabled_namespaces: ['apps'] });
    const input = makePod({ namespace: '' });
    expectUnchanged(input, injectAutoInstrumentation(input, { namespace: 'apps' }, cfg));
  });
});

describe('lib-injection §5.2 DD_SERVICE derivation', () => {
  it('not exactly one owner reference → no DD_SERVICE', () => {
    expect(serviceNameFromOwner(makePod())).toBeUndefined();
    expect(
      serviceNameFromOwner(
        makePod({
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'a' },
            { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'b' },
          ],
        }),
      ),
    ).toBeUndefined();
    expect(ssiDefaultEnv(makePod()).some((e) => e.name === 'DD_SERVICE')).toBe(false);
  });

  for (const kind of ['StatefulSet', 'Job', 'CronJob', 'DaemonSet']) {
    it(`one owner of kind ${kind} → the owner's name`, () => {
      expect(serviceNameFromOwner(owned(kind, 'orders-7'))).toBe('orders-7');
    });
  }

  const rs: [string, string][] = [
    ['web-5d8f7c9b4', 'web'],
    ['web-12345', 'web'],
    ['web-123', 'web'],
    ['my-web-app-5d8f7c9b4', 'my-web-app'],
    ['web-bcd', 'web'],
    ['web-b2', ''],
    ['web-42', ''],
    ['web-5d8a7c9b4', ''],
    ['web-1bc', ''],
    ['web-5D8F7C9B4', ''],
    ['web', ''],
  ];
  for (const [name, expected] of rs) {
    it(`one owner of kind ReplicaSet "${name}" → "${expected}"`, () => {
      expect(deploymentOfReplicaSet(name)).toBe(expected);
      expect(serviceNameFromOwner(owned('ReplicaSet', name))).toBe(expected);
    });
  }

  for (const kind of ['Deployment', 'ReplicationController', 'Rollout']) {
    it(`one owner of any other kind (${kind}) → the empty string (an empty DD_SERVICE is then injected)`, () => {
      expect(serviceNameFromOwner(owned(kind, 'x-5d8f7c9b4'))).toBe('');
      const env = ssiDefaultEnv(owned(kind, 'x'));
      const svc = env.find((e) => e.name === 'DD_SERVICE');
      expect(svc).toBeDefined();
      expect(svc && 'value' in svc ? svc.value : undefined).toBe('');
    });
  }
});

describe('lib-injection §5.2 SSI defaults', () => {
  it('ssiDefaultEnv: DD_SERVICE (when derivable) and the six fixed defaults', () => {
    const env = ssiDefaultEnv(owned('ReplicaSet', 'web-5d8f7c9b4'));
    const map = Object.fromEntries(env.map((e) => [e.name, 'value' in e ? e.value : undefined]));
    expect(map).toEqual({ DD_SERVICE: 'web', ...SSI_DEFAULTS });
  });

  it('when SSI is active, the webhook adds them with the shared rule to containers and init containers (incl. datadog-lib-*), prepended', () => {
    const input = makePod({
      namespace: 'apps',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b4' }],
      containers: [{ name: 'app', env: [{ name: 'A', value: 'a' }] }],
      initContainers: [{ name: 'migrate' }],
    });
    const r = injectAutoInstrumentation(input, { namespace: 'apps' }, ssi({ enabled: true }));
    expect(r.failure).toBeUndefined();
    for (const c of ['app', 'migrate', ...LANGS.map((l) => `datadog-lib-${l}-init`)]) {
      expect(envValue(r.pod, c, 'DD_SERVICE')).toBe('web');
      for (const [k, v] of Object.entries(SSI_DEFAULTS)) expect(envEntry(r.pod, c, k)).toEqual({ name: k, value: v });
    }
    // prepended before the user's vars (the language vars are appended at the end)
    const names = envOf(r.pod, 'app').map((e) => e.name);
    expect(names.indexOf('A')).toBe(7);
    expectPatchGivesPod(input, r);
  });

  it('never overwrites: user vars and lib.config.v1 values win over the SSI defaults', () => {
    const input = makePod({
      namespace: 'apps',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }],
      annotations: { [`${A}all-lib.config.v1`]: '{"service_name":"from-config","tracing_sampling_rate":0.4}' },
      containers: [{ name: 'app', env: [{ name: 'DD_TRACE_RATE_LIMIT', value: '7' }] }],
    });
    const r = injectAutoInstrumentation(input, { namespace: 'apps' }, ssi({ enabled: true }));
    expect(envValue(r.pod, 'app', 'DD_SERVICE')).toBe('from-config');
    expect(envValue(r.pod, 'app', 'DD_TRACE_SAMPLE_RATE')).toBe('0.40');
    expect(envValue(r.pod, 'app', 'DD_TRACE_RATE_LIMIT')).toBe('7');
    expect(envOf(r.pod, 'app').filter((e) => e.name === 'DD_SERVICE')).toHaveLength(1);
  });

  it('not added when SSI is not active (annotation-driven injection)', () => {
    const r = injectAutoInstrumentation(makePod({ labels: OPT_IN, annotations: { [`${A}java-lib.version`]: 'v1' } }), {}, config());
    for (const k of Object.keys(SSI_DEFAULTS)) expect(envEntry(r.pod, 'app', k)).toBeUndefined();
  });

  it('a pod with an owner of another kind gets an empty DD_SERVICE', () => {
    const input = makePod({ namespace: 'apps', ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Rollout', name: 'web' }] });
    const r = injectAutoInstrumentation(input, { namespace: 'apps' }, ssi({ enabled: true }));
    expect(envEntry(r.pod, 'app', 'DD_SERVICE')).toBeDefined();
    expect(envValue(r.pod, 'app', 'DD_SERVICE')).toBe('');
  });

  it('a pod with no owner gets no DD_SERVICE but the other defaults', () => {
    const r = injectAutoInstrumentation(makePod({ namespace: 'apps' }), { namespace: 'apps' }, ssi({ enabled: true }));
    expect(envEntry(r.pod, 'app', 'DD_SERVICE')).toBeUndefined();
    expect(envValue(r.pod, 'app', 'DD_TRACE_ENABLED')).toBe('true');
  });
});

describe('lib-injection §6 flow (7.49)', () => {
  const on = ssi({ enabled: true });

  it('step 2, SSI active: skip only when the label is "false"', () => {
    for (const labels of [undefined, { [ENABLED]: 'true' }, { [ENABLED]: 'yes' }]) {
      const r = injectAutoInstrumentation(makePod({ namespace: 'apps', ...(labels ? { labels } : {}) }), { namespace: 'apps' }, on);
      expect(initNames(r.pod)).toHaveLength(5);
    }
    const off = makePod({ namespace: 'apps', labels: { [ENABLED]: 'false' } });
    expectUnchanged(off, injectAutoInstrumentation(off, { namespace: 'apps' }, on));
  });

  it('step 2, SSI not active: "true" → yes; "false" → no; other → warning then mutate_unlabelled; absent → mutate_unlabelled', () => {
    const ann = { [`${A}java-lib.version`]: 'v1' };
    const unl = config({ 'admission_controller.mutate_unlabelled': true });
    const off = config();
    const yes = (labels: Record<string, string> | undefined, c = off) =>
      initNames(injectAutoInstrumentation(makePod({ annotations: ann, ...(labels ? { labels } : {}) }), {}, c).pod).length > 0;
    expect(yes({ [ENABLED]: 'true' })).toBe(true);
    expect(yes({ [ENABLED]: 'false' }, unl)).toBe(false);
    expect(yes({ [ENABLED]: 'yes' })).toBe(false);
    expect(yes({ [ENABLED]: 'yes' }, unl)).toBe(true);
    expect(injectAutoInstrumentation(makePod({ annotations: ann, labels: { [ENABLED]: 'yes' } }), {}, off).warnings.length).toBeGreaterThan(0);
    expect(yes(undefined)).toBe(false);
    expect(yes(undefined, unl)).toBe(true);
  });

  it('step 3: reinvocation guard applies with SSI too', () => {
    const input = makePod({ namespace: 'apps', initContainers: [{ name: 'datadog-lib-ruby-init' }] });
    expectUnchanged(input, injectAutoInstrumentation(input, { namespace: 'apps' }, on));
  });

  it('step 4: SSI active → all five languages at latest', () => {
    const input = makePod({ namespace: 'apps' });
    const r = injectAutoInstrumentation(input, { namespace: 'apps' }, on);
    expect(initNames(r.pod).sort()).toEqual(LANGS.map((l) => `datadog-lib-${l}-init`).sort());
    for (const l of LANGS) expect(containerOf(r.pod, `datadog-lib-${l}-init`).image).toBe(`gcr.io/datadoghq/dd-lib-${l}-init:latest`);
    expect(envValue(r.pod, 'app', 'JAVA_TOOL_OPTIONS')).toBe(JAVA_TOOL_OPTIONS_VALUE);
    expect(envValue(r.pod, 'app', 'PYTHONPATH')).toBe('/datadog-lib/');
    expectPatchGivesPod(input, r);
  });

  it('step 4: lib_versions pins a language\'s version; all five are still injected', () => {
    const cfg = ssi({ enabled: true, lib_versions: { java: 'v1.20.0' } });
    const r = injectAutoInstrumentation(makePod({ namespace: 'apps' }), { namespace: 'apps' }, cfg);
    expect(initNames(r.pod)).toHaveLength(5);
    expect(containerOf(r.pod, 'datadog-lib-java-init').image).toBe('gcr.io/datadoghq/dd-lib-java-init:v1.20.0');
    expect(containerOf(r.pod, 'datadog-lib-python-init').image).toBe('gcr.io/datadoghq/dd-lib-python-init:latest');
  });

  it('step 4: a pod-wide version annotation replaces the SSI entry of that language', () => {
    const r = injectAutoInstrumentation(makePod({ namespace: 'apps', annotations: { [`${A}python-lib.version`]: 'v1.18.0' } }), { namespace: 'apps' }, on);
    expect(initNames(r.pod)).toHaveLength(5);
    expect(containerOf(r.pod, 'datadog-lib-python-init').image).toBe('gcr.io/datadoghq/dd-lib-python-init:v1.18.0');
    expect(envValue(r.pod, 'app', 'PYTHONPATH')).toBe('/datadog-lib/');
  });

  it('step 4: a pod-wide custom-image annotation replaces the SSI entry of that language', () => {
    const r = injectAutoInstrumentation(makePod({ namespace: 'apps', annotations: { [`${A}js-lib.custom-image`]: 'example.com/js:9' } }), { namespace: 'apps' }, on);
    expect(containerOf(r.pod, 'datadog-lib-js-init').image).toBe('example.com/js:9');
  });

  it('step 4: container-specific annotations are separate entries that come first (the SSI pod-wide image wins; the container gets the vars twice)', () => {
    const r = injectAutoInstrumentation(
      makePod({ namespace: 'apps', annotations: { [`${A}app.java-lib.version`]: 'v1.2.3' }, containers: [{ name: 'app' }, { name: 'other' }] }),
      { namespace: 'apps' },
      on,
    );
    expect(initNames(r.pod)).toHaveLength(5);
    expect(containerOf(r.pod, 'datadog-lib-java-init').image).toBe('gcr.io/datadoghq/dd-lib-java-init:latest');
    expect(envValue(r.pod, 'app', 'JAVA_TOOL_OPTIONS')).toBe(JAVA_TOOL_OPTIONS_VALUE + JAVA_TOOL_OPTIONS_VALUE);
    expect(envValue(r.pod, 'other', 'JAVA_TOOL_OPTIONS')).toBe(JAVA_TOOL_OPTIONS_VALUE);
  });

  it('step 4: SSI in an enabled namespace (E false) with mutate_unlabelled false: unlabelled pods are injected', () => {
    const cfg = ssi({ enabled_namespaces: ['apps'] });
    expect(initNames(injectAutoInstrumentation(makePod({ namespace: 'apps' }), { namespace: 'apps' }, cfg).pod)).toHaveLength(5);
    const elsewhere = makePod({ namespace: 'web' });
    expectUnchanged(elsewhere, injectAutoInstrumentation(elsewhere, { namespace: 'web' }, cfg));
  });

  it('step 4: SSI not active in kube-system / a disabled namespace: unlabelled pods are left alone', () => {
    const cfg = ssi({ enabled: true, disabled_namespaces: ['legacy'] });
    for (const ns of ['kube-system', 'legacy']) {
      const input = makePod({ namespace: ns });
      expectUnchanged(input, injectAutoInstrumentation(input, { namespace: ns }, cfg));
    }
  });

  it('step 4: with SSI not active, an opted-in pod is still annotation-driven', () => {
    const cfg = ssi({ enabled: true, disabled_namespaces: ['legacy'] });
    const r = injectAutoInstrumentation(makePod({ namespace: 'legacy', labels: OPT_IN, annotations: { [`${A}ruby-lib.version`]: 'v2' } }), { namespace: 'legacy' }, cfg);
    expect(initNames(r.pod)).toEqual(['datadog-lib-ruby-init']);
    expect(envEntry(r.pod, 'app', 'DD_TRACE_ENABLED')).toBeUndefined();
  });
});
