// Spec conformance: spec/lib-injection.md §1 - §4, §8, §9 (7.49 rules) and the 7.48
// compatibility rule for inject_all.namespaces (spec/README.md).
import { describe, expect, it } from 'vitest';
import { injectAutoInstrumentation, mutate, parseConfig, type Container, type Pod } from '@dd-admission/core';
import {
  config,
  makePod,
  OPT_IN,
  envOf,
  envNames,
  envEntry,
  envValue,
  containerOf,
  expectPatchGivesPod,
  expectFailure,
  expectUnchanged,
  JAVA_TOOL_OPTIONS_VALUE,
  type PodOptions,
} from '../helpers.js';

const cfg = config();
const A = 'admission.datadoghq.com/';
const LANGS = ['java', 'js', 'python', 'dotnet', 'ruby'] as const;

const NODE_VALUE = ' --require=/datadog-lib/node_modules/dd-trace/init';
const PYTHON_VALUE = '/datadog-lib/';
const RUBY_VALUE = ' -r/datadog-lib/auto_inject';
const LD_PRELOAD_VALUE = '/datadog-lib/continuousprofiler/Datadog.Linux.ApiWrapper.x64.so';
const DOTNET_ENV: Record<string, string> = {
  CORECLR_ENABLE_PROFILING: '1',
  CORECLR_PROFILER: '{846F5F1C-F9AE-4B07-969E-05C26BC060D8}',
  CORECLR_PROFILER_PATH: '/datadog-lib/Datadog.Trace.ClrProfiler.Native.so',
  DD_DOTNET_TRACER_HOME: '/datadog-lib',
  DD_TRACE_LOG_DIRECTORY: '/datadog-lib/logs',
  LD_PRELOAD: LD_PRELOAD_VALUE,
};
const LANG_ENV: Record<(typeof LANGS)[number], Record<string, string>> = {
  java: { JAVA_TOOL_OPTIONS: JAVA_TOOL_OPTIONS_VALUE },
  js: { NODE_OPTIONS: NODE_VALUE },
  python: { PYTHONPATH: PYTHON_VALUE },
  dotnet: DOTNET_ENV,
  ruby: { RUBYOPT: RUBY_VALUE },
};

const libVolume = { name: 'datadog-auto-instrumentation', emptyDir: {} };
const libMount = { name: 'datadog-auto-instrumentation', mountPath: '/datadog-lib' };

function libPod(annotations: Record<string, string>, o: PodOptions = {}): Pod {
  return makePod({ labels: OPT_IN, annotations, ...o });
}

function initNames(pod: Pod): string[] {
  return (pod.spec?.initContainers ?? []).map((c) => c.name);
}

function init(pod: Pod, lang: string): Container {
  return containerOf(pod, `datadog-lib-${lang}-init`);
}

describe('lib-injection §1 languages', () => {
  for (const lang of LANGS) {
    it(`${lang}: init container datadog-lib-${lang}-init, image gcr.io/datadoghq/dd-lib-${lang}-init:<v>, env ${Object.keys(LANG_ENV[lang]).join(', ')}`, () => {
      const input = libPod({ [`${A}${lang}-lib.version`]: 'v1.2.3' }, { containers: [{ name: 'app', env: [{ name: 'A', value: 'a' }] }] });
      const r = injectAutoInstrumentation(input, {}, cfg);
      expect(r.failure).toBeUndefined();
      expect(initNames(r.pod)).toEqual([`datadog-lib-${lang}-init`]);
      expect(init(r.pod, lang).image).toBe(`gcr.io/datadoghq/dd-lib-${lang}-init:v1.2.3`);
      // absent vars are appended at the end of the env list
      const env = envOf(r.pod, 'app');
      expect(env[0]).toEqual({ name: 'A', value: 'a' });
      expect(Object.fromEntries(env.slice(1).map((e) => [e.name, e.value]))).toEqual(LANG_ENV[lang]);
      expectPatchGivesPod(input, r);
    });
  }

  it('example from the troubleshooting doc: gcr.io/datadoghq/dd-lib-python-init:v1.18.0', () => {
    const r = injectAutoInstrumentation(libPod({ [`${A}python-lib.version`]: 'v1.18.0' }), {}, cfg);
    expect(init(r.pod, 'python').image).toBe('gcr.io/datadoghq/dd-lib-python-init:v1.18.0');
  });

  it('<registry> is admission_controller.auto_instrumentation.container_registry, used as a plain string prefix', () => {
    const reg = config({ 'admission_controller.auto_instrumentation.container_registry': 'registry.example.com/mirror' });
    const r = injectAutoInstrumentation(libPod({ [`${A}java-lib.version`]: 'v1.20.0' }), {}, reg);
    expect(init(r.pod, 'java').image).toBe('registry.example.com/mirror/dd-lib-java-init:v1.20.0');
  });
});

