// Spec conformance: spec/config-injection.md (config webhook, 7.47 - 7.49).
import { describe, expect, it } from 'vitest';
import { injectConfig, reviewWebhook, parseAdmissionReview, type Pod } from '@dd-admission/core';
import {
  config,
  makePod,
  OPT_IN,
  ENABLED,
  envOf,
  envNames,
  envEntry,
  containerOf,
  expectPatchGivesPod,
  expectFailure,
  expectUnchanged,
  hostIpEnv,
  entityIdEnv,
} from '../helpers.js';

const socket = config({ 'admission_controller.inject_config.mode': 'socket' });
const service = config({ 'admission_controller.inject_config.mode': 'service' });
const hostip = config();

const socketVolume = { name: 'datadog', hostPath: { path: '/var/run/datadog', type: 'DirectoryOrCreate' } };
const socketMount = { name: 'datadog', mountPath: '/var/run/datadog', readOnly: true };

function userPod(extra: Parameters<typeof makePod>[0] = {}): Pod {
  return makePod({ labels: OPT_IN, containers: [{ name: 'app', image: 'app:1', env: [{ name: 'A', value: 'a' }] }], ...extra });
}

describe('config-injection §1 decision flow', () => {
  it('§1 step 1: a missing pod is an error "cannot inject config into nil pod" and the pod is admitted unchanged', () => {
    const review = parseAdmissionReview({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: 'u-1', namespace: 'default', object: null },
    });
    const { response } = reviewWebhook(review, 'config', {}, hostip);
    expect(response.response.allowed).toBe(true);
    expect(response.response.patch).toBeUndefined();
    expect(response.response.status?.message).toBe('cannot inject config into nil pod');
  });

  it('§1 step 2: label "true" → continue', () => {
    const input = userPod();
    const r = injectConfig(input, {}, hostip);
    expect(r.skip).toBeUndefined();
    expect(envNames(r.pod, 'app')).toEqual(['DD_ENTITY_ID', 'DD_AGENT_HOST', 'A']);
  });

  it('§1 step 2: label "false" → stop, no change (even with mutate_unlabelled)', () => {
    const input = userPod({ labels: { [ENABLED]: 'false' } });
    const r = injectConfig(input, {}, config({ 'admission_controller.mutate_unlabelled': true }));
    expectUnchanged(input, r);
    expect(r.skip).toBeDefined();
  });

  it('§1 step 2: any other value → warning logged, stop (even with mutate_unlabelled)', () => {
    for (const value of ['yes', 'True', 'TRUE', '']) {
      const input = userPod({ labels: { [ENABLED]: value } });
      const r = injectConfig(input, {}, config({ 'admission_controller.mutate_unlabelled': true }));
      expectUnchanged(input, r);
      expect(r.skip).toBeDefined();
      expect(r.warnings.length).toBeGreaterThan(0);
    }
  });

  it('§1 step 2: label absent → continue only if admission_controller.mutate_unlabelled is true', () => {
    const input = makePod({ containers: [{ name: 'app', env: [{ name: 'A', value: 'a' }] }] });
    expectUnchanged(input, injectConfig(input, {}, hostip));
    const r = injectConfig(input, {}, config({ 'admission_controller.mutate_unlabelled': true }));
    expect(envNames(r.pod, 'app')).toEqual(['DD_ENTITY_ID', 'DD_AGENT_HOST', 'A']);
  });

  it('§1: 7.47-7.49 config webhook does not look at SSI settings (unlabelled pod, SSI on everywhere, mutate_unlabelled false → no change)', () => {
    const input = makePod({ namespace: 'apps' });
    const r = injectConfig(input, { namespace: 'apps' }, config({ 'apm_config.instrumentation.enabled': true }));
    expectUnchanged(input, r);
  });

  it('§1 step 5: DD_ENTITY_ID is injected after the mode vars, in every mode', () => {
    for (const cfg of [hostip, service, socket]) {
      const r = injectConfig(userPod(), { agentNamespace: 'datadog' }, cfg);
      expect(envNames(r.pod, 'app')[0]).toBe('DD_ENTITY_ID');
    }
  });
});

