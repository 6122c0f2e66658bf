// Spec conformance: spec/7.78/lib-injection-7.78.md (the v2 injector, images, annotations,
// resources, security context, install env, targets, the /injectlib pipeline), with the
// agent's own 7.78-era test cases (auto_instrumentation_test.go @ b1a2d781) where they exist,
// and versions in between to pin the interpolation rule.
import { describe, expect, it } from 'vitest';
import { injectAutoInstrumentation, mutate, parseConfig, type AdmissionConfig, type Container, type MutationContext, type Pod } from '@dd-admission/core';
import { configFor, containerOf, envNames, envOf, envValue, expectPatchGivesPod, makePod, OPT_IN, type PodOptions } from '../helpers.js';

const A = 'admission.datadoghq.com/';
const LAUNCHER = '/opt/datadog-packages/datadog-apm-inject/stable/inject/launcher.preload.so';
const OWNER = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'deployment-123' }];
/** The owners the agent's fake cluster holds: ReplicaSet deployment-123 of Deployment deployment. */
const OWNERS = [
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'deployment-123', namespace: 'application', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'deployment' }] } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'deployment', namespace: 'application' } },
];
const CONTEXT: MutationContext = { namespace: 'application', agentNamespace: 'datadog', owners: OWNERS, now: 1767225600, install: { time: '1767000000', id: 'install-id' } };