describe('lib-injection §1.1 env values and combination', () => {
  it('JAVA_TOOL_OPTIONS fresh value is the 7.47+ Datadog part, starting with a space', () => {
    const r = injectAutoInstrumentation(libPod({ [`${A}java-lib.version`]: 'v1' }), {}, cfg);
    expect(envOf(r.pod, 'app')).toEqual([{ name: 'JAVA_TOOL_OPTIONS', value: JAVA_TOOL_OPTIONS_VALUE }]);
    expect(JAVA_TOOL_OPTIONS_VALUE.startsWith(' -javaagent:/datadog-lib/dd-java-agent.jar')).toBe(true);
  });

  const combos: [string, string, string, string][] = [
    ['java', 'JAVA_TOOL_OPTIONS', '-Xmx1g', '-Xmx1g' + JAVA_TOOL_OPTIONS_VALUE],
    ['js', 'NODE_OPTIONS', '--max-old-space-size=512', '--max-old-space-size=512 --require=/datadog-lib/node_modules/dd-trace/init'],
    ['python', 'PYTHONPATH', '/app/lib', '/datadog-lib/:/app/lib'],
    ['ruby', 'RUBYOPT', '-W0', '-W0 -r/datadog-lib/auto_inject'],
    ['dotnet', 'LD_PRELOAD', '/usr/lib/libfoo.so', '/datadog-lib/continuousprofiler/Datadog.Linux.ApiWrapper.x64.so:/usr/lib/libfoo.so'],
    ['dotnet', 'CORECLR_ENABLE_PROFILING', '0', '1'],
    ['dotnet', 'CORECLR_PROFILER', '{00000000-0000-0000-0000-000000000000}', '{846F5F1C-F9AE-4B07-969E-05C26BC060D8}'],
    ['dotnet', 'CORECLR_PROFILER_PATH', '/opt/profiler.so', '/datadog-lib/Datadog.Trace.ClrProfiler.Native.so'],
    ['dotnet', 'DD_DOTNET_TRACER_HOME', '/opt/datadog', '/datadog-lib'],
    ['dotnet', 'DD_TRACE_LOG_DIRECTORY', '/var/log/dd', '/datadog-lib/logs'],
  ];
  for (const [lang, name, existing, expected] of combos) {
    it(`${name}: existing "${existing}" → ${expected.length > 60 ? 'existing + Datadog part' : `"${expected}"`}, entry keeps its position`, () => {
      const input = libPod(
        { [`${A}${lang}-lib.version`]: 'v1' },
        { containers: [{ name: 'app', env: [{ name: 'A', value: 'a' }, { name, value: existing }, { name: 'B', value: 'b' }] }] },
      );
      const r = injectAutoInstrumentation(input, {}, cfg);
      expect(r.failure).toBeUndefined();
      const env = envOf(r.pod, 'app');
      expect(env.slice(0, 3)).toEqual([{ name: 'A', value: 'a' }, { name, value: expected }, { name: 'B', value: 'b' }]);
      expectPatchGivesPod(input, r);
    });
  }

  const empties: [string, string, string][] = [
    ['java', 'JAVA_TOOL_OPTIONS', JAVA_TOOL_OPTIONS_VALUE],
    ['js', 'NODE_OPTIONS', NODE_VALUE],
    ['python', 'PYTHONPATH', '/datadog-lib/'],
    ['ruby', 'RUBYOPT', RUBY_VALUE],
    ['dotnet', 'LD_PRELOAD', LD_PRELOAD_VALUE],
  ];
  for (const [lang, name, expected] of empties) {
    it(`${name}: an existing entry with an empty literal value is treated like a fresh one (${expected.length > 60 ? 'Datadog part alone' : `"${expected}"`}), keeping its position`, () => {
      const input = libPod(
        { [`${A}${lang}-lib.version`]: 'v1' },
        { containers: [{ name: 'app', env: [{ name, value: '' }, { name: 'B', value: 'b' }] }] },
      );
      const r = injectAutoInstrumentation(input, {}, cfg);
      const env = envOf(r.pod, 'app');
      expect(env[0]).toEqual({ name, value: expected });
      expect(env[1]).toEqual({ name: 'B', value: 'b' });
      expect(env.filter((e) => e.name === name)).toHaveLength(1);
    });
  }

  const allVars: [string, string][] = [
    ['java', 'JAVA_TOOL_OPTIONS'],
    ['js', 'NODE_OPTIONS'],
    ['python', 'PYTHONPATH'],
    ['ruby', 'RUBYOPT'],
    ...Object.keys(DOTNET_ENV).map((n) => ['dotnet', n] as [string, string]),
  ];
  for (const [lang, name] of allVars) {
    it(`${name} defined via valueFrom → error "${name}" is defined via ValueFrom; the whole lib injection fails, no patch`, () => {
      const input = libPod(
        { [`${A}${lang}-lib.version`]: 'v1' },
        { containers: [{ name: 'app', env: [{ name, valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] }] },
      );
      const r = injectAutoInstrumentation(input, {}, cfg);
      expectFailure(input, r, `"${name}" is defined via ValueFrom`);
    });
  }

  it('a valueFrom error in one container discards the changes to every container (no patch at all)', () => {
    const input = libPod(
      { [`${A}java-lib.version`]: 'v1' },
      {
        containers: [
          { name: 'ok' },
          { name: 'bad', env: [{ name: 'JAVA_TOOL_OPTIONS', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
        ],
      },
    );
    expectFailure(input, injectAutoInstrumentation(input, {}, cfg), '"JAVA_TOOL_OPTIONS" is defined via ValueFrom');
  });

  it('these vars go only to spec.containers, never to init containers', () => {
    const input = libPod({ [`${A}java-lib.version`]: 'v1', [`${A}dotnet-lib.version`]: 'v1' }, { initContainers: [{ name: 'migrate' }] });
    const r = injectAutoInstrumentation(input, {}, cfg);
    for (const c of ['migrate', 'datadog-lib-java-init', 'datadog-lib-dotnet-init']) {
      for (const name of ['JAVA_TOOL_OPTIONS', ...Object.keys(DOTNET_ENV)]) expect(envEntry(r.pod, c, name)).toBeUndefined();
    }
    expect(envValue(r.pod, 'app', 'JAVA_TOOL_OPTIONS')).toBe(JAVA_TOOL_OPTIONS_VALUE);
  });
});

describe('lib-injection §1.2 volume, mounts, init container', () => {
  it('init container: name, image, command ["sh","copy-lib.sh","/datadog-lib"] (no args), volumeMounts, no resources when unset', () => {
    const input = libPod({ [`${A}python-lib.version`]: 'v1.18.0' });
    const r = injectAutoInstrumentation(input, {}, cfg);
    const c = init(r.pod, 'python');
    expect(c).toEqual({
      name: 'datadog-lib-python-init',
      image: 'gcr.io/datadoghq/dd-lib-python-init:v1.18.0',
      command: ['sh', 'copy-lib.sh', '/datadog-lib'],
      volumeMounts: [{ name: 'datadog-auto-instrumentation', mountPath: '/datadog-lib' }],
    });
    expect(c).not.toHaveProperty('args');
    expect(c).not.toHaveProperty('resources');
    expectPatchGivesPod(input, r);
  });

  it('shared volume datadog-auto-instrumentation emptyDir {} appended to spec.volumes', () => {
    const user = { name: 'data', emptyDir: {} };
    const r = injectAutoInstrumentation(libPod({ [`${A}java-lib.version`]: 'v1' }, { volumes: [user] }), {}, cfg);
    expect(r.pod.spec?.volumes).toEqual([user, libVolume]);
  });

  it('shared volume created when the pod has no volumes', () => {
    const r = injectAutoInstrumentation(libPod({ [`${A}java-lib.version`]: 'v1' }), {}, cfg);
    expect(r.pod.spec?.volumes).toEqual([libVolume]);
  });

  it('the volume is added once per mutation even with several languages', () => {
    const r = injectAutoInstrumentation(libPod({ [`${A}java-lib.version`]: 'v1', [`${A}js-lib.version`]: 'v2' }), {}, cfg);
    expect(r.pod.spec?.volumes).toEqual([libVolume]);
  });

  it('app-container mount datadog-auto-instrumentation at /datadog-lib, not read-only, appended to each targeted container', () => {
    const user = { name: 'data', mountPath: '/data' };
    const r = injectAutoInstrumentation(libPod({ [`${A}java-lib.version`]: 'v1' }, { containers: [{ name: 'app', volumeMounts: [user] }, { name: 'b' }] }), {}, cfg);
    expect(containerOf(r.pod, 'app').volumeMounts).toEqual([user, libMount]);
    expect(containerOf(r.pod, 'b').volumeMounts).toEqual([libMount]);
    expect(containerOf(r.pod, 'b').volumeMounts?.[0]?.readOnly ?? false).toBe(false);
  });

  it('mount skipped only when the container already has a mount with that name (the path is not checked)', () => {
    const sameName = { name: 'datadog-auto-instrumentation', mountPath: '/elsewhere' };
    const samePath = { name: 'other', mountPath: '/datadog-lib' };
    const r = injectAutoInstrumentation(
      libPod({ [`${A}java-lib.version`]: 'v1' }, { containers: [{ name: 'a', volumeMounts: [sameName] }, { name: 'b', volumeMounts: [samePath] }] }),
      {},
      cfg,
    );
    expect(containerOf(r.pod, 'a').volumeMounts).toEqual([sameName]);
    expect(containerOf(r.pod, 'b').volumeMounts).toEqual([samePath, libMount]);
  });

  it('init containers are prepended to spec.initContainers (run before the user\'s)', () => {
    const migrate = { name: 'migrate', image: 'migrate:1' };
    const r = injectAutoInstrumentation(libPod({ [`${A}java-lib.version`]: 'v1' }, { initContainers: [migrate] }), {}, cfg);
    expect(initNames(r.pod)).toEqual(['datadog-lib-java-init', 'migrate']);
    expect(containerOf(r.pod, 'migrate')).toEqual(migrate);
  });

  it('one init container per language; several languages all come before the user\'s init containers', () => {
    const r = injectAutoInstrumentation(
      libPod({ [`${A}java-lib.version`]: 'v1', [`${A}python-lib.version`]: 'v2', [`${A}ruby-lib.version`]: 'v3' }, { initContainers: [{ name: 'migrate' }] }),
      {},
      cfg,
    );
    const names = initNames(r.pod);
    expect(names).toHaveLength(4);
    expect(names[3]).toBe('migrate');
    expect(names.slice(0, 3).sort()).toEqual(['datadog-lib-java-init', 'datadog-lib-python-init', 'datadog-lib-ruby-init']);
  });

  it('resources: init_resources.cpu and .memory go to both requests and limits', () => {
    const rc = config({
      'admission_controller.auto_instrumentation.init_resources.cpu': '100m',
      'admission_controller.auto_instrumentation.init_resources.memory': '64Mi',
    });
    const r = injectAutoInstrumentation(libPod({ [`${A}java-lib.version`]: 'v1' }), {}, rc);
    expect(init(r.pod, 'java').resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } });
  });

  it('resources: only cpu set → only cpu in requests and limits', () => {
    const rc = config({ 'admission_controller.auto_instrumentation.init_resources.cpu': '250m' });
    const r = injectAutoInstrumentation(libPod({ [`${A}js-lib.version`]: 'v1' }), {}, rc);
    expect(init(r.pod, 'js').resources).toEqual({ requests: { cpu: '250m' }, limits: { cpu: '250m' } });
  });

  it('resources: only memory set → only memory in requests and limits', () => {
    const rc = config({ 'admission_controller.auto_instrumentation.init_resources.memory': '128Mi' });
    const r = injectAutoInstrumentation(libPod({ [`${A}js-lib.version`]: 'v1' }), {}, rc);
    expect(init(r.pod, 'js').resources).toEqual({ requests: { memory: '128Mi' }, limits: { memory: '128Mi' } });
  });

  it('resources: an unparsable quantity → error, no patch at all (pod admitted unchanged)', () => {
    for (const values of [
      { 'admission_controller.auto_instrumentation.init_resources.cpu': 'lots' },
      { 'admission_controller.auto_instrumentation.init_resources.memory': '64 MB' },
    ]) {
      const parsed = parseConfig({ origin: 'test', values }, { agentVersion: '7.49' });
      expect(parsed.ok).toBe(true); // the error is the webhook's, at injection time
      const input = libPod({ [`${A}java-lib.version`]: 'v1' });
      const r = injectAutoInstrumentation(input, {}, config(values));
      expect(r.failure).toBeDefined();
      expect(r.patch).toEqual([]);
      expect(r.pod).toEqual(input);
    }
  });
});

describe('lib-injection §2 annotations', () => {
  it('<key>-lib.version → all containers, image <registry>/dd-lib-<key>-init:<value>', () => {
    const r = injectAutoInstrumentation(libPod({ [`${A}java-lib.version`]: 'v1.20.0' }, { containers: [{ name: 'a' }, { name: 'b' }] }), {}, cfg);
    expect(init(r.pod, 'java').image).toBe('gcr.io/datadoghq/dd-lib-java-init:v1.20.0');
    for (const c of ['a', 'b']) {
      expect(envValue(r.pod, c, 'JAVA_TOOL_OPTIONS')).toBe(JAVA_TOOL_OPTIONS_VALUE);
      expect(containerOf(r.pod, c).volumeMounts).toEqual([libMount]);
    }
  });

  it('<key>-lib.custom-image → all containers, image = the value (registry ignored)', () => {
    const reg = config({ 'admission_controller.auto_instrumentation.container_registry': 'registry.example.com' });
    const r = injectAutoInstrumentation(libPod({ [`${A}js-lib.custom-image`]: 'my.registry/custom/js-init:7' }, { containers: [{ name: 'a' }, { name: 'b' }] }), {}, reg);
    expect(init(r.pod, 'js').image).toBe('my.registry/custom/js-init:7');
    for (const c of ['a', 'b']) expect(envValue(r.pod, c, 'NODE_OPTIONS')).toBe(NODE_VALUE);
  });

  it('<container>.<key>-lib.version → env vars and mount only in that container; init container and volume are pod-wide', () => {
    const input = libPod({ [`${A}app.java-lib.version`]: 'v1.2.3' }, { containers: [{ name: 'app' }, { name: 'sidecar' }] });
    const r = injectAutoInstrumentation(input, {}, cfg);
    expect(envValue(r.pod, 'app', 'JAVA_TOOL_OPTIONS')).toBe(JAVA_TOOL_OPTIONS_VALUE);
    expect(containerOf(r.pod, 'app').volumeMounts).toEqual([libMount]);
    expect(envOf(r.pod, 'sidecar')).toEqual([]);
    expect(containerOf(r.pod, 'sidecar').volumeMounts).toBeUndefined();
    expect(init(r.pod, 'java').image).toBe('gcr.io/datadoghq/dd-lib-java-init:v1.2.3');
    expect(r.pod.spec?.volumes).toEqual([libVolume]);
    expectPatchGivesPod(input, r);
  });

  it('<container>.<key>-lib.custom-image → that container only, image = the value', () => {
    const r = injectAutoInstrumentation(libPod({ [`${A}worker.python-lib.custom-image`]: 'example.com/py:1' }, { containers: [{ name: 'app' }, { name: 'worker' }] }), {}, cfg);
    expect(envValue(r.pod, 'worker', 'PYTHONPATH')).toBe('/datadog-lib/');
    expect(envEntry(r.pod, 'app', 'PYTHONPATH')).toBeUndefined();
    expect(init(r.pod, 'python').image).toBe('example.com/py:1');
  });

  it('a container-specific annotation for a container the pod does not have matches nothing', () => {
    const input = libPod({ [`${A}ghost.java-lib.version`]: 'v1' });
    const r = injectAutoInstrumentation(input, {}, cfg);
    expectUnchanged(input, r);
  });

  it('a container-specific annotation names only app containers (spec.containers), not init containers', () => {
    const input = libPod({ [`${A}migrate.java-lib.version`]: 'v1' }, { initContainers: [{ name: 'migrate' }] });
    expectUnchanged(input, injectAutoInstrumentation(input, {}, cfg));
  });

  it('lower-casing rule: keys are built and lower-cased, so a container name with capitals is found through the lower-case annotation', () => {
    const r = injectAutoInstrumentation(libPod({ [`${A}myapp.java-lib.version`]: 'v1' }, { containers: [{ name: 'MyApp' }] }), {}, cfg);
    expect(envValue(r.pod, 'MyApp', 'JAVA_TOOL_OPTIONS')).toBe(JAVA_TOOL_OPTIONS_VALUE);
  });

  it('case-sensitive keys: an annotation written with capital letters never matches', () => {
    for (const key of [`${A}Java-lib.version`, `${A}JAVA-LIB.VERSION`, `${A}MyApp.java-lib.version`, 'Admission.datadoghq.com/java-lib.version', `${A}All-lib.version`]) {
      const input = libPod({ [key]: 'v1' }, { containers: [{ name: 'MyApp' }] });
      expectUnchanged(input, injectAutoInstrumentation(input, {}, cfg));
    }
  });

  it('all-lib.version "latest" (no other lib annotation) → all five languages at latest', () => {
    const input = libPod({ [`${A}all-lib.version`]: 'latest' });
    const r = injectAutoInstrumentation(input, {}, cfg);
    expect(initNames(r.pod).sort()).toEqual(LANGS.map((l) => `datadog-lib-${l}-init`).sort());
    for (const l of LANGS) expect(init(r.pod, l).image).toBe(`gcr.io/datadoghq/dd-lib-${l}-init:latest`);
    expect(r.warnings).toEqual([]);
    expectPatchGivesPod(input, r);
  });

  it('all-lib.version with a value other than latest → replaced by latest with a warning', () => {
    const r = injectAutoInstrumentation(libPod({ [`${A}all-lib.version`]: 'v1.2.3' }), {}, cfg);
    for (const l of LANGS) expect(init(r.pod, l).image).toBe(`gcr.io/datadoghq/dd-lib-${l}-init:latest`);
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(r.warnings.some((w) => w.message.includes('latest'))).toBe(true);
  });

  it('all-lib.version is only considered when no other lib annotation matched', () => {
    const r = injectAutoInstrumentation(libPod({ [`${A}all-lib.version`]: 'latest', [`${A}python-lib.version`]: 'v1.18.0' }), {}, cfg);
    expect(initNames(r.pod)).toEqual(['datadog-lib-python-init']);
    expect(init(r.pod, 'python').image).toBe('gcr.io/datadoghq/dd-lib-python-init:v1.18.0');
  });

  it('<key>-lib.config.v1 is applied for every injected language; ignored for a language not injected', () => {
    const r = injectAutoInstrumentation(
      libPod({
        [`${A}java-lib.version`]: 'v1',
        [`${A}java-lib.config.v1`]: '{"env":"java-env"}',
        [`${A}python-lib.config.v1`]: '{"service_name":"py"}',
      }),
      {},
      cfg,
    );
    expect(envEntry(r.pod, 'app', 'DD_ENV')).toEqual({ name: 'DD_ENV', value: 'java-env' });
    expect(envEntry(r.pod, 'app', 'DD_SERVICE')).toBeUndefined();
  });

  it('all-lib.config.v1 is applied whenever present and at least one library is injected', () => {
    const r = injectAutoInstrumentation(libPod({ [`${A}ruby-lib.version`]: 'v1', [`${A}all-lib.config.v1`]: '{"service_name":"shop"}' }), {}, cfg);
    expect(envEntry(r.pod, 'app', 'DD_SERVICE')).toEqual({ name: 'DD_SERVICE', value: 'shop' });
    expect(envEntry(r.pod, 'datadog-lib-ruby-init', 'DD_SERVICE')).toEqual({ name: 'DD_SERVICE', value: 'shop' });
  });

  it('all-lib.config.v1 alone (no library) injects nothing', () => {
    const input = libPod({ [`${A}all-lib.config.v1`]: '{"service_name":"shop"}' });
    expectUnchanged(input, injectAutoInstrumentation(input, {}, cfg));
  });

  it('lib.config.v1 keys are not lower-cased: a capitalised config key never matches', () => {
    const r = injectAutoInstrumentation(libPod({ [`${A}java-lib.version`]: 'v1', [`${A}Java-lib.config.v1`]: '{"env":"x"}' }), {}, cfg);
    expect(r.failure).toBeUndefined();
    expect(envEntry(r.pod, 'app', 'DD_ENV')).toBeUndefined();
  });
});

describe('lib-injection §4 injection procedure and edge cases (7.49)', () => {
  it('step 1/2: lib config vars (prepended) also reach the datadog-lib init container and user init containers', () => {
    const r = injectAutoInstrumentation(
      libPod({ [`${A}java-lib.version`]: 'v1', [`${A}java-lib.config.v1`]: '{"service_name":"svc","env":"prod"}' }, { initContainers: [{ name: 'migrate', env: [{ name: 'M', value: 'm' }] }] }),
      {},
      cfg,
    );
    expect(envOf(r.pod, 'datadog-lib-java-init')).toEqual([{ name: 'DD_ENV', value: 'prod' }, { name: 'DD_SERVICE', value: 'svc' }]);
    expect(envOf(r.pod, 'migrate')).toEqual([{ name: 'DD_ENV', value: 'prod' }, { name: 'DD_SERVICE', value: 'svc' }, { name: 'M', value: 'm' }]);
    expect(envNames(r.pod, 'app')).toEqual(['DD_ENV', 'DD_SERVICE', 'JAVA_TOOL_OPTIONS']);
  });

  it('step 6: any error → the handler returns it and no patch at all is sent (invalid lib config JSON)', () => {
    const input = libPod({ [`${A}java-lib.version`]: 'v1', [`${A}java-lib.config.v1`]: '{not json' });
    const r = injectAutoInstrumentation(input, {}, cfg);
    expect(r.failure).toBeDefined();
    expect(r.patch).toEqual([]);
    expect(r.pod).toEqual(input);
  });

  it('7.49: custom-image and version for the same language → the version annotation simply wins (one entry, flags once)', () => {
    const r = injectAutoInstrumentation(libPod({ [`${A}java-lib.custom-image`]: 'example.com/java:custom', [`${A}java-lib.version`]: 'v1.20.0' }), {}, cfg);
    expect(initNames(r.pod)).toEqual(['datadog-lib-java-init']);
    expect(init(r.pod, 'java').image).toBe('gcr.io/datadoghq/dd-lib-java-init:v1.20.0');
    expect(envValue(r.pod, 'app', 'JAVA_TOOL_OPTIONS')).toBe(JAVA_TOOL_OPTIONS_VALUE);
  });

  it('a pod-wide and a container-specific annotation for the same language → that container receives the env vars twice', () => {
    const r = injectAutoInstrumentation(
      libPod({ [`${A}java-lib.version`]: 'v2', [`${A}app.java-lib.version`]: 'v1' }, { containers: [{ name: 'app' }, { name: 'other' }] }),
      {},
      cfg,
    );
    expect(envValue(r.pod, 'app', 'JAVA_TOOL_OPTIONS')).toBe(JAVA_TOOL_OPTIONS_VALUE + JAVA_TOOL_OPTIONS_VALUE);
    expect(envValue(r.pod, 'other', 'JAVA_TOOL_OPTIONS')).toBe(JAVA_TOOL_OPTIONS_VALUE);
    expect(containerOf(r.pod, 'app').volumeMounts).toEqual([libMount]);
    // container-specific entries come first, so the pod-wide image is the last processed and wins
    expect(initNames(r.pod)).toEqual(['datadog-lib-java-init']);
    expect(init(r.pod, 'java').image).toBe('gcr.io/datadoghq/dd-lib-java-init:v2');
  });

  it('container-specific custom-image and version for the same container are separate entries (custom-image, then version): vars twice, the version image wins', () => {
    const r = injectAutoInstrumentation(
      libPod({ [`${A}app.java-lib.custom-image`]: 'example.com/java:custom', [`${A}app.java-lib.version`]: 'v3' }),
      {},
      cfg,
    );
    expect(envValue(r.pod, 'app', 'JAVA_TOOL_OPTIONS')).toBe(JAVA_TOOL_OPTIONS_VALUE + JAVA_TOOL_OPTIONS_VALUE);
    expect(initNames(r.pod)).toEqual(['datadog-lib-java-init']);
    expect(init(r.pod, 'java').image).toBe('gcr.io/datadoghq/dd-lib-java-init:v3');
  });

  it('several annotations naming the same language → one init container, the last image processed wins (containers in pod order)', () => {
    const r = injectAutoInstrumentation(
      libPod({ [`${A}app.java-lib.version`]: 'v1', [`${A}worker.java-lib.version`]: 'v2' }, { containers: [{ name: 'app' }, { name: 'worker' }] }),
      {},
      cfg,
    );
    expect(initNames(r.pod)).toEqual(['datadog-lib-java-init']);
    expect(init(r.pod, 'java').image).toBe('gcr.io/datadoghq/dd-lib-java-init:v2');
  });

  // §4 edge case: the 7.49 agent adds a second volume of that name and the API server then
  // rejects the pod. dd-admission keeps the user's volume instead (docs/behaviour.md).
  it('a user volume already named datadog-auto-instrumentation is kept, not duplicated, with a warning', () => {
    const user = { name: 'datadog-auto-instrumentation', emptyDir: { medium: 'Memory' } };
    const r = injectAutoInstrumentation(libPod({ [`${A}java-lib.version`]: 'v1' }, { volumes: [user] }), {}, cfg);
    expect(r.pod.spec?.volumes).toEqual([user]);
    expect(r.warnings.map((w) => w.message)).toContain('volume datadog-auto-instrumentation already exists: kept as is');
    expect(initNames(r.pod)).toEqual(['datadog-lib-java-init']);
  });

  it('reinvocation guard: an init container datadog-lib-<key>-init for any key already present → stop, no change', () => {
    for (const lang of LANGS) {
      const input = libPod({ [`${A}java-lib.version`]: 'v1' }, { initContainers: [{ name: `datadog-lib-${lang}-init` }] });
      expectUnchanged(input, injectAutoInstrumentation(input, {}, cfg));
    }
  });

  it('nothing collected → no change', () => {
    const input = libPod({ 'example.com/other': 'x' });
    expectUnchanged(input, injectAutoInstrumentation(input, {}, cfg));
  });
});

describe('lib-injection §8 markers', () => {
  it('no label or annotation is added to mark a pod; no DD_INSTRUMENTATION_INSTALL_* vars in 7.49', () => {
    const input = libPod({ [`${A}java-lib.version`]: 'v1' });
    const r = injectAutoInstrumentation(input, {}, cfg);
    expect(r.pod.metadata).toEqual(input.metadata);
    expect(r.patch.every((op) => !op.path.startsWith('/metadata'))).toBe(true);
    for (const c of ['app', 'datadog-lib-java-init']) {
      expect(envNames(r.pod, c).some((n) => n.startsWith('DD_INSTRUMENTATION_INSTALL'))).toBe(false);
    }
  });
});

describe('README compatibility rule: admission_controller.auto_instrumentation.inject_all.namespaces keeps its 7.48 effect', () => {
  const legacy = { 'admission_controller.auto_instrumentation.inject_all.namespaces': ['legacy'] };

  it('7.48 effect: an unannotated pod in a listed namespace gets all five languages at latest', () => {
    const input = makePod({ namespace: 'legacy', labels: OPT_IN });
    const r = injectAutoInstrumentation(input, { namespace: 'legacy' }, config(legacy));
    expect(initNames(r.pod).sort()).toEqual(LANGS.map((l) => `datadog-lib-${l}-init`).sort());
    for (const l of LANGS) expect(init(r.pod, l).image).toBe(`gcr.io/datadoghq/dd-lib-${l}-init:latest`);
    expectPatchGivesPod(input, r);
  });

  it('a deprecation warning is logged', () => {
    const parsed = parseConfig({ origin: 'test', values: legacy }, { agentVersion: '7.49' });
    expect(parsed.ok).toBe(true);
    expect(parsed.warnings.some((w) => w.key === 'admission_controller.auto_instrumentation.inject_all.namespaces' && /deprecat/i.test(w.message))).toBe(true);
  });

  it('namespaces not listed are not affected; annotations still take precedence', () => {
    const other = makePod({ namespace: 'other', labels: OPT_IN });
    expectUnchanged(other, injectAutoInstrumentation(other, { namespace: 'other' }, config(legacy)));
    const annotated = makePod({ namespace: 'legacy', labels: OPT_IN, annotations: { [`${A}js-lib.version`]: 'v5' } });
    expect(initNames(injectAutoInstrumentation(annotated, { namespace: 'legacy' }, config(legacy)).pod)).toEqual(['datadog-lib-js-init']);
  });
});

describe('lib-injection §9 config keys', () => {
  it('defaults', () => {
    const ai = cfg.admission_controller.auto_instrumentation;
    expect(ai.enabled).toBe(true);
    expect(ai.endpoint).toBe('/injectlib');
    expect(ai.container_registry).toBe('gcr.io/datadoghq');
    expect(ai.init_resources.cpu).toBeUndefined();
    expect(ai.init_resources.memory).toBeUndefined();
    expect(ai.inject_all.namespaces).toEqual([]);
    expect(ai.patcher.enabled).toBe(false);
    expect(cfg.apm_config.instrumentation).toEqual({ enabled: false, enabled_namespaces: [], disabled_namespaces: [], lib_versions: {}, injector_image_tag: '0', injection_mode: 'auto', targets: [] });
  });

  it('mutate: lib injection is the third webhook', () => {
    const m = mutate(libPod({ [`${A}java-lib.version`]: 'v1' }), {}, cfg);
    expect(m.calls.filter((c) => !c.reinvocation).map((c) => c.webhook)).toEqual(['config', 'tags', 'auto-instrumentation']);
  });
});

describe('lib-injection §2 per-container annotations (review finding)', () => {
  it('a container whose name ends in -lib is still matched by <container>.<lang>-lib.version', () => {
    const pod = libPod({ 'admission.datadoghq.com/shared-lib.java-lib.version': 'v1' }, { containers: [{ name: 'shared-lib' }, { name: 'other' }] });
    const r = injectAutoInstrumentation(pod, {}, cfg);
    expect(initNames(r.pod)).toEqual(['datadog-lib-java-init']);
    const env = (name: string) => r.pod.spec?.containers?.find((c) => c.name === name)?.env ?? [];
    expect(env('shared-lib').map((e) => e.name)).toContain('JAVA_TOOL_OPTIONS');
    expect(env('other').map((e) => e.name)).not.toContain('JAVA_TOOL_OPTIONS');
  });
});