describe('config-injection §2 mode resolution', () => {
  it('global mode admission_controller.inject_config.mode, default hostip', () => {
    const r = injectConfig(userPod(), {}, hostip);
    expect(envEntry(r.pod, 'app', 'DD_AGENT_HOST')).toEqual(hostIpEnv);
  });

  it('per-pod label admission.datadoghq.com/config.mode is lower-cased and wins when hostip/service/socket', () => {
    const cases: [string, string[]][] = [
      ['socket', ['DD_ENTITY_ID', 'DD_DOGSTATSD_URL', 'DD_TRACE_AGENT_URL', 'A']],
      ['SOCKET', ['DD_ENTITY_ID', 'DD_DOGSTATSD_URL', 'DD_TRACE_AGENT_URL', 'A']],
      ['Service', ['DD_ENTITY_ID', 'DD_AGENT_HOST', 'A']],
      ['HostIP', ['DD_ENTITY_ID', 'DD_AGENT_HOST', 'A']],
    ];
    for (const [label, names] of cases) {
      const r = injectConfig(userPod({ labels: { ...OPT_IN, 'admission.datadoghq.com/config.mode': label } }), { agentNamespace: 'datadog' }, hostip);
      expect(r.failure).toBeUndefined();
      expect(envNames(r.pod, 'app')).toEqual(names);
    }
    const svc = injectConfig(
      userPod({ labels: { ...OPT_IN, 'admission.datadoghq.com/config.mode': 'Service' } }),
      { agentNamespace: 'datadog' },
      socket,
    );
    expect(envEntry(svc.pod, 'app', 'DD_AGENT_HOST')).toEqual({ name: 'DD_AGENT_HOST', value: 'datadog.datadog.svc.cluster.local' });
  });

  it('an invalid config.mode label value → warning, the global mode is used', () => {
    const r = injectConfig(userPod({ labels: { ...OPT_IN, 'admission.datadoghq.com/config.mode': 'foo' } }), {}, socket);
    expect(r.failure).toBeUndefined();
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(envNames(r.pod, 'app')).toEqual(['DD_ENTITY_ID', 'DD_DOGSTATSD_URL', 'DD_TRACE_AGENT_URL', 'A']);
  });

  it('the global mode is used as written (no lower-casing): global "HostIP" → error invalid injection mode "HostIP", nothing injected, not even DD_ENTITY_ID', () => {
    const input = userPod();
    const r = injectConfig(input, {}, config({ 'admission_controller.inject_config.mode': 'HostIP' }));
    expectFailure(input, r, 'invalid injection mode "HostIP"');
  });

  it('unknown global mode "foo" → error invalid injection mode "foo", pod admitted unchanged', () => {
    const input = userPod();
    const r = injectConfig(input, {}, config({ 'admission_controller.inject_config.mode': 'foo' }));
    expectFailure(input, r, 'invalid injection mode "foo"');
  });

  it('an invalid label with an invalid global mode still fails with the global mode', () => {
    const input = userPod({ labels: { ...OPT_IN, 'admission.datadoghq.com/config.mode': 'bar' } });
    const r = injectConfig(input, {}, config({ 'admission_controller.inject_config.mode': 'foo' }));
    expectFailure(input, r, 'invalid injection mode "foo"');
  });

  it('a valid config.mode label overrides an invalid global mode', () => {
    const r = injectConfig(userPod({ labels: { ...OPT_IN, 'admission.datadoghq.com/config.mode': 'hostip' } }), {}, config({ 'admission_controller.inject_config.mode': 'HostIP' }));
    expect(r.failure).toBeUndefined();
    expect(envEntry(r.pod, 'app', 'DD_AGENT_HOST')).toEqual(hostIpEnv);
  });
});