/** What the config mutator (hostip mode, 7.57+) gives a container, Datadog's init containers included. */
function configEnv(container: string, init = true) {
  return [
    { name: 'DD_INTERNAL_POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
    { name: 'DD_EXTERNAL_ENV', value: `it-${init},cn-${container},pu-$(DD_INTERNAL_POD_UID)` },
    { name: 'DD_ENTITY_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
    { name: 'DD_AGENT_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
  ];
}
const CONFIG_NAMES = ['DD_INTERNAL_POD_UID', 'DD_EXTERNAL_ENV', 'DD_ENTITY_ID', 'DD_AGENT_HOST'];

const ssiOn = (version = '7.78', extra: Record<string, unknown> = {}) => configFor(version, { 'apm_config.instrumentation.enabled': true, ...extra });

/** A pod in namespace `application` with one container `test-container`, as the agent's FakePodSpec builds it. */
function pod(o: PodOptions = {}): Pod {
  return makePod({ namespace: 'application', containers: [{ name: 'test-container', image: 'app:1' }], ...o });
}

function local(annotations: Record<string, string>, o: PodOptions = {}): Pod {
  return pod({ labels: OPT_IN, annotations, ...o });
}

function run(p: Pod, cfg: AdmissionConfig, context: MutationContext = CONTEXT) {
  const r = injectAutoInstrumentation(p, context, cfg);
  if (r.patch.length > 0) expectPatchGivesPod(p, r);
  return r;
}

const inits = (p: Pod): Container[] => p.spec?.initContainers ?? [];
const initNames = (p: Pod) => inits(p).map((c) => c.name);
const images = (p: Pod) => Object.fromEntries(inits(p).map((c) => [c.name, c.image]));
const mountPaths = (p: Pod, c: string) => (containerOf(p, c).volumeMounts ?? []).map((m) => m.mountPath);
const annotation = (p: Pod, key: string) => p.metadata?.annotations?.[key];

describe('§1 default library tags, by version', () => {
  const tags = (version: string) => {
    const r = run(pod(), ssiOn(version));
    return Object.fromEntries(inits(r.pod).filter((c) => c.name.startsWith('datadog-lib-')).map((c) => [c.name.slice('datadog-lib-'.length, -'-init'.length), c.image!.split(':').pop()]));
  };

  it('7.78: java v1, js v5, python v4, dotnet v3, ruby v2, php v1 (defaultLibraries of the agent test)', () => {
    expect(tags('7.78')).toEqual({ java: 'v1', js: 'v5', python: 'v4', dotnet: 'v3', ruby: 'v2', php: 'v1' });
  });

  it('interpolation: 7.70 has python v3; 7.60 has python v2, dotnet v3 and no php by default', () => {
    expect(tags('7.70')).toEqual({ java: 'v1', js: 'v5', python: 'v3', dotnet: 'v3', ruby: 'v2', php: 'v1' });
    expect(tags('7.60')).toEqual({ java: 'v1', js: 'v5', python: 'v2', dotnet: 'v3', ruby: 'v2' });
    expect(tags('7.57')).toEqual({ java: 'v1', js: 'v5', python: 'v2', dotnet: 'v2', ruby: 'v2' });
  });

  it('"default" as a version means the default tag (7.61): annotation and lib_versions', () => {
    expect(images(run(local({ [`${A}java-lib.version`]: 'default' }), configFor('7.78')).pod)['datadog-lib-java-init']).toBe('gcr.io/datadoghq/dd-lib-java-init:v1');
    const pinned = run(pod(), ssiOn('7.78', { 'apm_config.instrumentation.lib_versions': { java: 'default' } })).pod;
    expect(images(pinned)['datadog-lib-java-init']).toBe('gcr.io/datadoghq/dd-lib-java-init:v1');
    expect(images(run(local({ [`${A}java-lib.version`]: 'default' }), configFor('7.60')).pod)['datadog-lib-java-init']).toBe('gcr.io/datadoghq/dd-lib-java-init:default');
  });

  it('init container order: the injector first, then libraries in language order, each prepended before the user\'s', () => {
    const r = run(pod({ initContainers: [{ name: 'user-init', image: 'busybox' }] }), ssiOn());
    expect(initNames(r.pod)).toEqual([
      'datadog-lib-php-init',
      'datadog-lib-ruby-init',
      'datadog-lib-dotnet-init',
      'datadog-lib-python-init',
      'datadog-lib-js-init',
      'datadog-lib-java-init',
      'datadog-init-apm-inject',
      'user-init',
    ]);
  });
});

describe('§2 registries and the injector image', () => {
  it('default: gcr.io/datadoghq/apm-inject:0 and gcr.io/datadoghq/dd-lib-<lang>-init:<tag>', () => {
    const r = run(local({ [`${A}php-lib.version`]: 'v1' }), configFor('7.78'));
    expect(images(r.pod)).toEqual({ 'datadog-lib-php-init': 'gcr.io/datadoghq/dd-lib-php-init:v1', 'datadog-init-apm-inject': 'gcr.io/datadoghq/apm-inject:0' });
  });

  it('admission_controller.auto_instrumentation.container_registry applies to both (custom container registry via config)', () => {
    const cfg = configFor('7.78', { 'apm_config.instrumentation.enabled': true, 'admission_controller.auto_instrumentation.container_registry': 'my-registry.example.com/datadog' });
    const r = run(local({ [`${A}java-lib.version`]: 'v1.2.3' }), cfg);
    expect(images(r.pod)).toEqual({ 'datadog-lib-java-init': 'my-registry.example.com/datadog/dd-lib-java-init:v1.2.3', 'datadog-init-apm-inject': 'my-registry.example.com/datadog/apm-inject:0' });
  });

  it('injector tag: injector_image_tag, overridden by apm-inject.version; apm-inject.custom-image wins', () => {
    const cfg = configFor('7.78', { 'apm_config.instrumentation.injector_image_tag': '1.0.0' });
    expect(images(run(local({ [`${A}java-lib.version`]: 'v1' }), cfg).pod)['datadog-init-apm-inject']).toBe('gcr.io/datadoghq/apm-inject:1.0.0');
    expect(images(run(local({ [`${A}java-lib.version`]: 'v1', [`${A}apm-inject.version`]: '2.0.0' }), cfg).pod)['datadog-init-apm-inject']).toBe('gcr.io/datadoghq/apm-inject:2.0.0');
    const custom = local({ [`${A}php-lib.version`]: 'v1', [`${A}apm-inject.version`]: '2.0.0', [`${A}apm-inject.custom-image`]: 'docker.io/library/apm-inject-package:v27' });
    expect(images(run(custom, cfg).pod)['datadog-init-apm-inject']).toBe('docker.io/library/apm-inject-package:v27');
  });

  it('library custom-image is the full reference; two libraries by annotation both get injected', () => {
    const r = run(local({ [`${A}php-lib.custom-image`]: 'foo/bar:1', [`${A}js-lib.version`]: 'v3' }), configFor('7.78'));
    expect(images(r.pod)).toEqual({ 'datadog-lib-php-init': 'foo/bar:1', 'datadog-lib-js-init': 'gcr.io/datadoghq/dd-lib-js-init:v3', 'datadog-init-apm-inject': 'gcr.io/datadoghq/apm-inject:0' });
  });
});

describe('§4 what the init-container injection writes', () => {
  const java = () => run(local({ [`${A}java-lib.version`]: 'v1' }), configFor('7.78'));

  it('volumes: two emptyDirs, appended; safe-to-evict lists both', () => {
    const r = java();
    expect(r.pod.spec?.volumes).toEqual([
      { name: 'datadog-auto-instrumentation', emptyDir: {} },
      { name: 'datadog-auto-instrumentation-etc', emptyDir: {} },
    ]);
    expect(annotation(r.pod, 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes')).toBe('datadog-auto-instrumentation,datadog-auto-instrumentation-etc');
  });

  it('safe-to-evict keeps an existing list (config-injection-7.78.md §6); 7.57 does not write it', () => {
    const r = run(local({ [`${A}java-lib.version`]: 'v1', 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'cache' }), configFor('7.78'));
    expect(annotation(r.pod, 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes')).toBe('cache,datadog-auto-instrumentation,datadog-auto-instrumentation-etc');
    expect(annotation(run(local({ [`${A}java-lib.version`]: 'v1' }), configFor('7.57')).pod, 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes')).toBeUndefined();
  });

  it('the injector init container: name, command, args, mounts, resources (and the config vars /injectlib adds afterwards)', () => {
    expect(containerOf(java().pod, 'datadog-init-apm-inject')).toEqual({
      name: 'datadog-init-apm-inject',
      image: 'gcr.io/datadoghq/apm-inject:0',
      command: ['/bin/sh', '-c', '--'],
      args: [
        `cp -r /opt/datadog-packages/datadog-apm-inject/* /datadog-inject && echo ${LAUNCHER} > /datadog-etc/ld.so.preload && echo $(date +%s) >> /datadog-inject/c-init-time.datadog-init-apm-inject`,
      ],
      resources: {},
      volumeMounts: [
        { name: 'datadog-auto-instrumentation', mountPath: '/datadog-inject', subPath: 'opt/datadog-packages/datadog-apm-inject' },
        { name: 'datadog-auto-instrumentation-etc', mountPath: '/datadog-etc' },
      ],
      env: configEnv('datadog-init-apm-inject'),
    });
  });

  it('a library init container: name, command, args, writable mounts', () => {
    expect(containerOf(java().pod, 'datadog-lib-java-init')).toEqual({
      name: 'datadog-lib-java-init',
      image: 'gcr.io/datadoghq/dd-lib-java-init:v1',
      command: ['/bin/sh', '-c', '--'],
      args: ['sh copy-lib.sh /datadog-lib && echo $(date +%s) >> /opt/datadog-packages/datadog-apm-inject/c-init-time.datadog-lib-java-init'],
      resources: {},
      volumeMounts: [
        { name: 'datadog-auto-instrumentation', mountPath: '/datadog-lib', subPath: 'opt/datadog/apm/library/java' },
        { name: 'datadog-auto-instrumentation', mountPath: '/opt/datadog-packages/datadog-apm-inject', subPath: 'opt/datadog-packages/datadog-apm-inject' },
      ],
      env: configEnv('datadog-lib-java-init'),
    });
  });

  it('application mounts: prepended, read-only in 7.78, in the order library, injector, ld.so.preload', () => {
    const r = run(local({ [`${A}java-lib.version`]: 'v1' }, { containers: [{ name: 'test-container', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] }), configFor('7.78'));
    expect(containerOf(r.pod, 'test-container').volumeMounts).toEqual([
      { name: 'datadog-auto-instrumentation', mountPath: '/opt/datadog/apm/library', subPath: 'opt/datadog/apm/library', readOnly: true },
      { name: 'datadog-auto-instrumentation', mountPath: '/opt/datadog-packages/datadog-apm-inject', subPath: 'opt/datadog-packages/datadog-apm-inject', readOnly: true },
      { name: 'datadog-auto-instrumentation-etc', mountPath: '/etc/ld.so.preload', subPath: 'ld.so.preload', readOnly: true },
      { name: 'data', mountPath: '/data' },
    ]);
  });

  it('before 7.78 the library and injector mounts are writable (only ld.so.preload is read-only)', () => {
    const r = run(local({ [`${A}java-lib.version`]: 'v1' }), configFor('7.77'));
    expect(containerOf(r.pod, 'test-container').volumeMounts!.map((m) => m.readOnly)).toEqual([undefined, undefined, true]);
  });

  it('env: LD_PRELOAD, DD_INJECT_SENDER_TYPE=k8s, DD_INJECT_START_TIME from the request clock; init containers get none of it', () => {
    const r = java();
    expect(envValue(r.pod, 'test-container', 'LD_PRELOAD')).toBe(LAUNCHER);
    expect(envValue(r.pod, 'test-container', 'DD_INJECT_SENDER_TYPE')).toBe('k8s');
    expect(envValue(r.pod, 'test-container', 'DD_INJECT_START_TIME')).toBe('1767225600');
    for (const c of inits(r.pod)) expect(c.env).toEqual(configEnv(c.name));
  });

  const joins: [string, string | undefined, string][] = [
    ['absent', undefined, LAUNCHER],
    ['"/foo"', '/foo', `/foo:${LAUNCHER}`],
    ['"/foo:/bar"', '/foo:/bar', `/foo:/bar:${LAUNCHER}`],
    ['empty', '', `:${LAUNCHER}`],
  ];
  for (const [what, existing, expected] of joins) {
    it(`LD_PRELOAD ${what} -> ${JSON.stringify(expected)} (TestEnvVarsAlreadySet; joined with ":" in place since 7.61)`, () => {
      const env = existing === undefined ? [] : [{ name: 'A', value: 'a' }, { name: 'LD_PRELOAD', value: existing }];
      const r = run(pod({ containers: [{ name: 'test-container', env }] }), ssiOn());
      expect(envValue(r.pod, 'test-container', 'LD_PRELOAD')).toBe(expected);
      if (existing !== undefined) expect(envNames(r.pod, 'test-container').slice(-2)).toEqual(['A', 'LD_PRELOAD']);
    });
  }

  it('before 7.61 an existing LD_PRELOAD is overwritten', () => {
    const r = run(pod({ containers: [{ name: 'test-container', env: [{ name: 'LD_PRELOAD', value: '/foo' }] }] }), ssiOn('7.60'));
    expect(envValue(r.pod, 'test-container', 'LD_PRELOAD')).toBe(LAUNCHER);
  });

  it('an LD_PRELOAD from valueFrom cannot take the launcher: the webhook fails open, pod unchanged', () => {
    const p = pod({ containers: [{ name: 'test-container', env: [{ name: 'LD_PRELOAD', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }] }] });
    const r = run(p, ssiOn());
    expect(r.failure?.message).toBe('"LD_PRELOAD" is defined via ValueFrom in container test-container: the launcher cannot be added to it');
    expect(r.patch).toEqual([]);
  });

  it('apm-inject.debug parsed as Go ParseBool: "true"/"1" add the three debug vars, "false" none', () => {
    for (const value of ['true', '1', 'T']) {
      const r = run(local({ [`${A}java-lib.version`]: 'v1', [`${A}apm-inject.debug`]: value }), configFor('7.78'));
      for (const name of ['DD_APM_INSTRUMENTATION_DEBUG', 'DD_TRACE_STARTUP_LOGS', 'DD_TRACE_DEBUG']) expect(envValue(r.pod, 'test-container', name), `${value} ${name}`).toBe('true');
    }
    const off = run(local({ [`${A}java-lib.version`]: 'v1', [`${A}apm-inject.debug`]: 'false' }), configFor('7.78'));
    expect(envNames(off.pod, 'test-container')).not.toContain('DD_TRACE_DEBUG');
  });

  it('debug alone, with no library, does not mutate', () => {
    const p = local({ [`${A}apm-inject.debug`]: 'true' });
    expect(run(p, configFor('7.78')).patch).toEqual([]);
  });

  it('istio-proxy is never mutated by library injection (7.66); at 7.65 it still is', () => {
    const p = pod({ containers: [{ name: 'test-container' }, { name: 'istio-proxy' }] });
    const r = run(p, ssiOn());
    // Only the config mutator's vars, which the agent's own test allows there.
    expect(envNames(r.pod, 'istio-proxy')).toEqual(CONFIG_NAMES);
    expect(containerOf(r.pod, 'istio-proxy').volumeMounts).toBeUndefined();
    expect(envValue(r.pod, 'test-container', 'LD_PRELOAD')).toBe(LAUNCHER);
    expect(envValue(run(p, ssiOn('7.65')).pod, 'istio-proxy', 'LD_PRELOAD')).toBe(LAUNCHER);
  });

  it('7.78.1: a container-targeted library mounts only in the named container; the injector env goes to every container', () => {
    // TestAutoinstrumentation_LocalLibInjectionPerContainerOnlyMountsLibraryOnTargetContainer
    const p = pod({ labels: OPT_IN, annotations: { [`${A}app.java-lib.version`]: 'v1' }, containers: [{ name: 'app' }, { name: 'app2' }] });
    const r = run(p, configFor('7.78.1'));
    for (const c of ['app', 'app2']) {
      expect(envValue(r.pod, c, 'LD_PRELOAD')).toBe(LAUNCHER);
      expect(envValue(r.pod, c, 'DD_INJECT_SENDER_TYPE')).toBe('k8s');
    }
    expect(mountPaths(r.pod, 'app')).toContain('/opt/datadog/apm/library');
    expect(mountPaths(r.pod, 'app2')).not.toContain('/opt/datadog/apm/library');
    expect(mountPaths(r.pod, 'app2')).toEqual(['/opt/datadog-packages/datadog-apm-inject', '/etc/ld.so.preload']);
    // 7.78.0 had the bug the 7.78.1 release note fixes: the library went to every container.
    expect(mountPaths(run(p, configFor('7.78.0')).pod, 'app2')).toContain('/opt/datadog/apm/library');
  });
});

describe('§3 injection mode', () => {
  it('csi (config or annotation) is not simulated: a warning, no library, the other steps still run', () => {
    for (const [cfg, p] of [
      [configFor('7.78', { 'apm_config.instrumentation.injection_mode': 'csi' }), local({ [`${A}java-lib.version`]: 'v1' })],
      [configFor('7.78'), local({ [`${A}java-lib.version`]: 'v1', [`${A}apm-inject.injection-mode`]: 'csi' })],
    ] as const) {
      const r = run(p, cfg);
      expect(r.warnings.map((w) => w.message)).toContain('injection mode csi is not simulated: the preview leaves the libraries out of this pod (the Cluster Agent would mount them with Datadog CSI volumes)');
      expect(inits(r.pod)).toEqual([]);
      expect(envValue(r.pod, 'test-container', 'DD_INSTRUMENTATION_INSTALL_TYPE')).toBe('k8s_lib_injection');
    }
  });

  it('an unknown mode warns and falls back to auto (init containers); before 7.76 the annotation is not read', () => {
    const r = run(local({ [`${A}java-lib.version`]: 'v1', [`${A}apm-inject.injection-mode`]: 'magic' }), configFor('7.78'));
    expect(r.warnings.map((w) => w.message)).toContain(`annotation ${A}apm-inject.injection-mode: unknown injection mode "magic", using auto`);
    expect(initNames(r.pod)).toEqual(['datadog-lib-java-init', 'datadog-init-apm-inject']);
    expect(initNames(run(local({ [`${A}java-lib.version`]: 'v1', [`${A}apm-inject.injection-mode`]: 'csi' }), configFor('7.75')).pod)).toHaveLength(2);
  });

  it('the config warns about an unknown injection_mode', () => {
    const r = parseConfig({ origin: 't', values: { 'apm_config.instrumentation.injection_mode': 'sidecar' } }, { agentVersion: '7.78' });
    expect(r.warnings.map((w) => w.key)).toContain('apm_config.instrumentation.injection_mode');
  });
});

describe('§6 init-container resources (7.65.2)', () => {
  const withResources = (containers: Container[], initContainers?: Container[]) => pod({ containers, ...(initContainers ? { initContainers } : {}) });
  const res = (cpu?: string, memory?: string) => {
    const q: Record<string, string> = {};
    if (cpu) q.cpu = cpu;
    if (memory) q.memory = memory;
    return { limits: { ...q }, requests: { ...q } };
  };
  const injected = (p: Pod, cfg = ssiOn()) => containerOf(run(p, cfg).pod, 'datadog-init-apm-inject').resources;

  it('a pod with resources gives them to the init containers', () => {
    expect(injected(withResources([{ name: 'test-container', resources: res('100m', '500Mi') }]))).toEqual(res('100m', '500Mi'));
  });

  it('only cpu, or only memory', () => {
    expect(injected(withResources([{ name: 'test-container', resources: res('100m') }]))).toEqual(res('100m'));
    expect(injected(withResources([{ name: 'test-container', resources: res(undefined, '500Mi') }]))).toEqual(res(undefined, '500Mi'));
  });

  it('the largest init container wins over the sum when larger', () => {
    const inits = [{ name: 'foo', resources: res('700m', '500Mi') }, { name: 'bar', resources: res('101m', '700Mi') }];
    expect(injected(withResources([{ name: 'test-container', resources: res('102m', '500Mi') }], inits))).toEqual(res('700m', '700Mi'));
  });

  it('containers add up; native sidecars count with them', () => {
    expect(injected(withResources([{ name: 'test-container', resources: res('200m', '200Mi') }, { name: 'sidecar', resources: res('200m', '200Mi') }], [{ name: 'foo', resources: res('100m', '100Mi') }]))).toEqual(res('400m', '400Mi'));
    const sidecar = { name: 'proxy', restartPolicy: 'Always', resources: res('300m', '300Mi') } as Container;
    expect(injected(withResources([{ name: 'test-container', resources: res('200m', '200Mi') }], [sidecar]))).toEqual(res('500m', '500Mi'));
  });

  it('configured init_resources win and are not checked against the minimum', () => {
    const cfg = ssiOn('7.78', { 'admission_controller.auto_instrumentation.init_resources.cpu': '101m', 'admission_controller.auto_instrumentation.init_resources.memory': '301Mi' });
    expect(injected(withResources([{ name: 'test-container', resources: res('0.025', '50Mi') }]), cfg)).toEqual(res('101m', '301Mi'));
  });

  it('quantities are written in canonical form (0.025 -> 25m, 1024Mi -> 1Gi)', () => {
    expect(injected(withResources([{ name: 'test-container', resources: res('0.1', '1024Mi') }]))).toEqual(res('100m', '1Gi'));
  });

  const skips: [string, Container['resources'], string][] = [
    ['low memory', res('499m', '50Mi'), "The overall pod's containers limit is too low for injection, memory pod_limit=50Mi needed=100Mi"],
    ['low cpu', res('0.025'), "The overall pod's containers limit is too low for injection, cpu pod_limit=25m needed=50m"],
    ['low cpu and memory', res('0.025', '50Mi'), "The overall pod's containers limit is too low for injection, cpu pod_limit=25m needed=50m, memory pod_limit=50Mi needed=100Mi"],
    ['requests only (the limit is raised to the request)', { requests: { cpu: '25m' } }, "The overall pod's containers limit is too low for injection, cpu pod_limit=25m needed=50m"],
  ];
  for (const [what, resources, message] of skips) {
    it(`${what}: skipped, internal.apm.datadoghq.com/injection-error, no LD_PRELOAD (TestSkippedDueToResources)`, () => {
      const r = run(withResources([{ name: 'test-container', resources }]), ssiOn());
      expect(annotation(r.pod, 'internal.apm.datadoghq.com/injection-error')).toBe(message);
      expect(envNames(r.pod, 'test-container')).not.toContain('LD_PRELOAD');
      expect(inits(r.pod)).toEqual([]);
      expect(r.pod.spec?.volumes).toBeUndefined();
      // The other SSI steps still run.
      expect(envValue(r.pod, 'test-container', 'DD_INSTRUMENTATION_INSTALL_TYPE')).toBe('k8s_single_step');
    });
  }

  it('before 7.76 the error annotation has no internal. prefix', () => {
    const r = run(withResources([{ name: 'test-container', resources: res('0.025') }]), ssiOn('7.70'));
    expect(annotation(r.pod, 'apm.datadoghq.com/injection-error')).toBe("The overall pod's containers limit is too low for injection, cpu pod_limit=25m needed=50m");
  });

  it('interpolation: 50m / 20Mi fixed defaults at 7.57, 100Mi from 7.57.2, whatever the pod reserves', () => {
    const p = withResources([{ name: 'test-container', resources: res('0.025', '50Mi') }]);
    expect(injected(p, ssiOn('7.57'))).toEqual(res('50m', '20Mi'));
    expect(injected(p, ssiOn('7.60'))).toEqual(res('50m', '100Mi'));
  });
});

describe('§7 init_security_context and restricted namespaces', () => {
  it('init_security_context (JSON text, as from the env var) goes to every injected init container', () => {
    const r = run(pod(), ssiOn('7.78', { 'admission_controller.auto_instrumentation.init_security_context': '{"privileged":true}' }));
    for (const c of inits(r.pod)) expect(c.securityContext, c.name).toEqual({ privileged: true });
  });

  it('a namespace enforcing the restricted level gets the restricted default (7.69)', () => {
    const context = { ...CONTEXT, namespaceLabels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'kubernetes.io/metadata.name': 'application' } };
    const r = run(pod(), ssiOn(), context);
    for (const c of inits(r.pod)) {
      expect(c.securityContext, c.name).toEqual({ capabilities: { drop: ['ALL'] }, runAsNonRoot: true, allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' } });
    }
    expect(containerOf(run(pod(), ssiOn('7.68'), context).pod, 'datadog-init-apm-inject').securityContext).toBeUndefined();
  });

  it('not JSON: a config error naming the key', () => {
    const r = parseConfig({ origin: 'datadog.yaml', values: { 'admission_controller.auto_instrumentation.init_security_context': '{privileged' } }, { agentVersion: '7.78' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ key: 'admission_controller.auto_instrumentation.init_security_context', message: 'expected a JSON object (a Kubernetes SecurityContext), got "{privileged"' });
  });
});

describe('§8 install env and the SSI steps', () => {
  it('local lib injection: DD_INSTRUMENTATION_INSTALL_TYPE=k8s_lib_injection, TIME and ID from the adapter; TYPE ends first', () => {
    const r = run(local({ [`${A}java-lib.version`]: 'v1' }), configFor('7.78'));
    const env = envOf(r.pod, 'test-container').filter((e) => e.name.startsWith('DD_INSTRUMENTATION_INSTALL_'));
    expect(env).toEqual([
      { name: 'DD_INSTRUMENTATION_INSTALL_TYPE', value: 'k8s_lib_injection' },
      { name: 'DD_INSTRUMENTATION_INSTALL_ID', value: 'install-id' },
      { name: 'DD_INSTRUMENTATION_INSTALL_TIME', value: '1767000000' },
    ]);
    // Local injection adds no SSI defaults and no service name.
    expect(envNames(r.pod, 'test-container')).not.toContain('DD_TRACE_ENABLED');
    expect(envNames(r.pod, 'test-container')).not.toContain('DD_SERVICE');
  });

  it('SSI: k8s_single_step; the four defaults (no sampling pair); DD_SERVICE from the owner with its source', () => {
    const r = run(pod({ ownerReferences: OWNER }), ssiOn());
    const env = Object.fromEntries(envOf(r.pod, 'test-container').map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      DD_INSTRUMENTATION_INSTALL_TYPE: 'k8s_single_step',
      DD_TRACE_ENABLED: 'true',
      DD_LOGS_INJECTION: 'true',
      DD_TRACE_HEALTH_METRICS_ENABLED: 'true',
      DD_RUNTIME_METRICS_ENABLED: 'true',
      DD_SERVICE: 'deployment',
      DD_SERVICE_K8S_ENV_SOURCE: 'owner=deployment',
    });
    expect(env.DD_TRACE_SAMPLE_RATE).toBeUndefined();
    const names = envNames(r.pod, 'test-container');
    expect(names.indexOf('DD_SERVICE') + 1).toBe(names.indexOf('DD_SERVICE_K8S_ENV_SOURCE'));
  });

  it('steps after the injection reach Datadog\'s own init containers; the install env does not', () => {
    const r = run(pod({ ownerReferences: OWNER }), ssiOn());
    const names = envNames(r.pod, 'datadog-lib-java-init');
    expect(names).toContain('DD_SERVICE');
    expect(names).toContain('DD_RUNTIME_METRICS_ENABLED');
    expect(names).not.toContain('DD_INSTRUMENTATION_INSTALL_TYPE');
  });

  it('an init container the injection replaces gets the config vars anew; the user\'s own init container keeps its single set', () => {
    const stale = { name: 'datadog-init-apm-inject', image: 'old', env: [{ name: 'STALE', value: '1' }] };
    const p = local({ [`${A}java-lib.version`]: 'v1' }, { initContainers: [{ name: 'setup', image: 'busybox' }, stale] });
    const r = run(p, configFor('7.78'));
    expect(initNames(r.pod)).toEqual(['datadog-lib-java-init', 'setup', 'datadog-init-apm-inject']);
    expect(envOf(r.pod, 'datadog-init-apm-inject')).toEqual(configEnv('datadog-init-apm-inject'));
    expect(envOf(r.pod, 'datadog-lib-java-init')).toEqual(configEnv('datadog-lib-java-init'));
    expect(envNames(r.pod, 'setup')).toEqual(['DD_INSTRUMENTATION_INSTALL_TYPE', 'DD_INSTRUMENTATION_INSTALL_ID', 'DD_INSTRUMENTATION_INSTALL_TIME', ...CONFIG_NAMES]);
  });

  it('a DD_SERVICE an application container has is copied to the others (7.66); before that the owner name is used', () => {
    const p = pod({ ownerReferences: OWNER, containers: [{ name: 'a', env: [{ name: 'DD_SERVICE', value: 'shop' }] }, { name: 'b' }] });
    expect(envOf(run(p, ssiOn()).pod, 'b').filter((e) => e.name.startsWith('DD_SERVICE'))).toEqual([
      { name: 'DD_SERVICE', value: 'shop' },
      { name: 'DD_SERVICE_K8S_ENV_SOURCE', value: 'existing=shop' },
    ]);
    expect(envValue(run(p, ssiOn('7.65')).pod, 'b', 'DD_SERVICE')).toBe('deployment');
  });

  it('no owner name (a bare pod): no DD_SERVICE at all, unlike 7.49\'s empty one', () => {
    expect(envNames(run(pod(), ssiOn()).pod, 'test-container')).not.toContain('DD_SERVICE');
  });

  it('<lang>-lib.config.v1 and all-lib.config.v1 still turn into env vars', () => {
    const r = run(local({ [`${A}java-lib.version`]: 'v1', [`${A}java-lib.config.v1`]: '{"runtime_metrics_enabled":true,"tracing_rate_limit":50}' }), configFor('7.78'));
    expect(envValue(r.pod, 'test-container', 'DD_RUNTIME_METRICS_ENABLED')).toBe('true');
    expect(envValue(r.pod, 'test-container', 'DD_TRACE_RATE_LIMIT')).toBe('50');
    const all = run(local({ [`${A}all-lib.version`]: 'latest', [`${A}all-lib.config.v1`]: '{"tracing_sampling_rate":0.3}' }), configFor('7.78'));
    expect(envValue(all.pod, 'test-container', 'DD_TRACE_SAMPLE_RATE')).toBe('0.30');
  });
});

describe('§9 which pods get which libraries', () => {
  const libs = (p: Pod, cfg: AdmissionConfig) => initNames(run(p, cfg).pod).filter((n) => n.startsWith('datadog-lib-')).map((n) => n.slice(12, -5)).sort();
  const ALL = ['dotnet', 'java', 'js', 'php', 'python', 'ruby'];

  it('default configuration, or an annotation without the label: no mutation', () => {
    expect(run(pod(), configFor('7.78')).patch).toEqual([]);
    expect(run(pod({ annotations: { [`${A}java-lib.version`]: 'v1' } }), configFor('7.78')).patch).toEqual([]);
  });

  it('label "false" stops everything, even in an SSI namespace with an annotation', () => {
    const p = pod({ labels: { [`${A}enabled`]: 'false' }, annotations: { [`${A}java-lib.version`]: 'v1' } });
    const r = run(p, ssiOn('7.78', { 'apm_config.instrumentation.enabled_namespaces': ['application'] }));
    expect(r.patch).toEqual([]);
    expect(r.skip?.code).toBe('disabled-by-label');
  });

  it('label "true" without annotation: nothing when SSI is off, every default library when on', () => {
    expect(run(pod({ labels: OPT_IN }), configFor('7.78')).patch).toEqual([]);
    expect(libs(pod({ labels: OPT_IN }), ssiOn())).toEqual(ALL);
  });

  it('mutate_unlabelled with an annotation injects it without the label', () => {
    expect(libs(pod({ annotations: { [`${A}java-lib.version`]: 'v1' } }), configFor('7.78', { 'admission_controller.mutate_unlabelled': true }))).toEqual(['java']);
  });

  it('the annotation wins over lib_versions; lib_versions pins restrict SSI to the pinned languages', () => {
    const cfg = ssiOn('7.78', { 'apm_config.instrumentation.lib_versions': { java: 'v2' } });
    expect(images(run(local({ [`${A}java-lib.version`]: 'v1' }), cfg).pod)['datadog-lib-java-init']).toBe('gcr.io/datadoghq/dd-lib-java-init:v1');
    expect(images(run(pod(), ssiOn('7.78', { 'apm_config.instrumentation.lib_versions': { python: 'v5' } })).pod)).toEqual({
      'datadog-lib-python-init': 'gcr.io/datadoghq/dd-lib-python-init:v5',
      'datadog-init-apm-inject': 'gcr.io/datadoghq/apm-inject:0',
    });
  });

  it('enabled_namespaces: inside mutated, outside not, but a labelled annotated pod outside still is', () => {
    const cfg = (ns: string) => ssiOn('7.78', { 'apm_config.instrumentation.enabled_namespaces': [ns] });
    expect(libs(pod(), cfg('application'))).toEqual(ALL);
    expect(run(pod(), cfg('foo')).patch).toEqual([]);
    expect(libs(local({ [`${A}java-lib.version`]: 'v1' }), cfg('foo'))).toEqual(['java']);
  });

  it('disabled_namespaces: SSI and even local injection stay out (7.73); at 7.70 local injection still acts', () => {
    const off = { 'apm_config.instrumentation.disabled_namespaces': ['application'] };
    expect(run(pod(), ssiOn('7.78', off)).patch).toEqual([]);
    expect(libs(pod(), ssiOn('7.78', { 'apm_config.instrumentation.disabled_namespaces': ['foo'] }))).toEqual(ALL);
    expect(run(local({ [`${A}java-lib.version`]: 'v1' }), ssiOn('7.78', off)).patch).toEqual([]);
    expect(run(local({ [`${A}java-lib.version`]: 'v1' }), configFor('7.78', off)).patch).toEqual([]);
    expect(libs(local({ [`${A}java-lib.version`]: 'v1' }), configFor('7.70', off))).toEqual(['java']);
  });

  it('the agent namespace is never instrumented by SSI', () => {
    expect(run(pod({ namespace: 'datadog' }), ssiOn(), { ...CONTEXT, namespace: 'datadog' }).patch).toEqual([]);
  });

  it('all-lib.version with any value gives every default library; with another annotation only that one', () => {
    expect(libs(local({ [`${A}all-lib.version`]: 'unsupported' }), configFor('7.78'))).toEqual(ALL);
    expect(libs(local({ [`${A}all-lib.version`]: 'latest', [`${A}java-lib.version`]: 'v1' }), configFor('7.78'))).toEqual(['java']);
  });

  it('an unsupported language annotation does not mutate; php is a language since 7.60', () => {
    expect(run(local({ [`${A}go-lib.version`]: 'v1' }), configFor('7.78')).patch).toEqual([]);
    expect(run(local({ [`${A}php-lib.version`]: 'v1' }), configFor('7.59')).patch).toEqual([]);
  });

  it('reinvocation guard: a datadog-lib-<lang>-init already present stops the library steps (config and tags still run)', () => {
    const p = local({ [`${A}java-lib.version`]: 'v1' }, { initContainers: [{ name: 'datadog-lib-php-init', image: 'x' }] });
    const r = run(p, configFor('7.78'));
    expect(initNames(r.pod)).toEqual(['datadog-lib-php-init']);
    expect(envNames(r.pod, 'test-container')).toEqual(CONFIG_NAMES);
  });
});

describe('§9.2 targets', () => {
  const target = (t: Record<string, unknown>) => ssiOn('7.78', { 'apm_config.instrumentation.targets': [t] });
  const ruby = { name: 'test-target', ddTraceVersions: { ruby: 'v2' }, namespaceSelector: { matchNames: ['application'] } };

  it('a matching target injects its libraries as single step', () => {
    const r = run(pod(), target(ruby));
    expect(images(r.pod)['datadog-lib-ruby-init']).toBe('gcr.io/datadoghq/dd-lib-ruby-init:v2');
    expect(initNames(r.pod)).toEqual(['datadog-lib-ruby-init', 'datadog-init-apm-inject']);
    expect(envValue(r.pod, 'test-container', 'DD_INSTRUMENTATION_INSTALL_TYPE')).toBe('k8s_single_step');
  });

  it('applied-target annotation and env: the target as Go marshals it (agent test "Python Apps")', () => {
    const json = '{"name":"Python Apps","namespaceSelector":{"matchNames":["application"]},"ddTraceVersions":{"python":"v3"}}';
    const r = run(pod(), target({ name: 'Python Apps', ddTraceVersions: { python: 'v3' }, namespaceSelector: { matchNames: ['application'] } }));
    expect(annotation(r.pod, 'internal.apm.datadoghq.com/applied-target')).toBe(json);
    expect(envValue(r.pod, 'test-container', 'DD_INSTRUMENTATION_APPLIED_TARGET')).toBe(json);
    expect(envValue(r.pod, 'datadog-lib-python-init', 'DD_INSTRUMENTATION_APPLIED_TARGET')).toBe(json);
  });

  it('without targets, the implicit "default" target is applied', () => {
    expect(annotation(run(pod(), ssiOn()).pod, 'internal.apm.datadoghq.com/applied-target')).toBe('{"name":"default"}');
  });

  it('ddTraceConfigs go to every container before the libraries; valueFrom since 7.66', () => {
    const valueFrom = { secretKeyRef: { name: 'dd', key: 'profiling' } };
    const cfg = target({ ...ruby, ddTraceConfigs: [{ name: 'DD_PROFILING_ENABLED', value: 'true' }, { name: 'DD_API_KEY_REF', valueFrom }] });
    const r = run(pod({ initContainers: [{ name: 'user-init' }] }), cfg);
    expect(envValue(r.pod, 'test-container', 'DD_PROFILING_ENABLED')).toBe('true');
    expect(envOf(r.pod, 'user-init').find((e) => e.name === 'DD_API_KEY_REF')).toEqual({ name: 'DD_API_KEY_REF', valueFrom });
    expect(envNames(r.pod, 'datadog-lib-ruby-init')).not.toContain('DD_PROFILING_ENABLED');
    const older = run(pod(), ssiOn('7.65', { 'apm_config.instrumentation.targets': [{ ...ruby, ddTraceConfigs: [{ name: 'DD_API_KEY_REF', valueFrom }] }] }));
    expect(envOf(older.pod, 'test-container').find((e) => e.name === 'DD_API_KEY_REF')).toEqual({ name: 'DD_API_KEY_REF' });
  });

  it('no matching target: no mutation', () => {
    expect(run(pod(), target({ name: 'test-target', namespaceSelector: { matchNames: ['foo'] } })).patch).toEqual([]);
  });

  it('the first match wins; pod and namespace label selectors', () => {
    const cfg = ssiOn('7.78', {
      'apm_config.instrumentation.targets': [
        { name: 'python', podSelector: { matchLabels: { language: 'python' } }, ddTraceVersions: { python: 'default' } },
        { name: 'team', namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['web'] }] }, ddTraceVersions: { js: 'v4' } },
        { name: 'rest', ddTraceVersions: { java: 'v1' } },
      ],
    });
    const web = { ...CONTEXT, namespaceLabels: { team: 'web' } };
    expect(images(run(pod({ labels: { language: 'python' } }), cfg, web).pod)['datadog-lib-python-init']).toBe('gcr.io/datadoghq/dd-lib-python-init:v4');
    expect(Object.keys(images(run(pod(), cfg, web).pod))).toEqual(['datadog-lib-js-init', 'datadog-init-apm-inject']);
    expect(Object.keys(images(run(pod(), cfg).pod))).toEqual(['datadog-lib-java-init', 'datadog-init-apm-inject']);
  });

  it('local injection with the label wins over a target; without the label the target; with mutate_unlabelled the annotation', () => {
    const ann = { [`${A}ruby-lib.version`]: 'v3' };
    const tag = (p: Pod, cfg: AdmissionConfig) => images(run(p, cfg).pod)['datadog-lib-ruby-init'];
    expect(tag(local(ann), target(ruby))).toBe('gcr.io/datadoghq/dd-lib-ruby-init:v3');
    expect(tag(pod({ annotations: ann }), target(ruby))).toBe('gcr.io/datadoghq/dd-lib-ruby-init:v2');
    const unlabelled = ssiOn('7.78', { 'admission_controller.mutate_unlabelled': true, 'apm_config.instrumentation.targets': [ruby] });
    expect(tag(pod({ annotations: ann }), unlabelled)).toBe('gcr.io/datadoghq/dd-lib-ruby-init:v3');
  });

  it('targets are not read before 7.64', () => {
    expect(Object.keys(images(run(pod(), ssiOn('7.63', { 'apm_config.instrumentation.targets': [ruby] })).pod))).toHaveLength(6);
  });

  const invalid: [unknown, string][] = [
    [[{ name: 'x', ddTraceConfigs: [{ name: 'PROFILING', value: 'true' }] }], 'target 0 ("x"), ddTraceConfigs[0].name: "PROFILING" does not start with DD_'],
    [[{ name: 'ok' }, { podSelector: { matchExpressions: [{ key: 'a', operator: 'in', values: ['b'] }] } }], 'target 1, podSelector.matchExpressions[0].operator: expected one of In, NotIn, Exists, DoesNotExist (case-sensitive), got "in"'],
    [[{ namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }], 'target 0, namespaceSelector.matchExpressions[0].values: operator In needs at least one value'],
    [[{ ddTraceVersions: { java: 1 } }], 'target 0, ddTraceVersions.java: expected a string value'],
    ['{"name":', 'expected a list of targets (YAML list or JSON array), got "{\\"name\\":"'],
  ];
  for (const [value, message] of invalid) {
    it(`invalid targets: ${message}`, () => {
      const r = parseConfig({ origin: 'datadog.yaml', values: { apm_config: { instrumentation: { targets: value } } } }, { agentVersion: '7.78' });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors).toContainEqual({ key: 'apm_config.instrumentation.targets', origin: 'datadog.yaml', message });
    });
  }

  it('DD_APM_INSTRUMENTATION_TARGETS carries the JSON form', () => {
    const r = parseConfig({ origin: 'environment', values: { DD_APM_INSTRUMENTATION_TARGETS: JSON.stringify([ruby]) } }, { agentVersion: '7.78' });
    expect(r.ok && r.config.apm_config.instrumentation.targets).toEqual([ruby]);
  });
});

describe('§8 /injectlib also runs the tags and config mutators (7.64)', () => {
  const enabledIn = (ns: string, version = '7.78') => ssiOn(version, { 'apm_config.instrumentation.enabled_namespaces': [ns] });

  it('an SSI pod gets the config and tags vars from /injectlib itself, attributed to it', () => {
    const r = run(pod({ labels: { 'tags.datadoghq.com/env': 'local' } }), enabledIn('application'));
    expect(envValue(r.pod, 'test-container', 'DD_ENV')).toBe('local');
    expect(envOf(r.pod, 'test-container').find((e) => e.name === 'DD_AGENT_HOST')).toEqual({ name: 'DD_AGENT_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } });
    expect(new Set(r.events.map((e) => e.webhook))).toEqual(new Set(['auto-instrumentation']));
    expect(r.events.find((e) => e.name === 'DD_AGENT_HOST')?.reason).toContain('(config mutator run by /injectlib)');
  });

  it('outside the enabled namespaces: nothing at all', () => {
    expect(run(pod({ labels: { 'tags.datadoghq.com/env': 'local' } }), enabledIn('foo')).patch).toEqual([]);
  });

  it('a labelled pod with nothing to inject gets nothing from /injectlib (the agent test: "mutate label but no annotation and instrumentation disabled")', () => {
    const r = run(pod({ labels: { ...OPT_IN, 'tags.datadoghq.com/env': 'local' } }), configFor('7.78'));
    expect(r.patch).toEqual([]);
  });

  it('before 7.64 /injectlib does not run them', () => {
    const r = run(pod({ labels: { 'tags.datadoghq.com/env': 'local' } }), enabledIn('application', '7.63'));
    expect(envNames(r.pod, 'test-container')).not.toContain('DD_AGENT_HOST');
    expect(envNames(r.pod, 'test-container')).not.toContain('DD_ENV');
  });

  it('a failing tags mutator fails the whole /injectlib (the agent stops at the first error)', () => {
    const r = run(pod({ ownerReferences: OWNER }), ssiOn(), { ...CONTEXT, owners: [] });
    expect(r.failure?.message).toBe('cannot get owner ReplicaSet deployment-123 in namespace application: not found');
    expect(r.patch).toEqual([]);
  });
});

describe('reinvocation (spec README decision)', () => {
  const labelled = () => local({ [`${A}js-lib.version`]: 'v5' });

  it('config and tags run again after the injection: Datadog\'s init containers carry the config vars (the PR #30843 pod dump)', () => {
    const r = mutate(labelled(), CONTEXT, configFor('7.78'));
    expect(r.failures).toEqual([]);
    for (const name of ['datadog-lib-js-init', 'datadog-init-apm-inject']) expect(envOf(r.pod, name), name).toEqual(configEnv(name));
    expect(envValue(r.pod, 'datadog-lib-js-init', 'DD_EXTERNAL_ENV')).toBe('it-true,cn-datadog-lib-js-init,pu-$(DD_INTERNAL_POD_UID)');
    // /injectlib's own tags and config run did it, so the API server's reinvocation changes nothing more.
    expect(r.calls.filter((c) => c.reinvocation && c.patch.length > 0)).toEqual([]);
  });

  it('an unlabelled SSI pod, which the config webhook\'s selector leaves out, gets them from /injectlib alone', () => {
    const r = run(pod(), ssiOn('7.78', { 'apm_config.instrumentation.enabled_namespaces': ['application'] }));
    expect(envOf(r.pod, 'datadog-lib-js-init').slice(0, 4)).toEqual(configEnv('datadog-lib-js-init'));
  });

  it('before 7.64 the reinvoked config webhook does it, as in 7.49', () => {
    const r = mutate(labelled(), CONTEXT, configFor('7.60'));
    expect(envOf(r.pod, 'datadog-lib-js-init')).toEqual(configEnv('datadog-lib-js-init'));
    expect(r.calls.filter((c) => c.reinvocation && c.patch.length > 0).map((c) => c.webhook)).toEqual(['config']);
  });

  it('idempotent: the mutated pod, admitted again, gets an empty patch', () => {
    const first = mutate(labelled(), CONTEXT, configFor('7.78'));
    expect(mutate(first.pod, { ...CONTEXT, now: CONTEXT.now! + 60 }, configFor('7.78')).patch).toEqual([]);
  });
});