describe('config-injection §3 what each mode injects', () => {
  it('hostip: DD_AGENT_HOST → valueFrom.fieldRef.fieldPath status.hostIP (no literal value), no socket vars, no volume', () => {
    const input = userPod();
    const r = injectConfig(input, {}, hostip);
    expect(envOf(r.pod, 'app')).toEqual([entityIdEnv, hostIpEnv, { name: 'A', value: 'a' }]);
    expect(envEntry(r.pod, 'app', 'DD_AGENT_HOST')?.value ?? '').toBe('');
    expect(r.pod.spec?.volumes).toBeUndefined();
    expect(containerOf(r.pod, 'app').volumeMounts).toBeUndefined();
    expectPatchGivesPod(input, r);
  });

  it('service: DD_AGENT_HOST → datadog.<dca-namespace>.svc.cluster.local (literal value), e.g. datadog.datadog.svc.cluster.local', () => {
    const r = injectConfig(userPod(), { agentNamespace: 'datadog' }, service);
    expect(envOf(r.pod, 'app')).toEqual([entityIdEnv, { name: 'DD_AGENT_HOST', value: 'datadog.datadog.svc.cluster.local' }, { name: 'A', value: 'a' }]);
    expect(envEntry(r.pod, 'app', 'DD_TRACE_AGENT_URL')).toBeUndefined();
    expect(envEntry(r.pod, 'app', 'DD_DOGSTATSD_URL')).toBeUndefined();
    expect(r.pod.spec?.volumes).toBeUndefined();
  });

  it('service: <dca-namespace> falls back to default', () => {
    const r = injectConfig(userPod(), {}, service);
    expect(envEntry(r.pod, 'app', 'DD_AGENT_HOST')).toEqual({ name: 'DD_AGENT_HOST', value: 'datadog.default.svc.cluster.local' });
  });

  it('service: <local_service_name> is admission_controller.inject_config.local_service_name; the namespace is the DCA one, not kube_resources_namespace', () => {
    const cfg = config({
      'admission_controller.inject_config.mode': 'service',
      'admission_controller.inject_config.local_service_name': 'datadog-agent',
      kube_resources_namespace: 'elsewhere',
    });
    const r = injectConfig(userPod(), { namespace: 'shop', agentNamespace: 'datadog' }, cfg);
    expect(envEntry(r.pod, 'app', 'DD_AGENT_HOST')).toEqual({ name: 'DD_AGENT_HOST', value: 'datadog-agent.datadog.svc.cluster.local' });
  });

  it('socket: DD_TRACE_AGENT_URL unix:///var/run/datadog/apm.socket then DD_DOGSTATSD_URL unix:///var/run/datadog/dsd.socket; no DD_AGENT_HOST', () => {
    const r = injectConfig(userPod(), {}, socket);
    expect(envOf(r.pod, 'app')).toEqual([
      entityIdEnv,
      { name: 'DD_DOGSTATSD_URL', value: 'unix:///var/run/datadog/dsd.socket' },
      { name: 'DD_TRACE_AGENT_URL', value: 'unix:///var/run/datadog/apm.socket' },
      { name: 'A', value: 'a' },
    ]);
    expect(envEntry(r.pod, 'app', 'DD_AGENT_HOST')).toBeUndefined();
  });

  it('socket: the URLs come from trace_agent_socket / dogstatsd_socket, independently of socket_path', () => {
    const cfg = config({
      'admission_controller.inject_config.mode': 'socket',
      'admission_controller.inject_config.trace_agent_socket': 'unix:///sockets/trace.sock',
      'admission_controller.inject_config.dogstatsd_socket': 'unix:///sockets/statsd.sock',
      'admission_controller.inject_config.socket_path': '/opt/dd',
    });
    const r = injectConfig(userPod(), {}, cfg);
    expect(envEntry(r.pod, 'app', 'DD_TRACE_AGENT_URL')).toEqual({ name: 'DD_TRACE_AGENT_URL', value: 'unix:///sockets/trace.sock' });
    expect(envEntry(r.pod, 'app', 'DD_DOGSTATSD_URL')).toEqual({ name: 'DD_DOGSTATSD_URL', value: 'unix:///sockets/statsd.sock' });
    expect(r.pod.spec?.volumes).toEqual([{ name: 'datadog', hostPath: { path: '/opt/dd', type: 'DirectoryOrCreate' } }]);
    expect(containerOf(r.pod, 'app').volumeMounts).toEqual([{ name: 'datadog', mountPath: '/opt/dd', readOnly: true }]);
  });
});

describe('config-injection §3 socket-mode volume', () => {
  it('volume datadog, hostPath /var/run/datadog type DirectoryOrCreate; mount datadog at /var/run/datadog readOnly true', () => {
    const input = userPod();
    const r = injectConfig(input, {}, socket);
    expect(r.pod.spec?.volumes).toEqual([socketVolume]);
    expect(containerOf(r.pod, 'app').volumeMounts).toEqual([socketMount]);
    expectPatchGivesPod(input, r);
  });

  it('mounted into every container and every init container; mounts appended; volume appended to spec.volumes', () => {
    const input = makePod({
      labels: OPT_IN,
      containers: [
        { name: 'app', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
        { name: 'sidecar' },
      ],
      initContainers: [{ name: 'init', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', emptyDir: {} }],
    });
    const r = injectConfig(input, {}, socket);
    expect(containerOf(r.pod, 'app').volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, socketMount]);
    expect(containerOf(r.pod, 'sidecar').volumeMounts).toEqual([socketMount]);
    expect(containerOf(r.pod, 'init').volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, socketMount]);
    expect(r.pod.spec?.volumes).toEqual([{ name: 'data', emptyDir: {} }, socketVolume]);
    expectPatchGivesPod(input, r);
  });

  it('rule 1: the pod already has a volume named datadog → no volume, no mounts; env vars are still injected', () => {
    const userVolume = { name: 'datadog', emptyDir: {} };
    const input = userPod({ volumes: [userVolume] });
    const r = injectConfig(input, {}, socket);
    expect(r.pod.spec?.volumes).toEqual([userVolume]);
    expect(containerOf(r.pod, 'app').volumeMounts).toBeUndefined();
    expect(envNames(r.pod, 'app')).toEqual(['DD_ENTITY_ID', 'DD_DOGSTATSD_URL', 'DD_TRACE_AGENT_URL', 'A']);
  });

  it('rule 2: a container with a mount named datadog, or mounted at the same path, gets no mount', () => {
    const byName = { name: 'datadog', mountPath: '/elsewhere' };
    const byPath = { name: 'sockets', mountPath: '/var/run/datadog' };
    const input = makePod({
      labels: OPT_IN,
      containers: [
        { name: 'a', volumeMounts: [byName] },
        { name: 'b', volumeMounts: [byPath] },
        { name: 'c' },
      ],
    });
    const r = injectConfig(input, {}, socket);
    expect(containerOf(r.pod, 'a').volumeMounts).toEqual([byName]);
    expect(containerOf(r.pod, 'b').volumeMounts).toEqual([byPath]);
    expect(containerOf(r.pod, 'c').volumeMounts).toEqual([socketMount]);
    expect(r.pod.spec?.volumes).toEqual([socketVolume]);
  });

  it('rule 3: the volume is added only if at least one mount was added', () => {
    const input = makePod({
      labels: OPT_IN,
      containers: [{ name: 'a', volumeMounts: [{ name: 'host-run', mountPath: '/var/run/datadog' }] }],
      initContainers: [{ name: 'i', volumeMounts: [{ name: 'datadog', mountPath: '/x' }] }],
      volumes: [{ name: 'host-run', hostPath: { path: '/var/run/datadog' } }],
    });
    const r = injectConfig(input, {}, socket);
    expect(r.pod.spec?.volumes).toEqual([{ name: 'host-run', hostPath: { path: '/var/run/datadog' } }]);
    expect(containerOf(r.pod, 'a').volumeMounts).toEqual([{ name: 'host-run', mountPath: '/var/run/datadog' }]);
    expect(containerOf(r.pod, 'i').volumeMounts).toEqual([{ name: 'datadog', mountPath: '/x' }]);
    expect(envNames(r.pod, 'a')).toEqual(['DD_ENTITY_ID', 'DD_DOGSTATSD_URL', 'DD_TRACE_AGENT_URL']);
  });

  it('hostip and service modes add no volume and no mount', () => {
    for (const cfg of [hostip, service]) {
      const r = injectConfig(userPod({ initContainers: [{ name: 'init' }] }), {}, cfg);
      expect(r.pod.spec?.volumes).toBeUndefined();
      expect(containerOf(r.pod, 'app').volumeMounts).toBeUndefined();
      expect(containerOf(r.pod, 'init').volumeMounts).toBeUndefined();
    }
  });
});

describe('config-injection §4 DD_ENTITY_ID', () => {
  it('DD_ENTITY_ID → valueFrom.fieldRef.fieldPath metadata.uid, no apiVersion in the fieldRef', () => {
    const r = injectConfig(userPod(), {}, hostip);
    const e = envEntry(r.pod, 'app', 'DD_ENTITY_ID');
    expect(e).toEqual(entityIdEnv);
    expect((e?.valueFrom as { fieldRef: Record<string, unknown> }).fieldRef).not.toHaveProperty('apiVersion');
  });
});

describe('config-injection §5 env-var injection rule', () => {
  it('targets every entry of spec.containers and spec.initContainers', () => {
    const input = makePod({
      labels: OPT_IN,
      containers: [{ name: 'a' }, { name: 'b', env: [{ name: 'B', value: 'b' }] }],
      initContainers: [{ name: 'i1' }, { name: 'i2' }],
    });
    const r = injectConfig(input, {}, hostip);
    for (const c of ['a', 'i1', 'i2']) expect(envOf(r.pod, c)).toEqual([entityIdEnv, hostIpEnv]);
    expect(envOf(r.pod, 'b')).toEqual([entityIdEnv, hostIpEnv, { name: 'B', value: 'b' }]);
    expectPatchGivesPod(input, r);
  });

  it('existing var with the same name (whatever its value or valueFrom) → that container is skipped, nothing overwritten', () => {
    const userHost = { name: 'DD_AGENT_HOST', value: '10.0.0.1' };
    const userEntity = { name: 'DD_ENTITY_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } };
    const emptyHost = { name: 'DD_AGENT_HOST', value: '' };
    const input = makePod({
      labels: OPT_IN,
      containers: [
        { name: 'a', env: [{ name: 'A', value: 'a' }, userHost] },
        { name: 'b', env: [userEntity] },
        { name: 'c', env: [emptyHost] },
      ],
    });
    const r = injectConfig(input, {}, hostip);
    expect(envOf(r.pod, 'a')).toEqual([entityIdEnv, { name: 'A', value: 'a' }, userHost]);
    expect(envOf(r.pod, 'b')).toEqual([hostIpEnv, userEntity]);
    expect(envOf(r.pod, 'c')).toEqual([entityIdEnv, emptyHost]);
  });

  it('new entries are prepended: socket mode with user env [A] → [DD_ENTITY_ID, DD_DOGSTATSD_URL, DD_TRACE_AGENT_URL, A]', () => {
    const r = injectConfig(userPod(), {}, socket);
    expect(envNames(r.pod, 'app')).toEqual(['DD_ENTITY_ID', 'DD_DOGSTATSD_URL', 'DD_TRACE_AGENT_URL', 'A']);
  });

  it('new entries are prepended: hostip mode with user env [A] → [DD_ENTITY_ID, DD_AGENT_HOST, A]', () => {
    const r = injectConfig(userPod(), {}, hostip);
    expect(envNames(r.pod, 'app')).toEqual(['DD_ENTITY_ID', 'DD_AGENT_HOST', 'A']);
  });

  it('the input pod is not modified and the patch reproduces the result', () => {
    const input = userPod({ initContainers: [{ name: 'init' }] });
    const before = structuredClone(input);
    const r = injectConfig(input, {}, socket);
    expect(input).toEqual(before);
    expectPatchGivesPod(input, r);
  });
});

describe('config-injection §6 config keys', () => {
  it('defaults: mode hostip, local_service_name datadog, socket_path /var/run/datadog, both socket URLs, mutate_unlabelled false', () => {
    const ic = hostip.admission_controller.inject_config;
    expect(ic.enabled).toBe(true);
    expect(ic.endpoint).toBe('/injectconfig');
    expect(ic.mode).toBe('hostip');
    expect(ic.local_service_name).toBe('datadog');
    expect(ic.socket_path).toBe('/var/run/datadog');
    expect(ic.trace_agent_socket).toBe('unix:///var/run/datadog/apm.socket');
    expect(ic.dogstatsd_socket).toBe('unix:///var/run/datadog/dsd.socket');
    expect(hostip.admission_controller.mutate_unlabelled).toBe(false);
  });
});
