// Spec conformance: spec/7.78/config-injection-7.78.md (config webhook, 7.78), and the releases between.
import { describe, expect, it } from 'vitest';
import { injectConfig, injectAgentConfig, startRun, done, SAFE_TO_EVICT_ANNOTATION, type Pod } from '@dd-admission/core';
import { config, makePod, OPT_IN, ENABLED, envNames, envEntry, expectPatchGivesPod, expectFailure, expectUnchanged } from '../helpers.js';

const V78 = '7.78';
const at = (values: Record<string, unknown> = {}, version = V78) => config(values, version);
const socket = (extra: Record<string, unknown> = {}, version = V78) => at({ 'admission_controller.inject_config.mode': 'socket', ...extra }, version);
const csi = (extra: Record<string, unknown> = {}, version = V78) => socket({ 'admission_controller.inject_config.mode': 'csi', 'csi.enabled': true, ...extra }, version);

const podUid = { name: 'DD_INTERNAL_POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } };
const externalEnv = (init: boolean, name: string) => ({ name: 'DD_EXTERNAL_ENV', value: `it-${init},cn-${name},pu-$(DD_INTERNAL_POD_UID)` });

function userPod(extra: Parameters<typeof makePod>[0] = {}): Pod {
  return makePod({ labels: OPT_IN, containers: [{ name: 'app', image: 'app:1', env: [{ name: 'A', value: 'a' }] }], ...extra });
}

function volumes(pod: Pod): unknown[] {
  return pod.spec?.volumes ?? [];
}

function volumeNames(pod: Pod): string[] {
  return (pod.spec?.volumes ?? []).map((v) => v.name);
}

function mounts(pod: Pod, container = 'app'): unknown[] {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === container)?.volumeMounts ?? [];
}

describe('§1 the handler\'s own filter (7.75+)', () => {
  it('an unlabelled pod in an ordinary namespace is mutated; 7.49 and 7.74 skip it', () => {
    const input = makePod({ namespace: 'apps' });
    expect(injectConfig(input, {}, at()).skip).toBeUndefined();
    expect(envNames(injectConfig(input, {}, at()).pod, 'app')).toContain('DD_AGENT_HOST');
    expect(injectConfig(input, {}, at({}, '7.49')).skip?.code).toBe('label-not-enabled');
    expect(injectConfig(input, {}, at({}, '7.74')).skip?.code).toBe('label-not-enabled');
  });

  it('unlabelled in kube-system or the agent namespace: skipped unless mutate_unlabelled', () => {
    for (const [namespace, agentNamespace] of [['kube-system', 'datadog'], ['datadog', 'datadog'], ['default', undefined]] as const) {
      const input = makePod({ namespace });
      const r = injectConfig(input, { agentNamespace }, at());
      expectUnchanged(input, r);
      expect(r.skip?.code, namespace).toBe('label-not-enabled');
      expect(injectConfig(input, { agentNamespace }, at({ 'admission_controller.mutate_unlabelled': true })).skip).toBeUndefined();
    }
  });

  it('kube_resources_namespace names the excluded agent namespace', () => {
    const input = makePod({ namespace: 'monitoring' });
    expect(injectConfig(input, { agentNamespace: 'datadog' }, at({ kube_resources_namespace: 'monitoring' })).skip?.code).toBe('label-not-enabled');
  });

  it('label "true" mutates even in kube-system; "false" never mutates', () => {
    expect(injectConfig(makePod({ namespace: 'kube-system', labels: OPT_IN }), {}, at()).skip).toBeUndefined();
    const off = makePod({ namespace: 'apps', labels: { [ENABLED]: 'false' } });
    expect(injectConfig(off, {}, at({ 'admission_controller.mutate_unlabelled': true })).skip?.code).toBe('disabled-by-label');
  });

  it('another label value warns and counts as absent (7.49 skipped the pod)', () => {
    const input = makePod({ namespace: 'apps', labels: { [ENABLED]: 'yes' } });
    const r = injectConfig(input, {}, at());
    expect(r.skip).toBeUndefined();
    expect(r.warnings.map((w) => w.message)).toEqual([`invalid label value ${ENABLED}="yes" (expected "true" or "false"): treated as absent`]);
    expect(injectConfig(input, {}, at({}, '7.49')).skip?.code).toBe('invalid-label-value');
  });

  it('inject_config.enabled false: only mutate_unlabelled lets an unlabelled pod through', () => {
    const input = makePod({ namespace: 'apps' });
    expect(injectConfig(input, {}, at({ 'admission_controller.inject_config.enabled': false })).skip?.code).toBe('label-not-enabled');
  });
});

describe('§2 mode resolution', () => {
  it('the csi label wins when csi.enabled', () => {
    const r = injectConfig(userPod({ labels: { ...OPT_IN, 'admission.datadoghq.com/config.mode': 'CSI' } }), {}, at({ 'csi.enabled': true }));
    expect(volumes(r.pod)).toEqual([
      { name: 'datadog-dsd', csi: { driver: 'k8s.csi.datadoghq.com', readOnly: true, volumeAttributes: { type: 'DSDSocketDirectory' } } },
      { name: 'datadog-apm', csi: { driver: 'k8s.csi.datadoghq.com', readOnly: true, volumeAttributes: { type: 'APMSocketDirectory' } } },
    ]);
  });

  it('csi without csi.enabled falls back to socket with a warning, from the label or the global key', () => {
    const viaLabel = injectConfig(userPod({ labels: { ...OPT_IN, 'admission.datadoghq.com/config.mode': 'csi' } }), {}, at());
    const viaKey = injectConfig(userPod(), {}, at({ 'admission_controller.inject_config.mode': 'csi' }));
    for (const r of [viaLabel, viaKey]) {
      expect(r.failure).toBeUndefined();
      expect(r.warnings.map((w) => w.message)).toEqual(['csi mode needs csi.enabled (false): using socket']);
      expect(volumes(r.pod)).toEqual([{ name: 'datadog', hostPath: { path: '/var/run/datadog', type: 'DirectoryOrCreate' } }]);
    }
  });

  it('an invalid label names csi among the choices from 7.65; before, csi is not a mode', () => {
    const r = injectConfig(userPod({ labels: { ...OPT_IN, 'admission.datadoghq.com/config.mode': 'udp' } }), {}, at());
    expect(r.warnings[0]!.message).toBe('invalid label value admission.datadoghq.com/config.mode="udp" (expected hostip, service, socket or csi): using hostip');
    const old = injectConfig(userPod(), {}, at({ 'admission_controller.inject_config.mode': 'csi' }, '7.64'));
    expectFailure(userPod(), old, 'invalid injection mode "csi"');
  });

  it('an unknown global mode injects nothing, not even DD_ENTITY_ID', () => {
    const input = userPod();
    expectFailure(input, injectConfig(input, {}, at({ 'admission_controller.inject_config.mode': 'HostIP' })), 'invalid injection mode "HostIP"');
  });
});

describe('§3.1 socket URLs from socket_path and the socket file names (7.72)', () => {
  const urls = (r: { pod: Pod }) => [envEntry(r.pod, 'app', 'DD_TRACE_AGENT_URL')?.value, envEntry(r.pod, 'app', 'DD_DOGSTATSD_URL')?.value];

  it('defaults: the 7.49 URLs', () => {
    expect(urls(injectConfig(userPod(), {}, socket()))).toEqual(['unix:///var/run/datadog/apm.socket', 'unix:///var/run/datadog/dsd.socket']);
  });

  it('inject_config.trace_agent_socket is no longer read; apm_config.receiver_socket gives the file name', () => {
    const c = socket({ 'admission_controller.inject_config.trace_agent_socket': 'unix:///x/y.sock', 'apm_config.receiver_socket': '/somewhere/trace.sock', dogstatsd_socket: '/a/b/statsd.sock' });
    expect(urls(injectConfig(userPod(), {}, c))).toEqual(['unix:///var/run/datadog/trace.sock', 'unix:///var/run/datadog/statsd.sock']);
  });

  it('different host paths put the sockets in apm/ and dsd/ sub-directories', () => {
    const c = socket({ trace_agent_host_socket_path: '/var/run/datadog-apm' });
    expect(urls(injectConfig(userPod(), {}, c))).toEqual(['unix:///var/run/datadog/apm/apm.socket', 'unix:///var/run/datadog/dsd/dsd.socket']);
  });

  it('csi directories use the sub-directories; socket-type volumes never do', () => {
    expect(urls(injectConfig(userPod(), {}, csi()))).toEqual(['unix:///var/run/datadog/apm/apm.socket', 'unix:///var/run/datadog/dsd/dsd.socket']);
    const typed = { 'admission_controller.inject_config.type_socket_volumes': true, trace_agent_host_socket_path: '/elsewhere' };
    expect(urls(injectConfig(userPod(), {}, csi(typed)))).toEqual(['unix:///var/run/datadog/apm.socket', 'unix:///var/run/datadog/dsd.socket']);
    expect(urls(injectConfig(userPod(), {}, socket(typed)))).toEqual(['unix:///var/run/datadog/apm.socket', 'unix:///var/run/datadog/dsd.socket']);
  });

  it('an empty receiver_socket gives a URL ending in /. (reproduced, not corrected)', () => {
    expect(urls(injectConfig(userPod(), {}, socket({ 'apm_config.receiver_socket': '' })))[0]).toBe('unix:///var/run/datadog/.');
  });

  it('before 7.72 the inject_config URLs are used as written', () => {
    const c = socket({ 'admission_controller.inject_config.trace_agent_socket': 'unix:///x/y.sock' }, '7.71');
    expect(urls(injectConfig(userPod(), {}, c))).toEqual(['unix:///x/y.sock', 'unix:///var/run/datadog/dsd.socket']);
  });
});

describe('§3.2 socket-type volumes (7.58)', () => {
  const typed = { 'admission_controller.inject_config.type_socket_volumes': true };

  it('two Socket hostPath volumes, each mounting one socket file read-only', () => {
    const r = injectConfig(userPod(), {}, socket({ ...typed, dogstatsd_host_socket_path: '/host/dsd' }));
    expect(volumes(r.pod)).toEqual([
      { name: 'datadog-dogstatsd', hostPath: { path: '/host/dsd/dsd.socket', type: 'Socket' } },
      { name: 'datadog-trace-agent', hostPath: { path: '/var/run/datadog/apm.socket', type: 'Socket' } },
    ]);
    expect(mounts(r.pod)).toEqual([
      { name: 'datadog-dogstatsd', mountPath: '/var/run/datadog/dsd.socket', readOnly: true },
      { name: 'datadog-trace-agent', mountPath: '/var/run/datadog/apm.socket', readOnly: true },
    ]);
  });

  it('the pod label says true or false in any case; another value warns and uses the global key', () => {
    const on = injectConfig(userPod({ labels: { ...OPT_IN, 'admission.datadoghq.com/config.type_socket_volumes': 'TRUE' } }), {}, socket());
    expect(volumeNames(on.pod)).toEqual(['datadog-dogstatsd', 'datadog-trace-agent']);
    const off = injectConfig(userPod({ labels: { ...OPT_IN, 'admission.datadoghq.com/config.type_socket_volumes': 'False' } }), {}, socket(typed));
    expect(volumeNames(off.pod)).toEqual(['datadog']);
    const bad = injectConfig(userPod({ labels: { ...OPT_IN, 'admission.datadoghq.com/config.type_socket_volumes': 'Yes' } }), {}, socket());
    expect(bad.warnings.map((w) => w.message)).toEqual([
      'invalid label value admission.datadoghq.com/config.type_socket_volumes="yes" (expected true or false): using admission_controller.inject_config.type_socket_volumes (false)',
    ]);
  });

  it('7.58-7.71: the socket files are the inject_config URLs\' paths, on the host and in the container', () => {
    const r = injectConfig(userPod(), {}, socket({ ...typed, 'admission_controller.inject_config.dogstatsd_socket': 'unix:///run/dd/statsd.sock' }, '7.60'));
    expect(volumes(r.pod)).toEqual([
      { name: 'datadog-dogstatsd', hostPath: { path: '/run/dd/statsd.sock', type: 'Socket' } },
      { name: 'datadog-trace-agent', hostPath: { path: '/var/run/datadog/apm.socket', type: 'Socket' } },
    ]);
    expect(mounts(r.pod)).toEqual([
      { name: 'datadog-dogstatsd', mountPath: '/run/dd/statsd.sock', readOnly: true },
      { name: 'datadog-trace-agent', mountPath: '/var/run/datadog/apm.socket', readOnly: true },
    ]);
  });

  it('7.57 has no socket-type volumes: the key is ignored', () => {
    const r = injectConfig(userPod(), {}, socket(typed, '7.57'));
    expect(volumeNames(r.pod)).toEqual(['datadog']);
  });
});

describe('§3.3 directory volumes', () => {
  it('equal host paths: one volume from dogstatsd_host_socket_path, mounted at socket_path', () => {
    const r = injectConfig(userPod(), {}, socket({ dogstatsd_host_socket_path: '/host/dd', trace_agent_host_socket_path: '/host/dd' }));
    expect(volumes(r.pod)).toEqual([{ name: 'datadog', hostPath: { path: '/host/dd', type: 'DirectoryOrCreate' } }]);
    expect(mounts(r.pod)).toEqual([{ name: 'datadog', mountPath: '/var/run/datadog', readOnly: true }]);
  });

  it('different host paths: datadog-dsd then datadog-apm', () => {
    const r = injectConfig(userPod(), {}, socket({ trace_agent_host_socket_path: '/host/apm' }));
    expect(volumes(r.pod)).toEqual([
      { name: 'datadog-dsd', hostPath: { path: '/var/run/datadog', type: 'DirectoryOrCreate' } },
      { name: 'datadog-apm', hostPath: { path: '/host/apm', type: 'DirectoryOrCreate' } },
    ]);
    expect(mounts(r.pod)).toEqual([
      { name: 'datadog-dsd', mountPath: '/var/run/datadog/dsd', readOnly: true },
      { name: 'datadog-apm', mountPath: '/var/run/datadog/apm', readOnly: true },
    ]);
  });

  it('before 7.72 the hostPath is socket_path itself', () => {
    const r = injectConfig(userPod(), {}, socket({ 'admission_controller.inject_config.socket_path': '/sock' }, '7.71'));
    expect(volumes(r.pod)).toEqual([{ name: 'datadog', hostPath: { path: '/sock', type: 'DirectoryOrCreate' } }]);
  });
});

describe('§3.4 one volume: mounts even when the volume exists (7.68)', () => {
  const existing = { name: 'datadog', hostPath: { path: '/var/run/datadog', type: 'DirectoryOrCreate' } };

  it('7.78: a container added later gets the mount; the volume is not added twice nor marked', () => {
    const input = userPod({ volumes: [existing], initContainers: [{ name: 'init', image: 'i' }] });
    const r = injectConfig(input, {}, socket());
    expect(volumes(r.pod)).toEqual([existing]);
    expect(mounts(r.pod, 'init')).toEqual([{ name: 'datadog', mountPath: '/var/run/datadog', readOnly: true }]);
    expect(r.pod.metadata?.annotations).toBeUndefined();
    expectPatchGivesPod(input, r);
  });

  it('7.67: a volume of that name stops the injection', () => {
    const r = injectConfig(userPod({ volumes: [existing] }), {}, socket({}, '7.67'));
    expect(mounts(r.pod)).toEqual([]);
  });

  it('a container with a mount of that name or path keeps it', () => {
    const own = { name: 'mine', mountPath: '/var/run/datadog' };
    const input = userPod({ containers: [{ name: 'app', image: 'a', volumeMounts: [own] }, { name: 'side', image: 's' }] });
    const r = injectConfig(input, {}, socket());
    expect(mounts(r.pod, 'app')).toEqual([own]);
    expect(mounts(r.pod, 'side')).toEqual([{ name: 'datadog', mountPath: '/var/run/datadog', readOnly: true }]);
  });

  it('no container to mount into: no volume', () => {
    const own = { name: 'datadog', mountPath: '/x' };
    const r = injectConfig(userPod({ containers: [{ name: 'app', image: 'a', volumeMounts: [own] }] }), {}, socket());
    expect(volumes(r.pod)).toEqual([]);
  });
});

describe('§4 csi mode (7.65)', () => {
  it('socket-type CSI volumes: DSDSocket and APMSocket at the socket files', () => {
    const r = injectConfig(userPod(), {}, csi({ 'admission_controller.inject_config.type_socket_volumes': true, 'csi.driver': 'my.csi' }));
    expect(volumes(r.pod)).toEqual([
      { name: 'datadog-dogstatsd', csi: { driver: 'my.csi', readOnly: true, volumeAttributes: { type: 'DSDSocket' } } },
      { name: 'datadog-trace-agent', csi: { driver: 'my.csi', readOnly: true, volumeAttributes: { type: 'APMSocket' } } },
    ]);
    expect(mounts(r.pod)).toEqual([
      { name: 'datadog-dogstatsd', mountPath: '/var/run/datadog/dsd.socket', readOnly: true },
      { name: 'datadog-trace-agent', mountPath: '/var/run/datadog/apm.socket', readOnly: true },
    ]);
  });

  it('directory CSI: always two volumes, mounted at socket_path/dsd and socket_path/apm', () => {
    const r = injectConfig(userPod(), {}, csi());
    expect(mounts(r.pod)).toEqual([
      { name: 'datadog-dsd', mountPath: '/var/run/datadog/dsd', readOnly: true },
      { name: 'datadog-apm', mountPath: '/var/run/datadog/apm', readOnly: true },
    ]);
    expect(r.pod.metadata?.annotations?.[SAFE_TO_EVICT_ANNOTATION]).toBe('datadog-dsd,datadog-apm');
  });

  it('7.65-7.71: one DSDSocketDirectory volume named datadog at socket_path', () => {
    const r = injectConfig(userPod(), {}, csi({}, '7.70'));
    expect(volumes(r.pod)).toEqual([{ name: 'datadog', csi: { driver: 'k8s.csi.datadoghq.com', readOnly: true, volumeAttributes: { type: 'DSDSocketDirectory' } } }]);
    expect(mounts(r.pod)).toEqual([{ name: 'datadog', mountPath: '/var/run/datadog', readOnly: true }]);
  });
});

describe('§5 DD_ENTITY_ID, DD_EXTERNAL_ENV, DD_INTERNAL_POD_UID', () => {
  it('final order in hostip mode, per container and init container', () => {
    const input = userPod({ initContainers: [{ name: 'migrate', image: 'm' }] });
    const r = injectConfig(input, {}, at());
    expect(r.pod.spec!.containers![0]!.env).toEqual([
      podUid,
      externalEnv(false, 'app'),
      { name: 'DD_ENTITY_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'DD_AGENT_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'A', value: 'a' },
    ]);
    expect(envEntry(r.pod, 'migrate', 'DD_EXTERNAL_ENV')).toEqual(externalEnv(true, 'migrate'));
    expectPatchGivesPod(input, r);
  });

  it('final order in socket mode', () => {
    expect(envNames(injectConfig(userPod(), {}, socket()).pod, 'app')).toEqual(['DD_INTERNAL_POD_UID', 'DD_EXTERNAL_ENV', 'DD_ENTITY_ID', 'DD_DOGSTATSD_URL', 'DD_TRACE_AGENT_URL', 'A']);
  });

  it('a user DD_INTERNAL_POD_UID is kept; DD_EXTERNAL_ENV is still added, before it', () => {
    const input = userPod({ containers: [{ name: 'app', image: 'a', env: [{ name: 'DD_INTERNAL_POD_UID', value: 'mine' }] }] });
    expect(injectConfig(input, {}, at()).pod.spec!.containers![0]!.env).toEqual([
      externalEnv(false, 'app'),
      { name: 'DD_ENTITY_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'DD_AGENT_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'DD_INTERNAL_POD_UID', value: 'mine' },
    ]);
  });

  it('7.56 has neither; 7.57 has both', () => {
    expect(envNames(injectConfig(userPod(), {}, at({}, '7.56')).pod, 'app')).toEqual(['DD_ENTITY_ID', 'DD_AGENT_HOST', 'A']);
    expect(envNames(injectConfig(userPod(), {}, at({}, '7.57')).pod, 'app')).toEqual(['DD_INTERNAL_POD_UID', 'DD_EXTERNAL_ENV', 'DD_ENTITY_ID', 'DD_AGENT_HOST', 'A']);
  });
});

describe('§6 safe-to-evict annotation (7.58)', () => {
  it('each volume added is listed; an existing value is kept', () => {
    const plain = injectConfig(userPod(), {}, socket());
    expect(plain.pod.metadata?.annotations).toEqual({ [SAFE_TO_EVICT_ANNOTATION]: 'datadog' });
    const input = userPod({ annotations: { [SAFE_TO_EVICT_ANNOTATION]: 'cache' } });
    const r = injectConfig(input, {}, socket());
    expect(r.pod.metadata?.annotations).toEqual({ [SAFE_TO_EVICT_ANNOTATION]: 'cache,datadog' });
    expectPatchGivesPod(input, r);
  });

  it('a name already listed is not repeated', () => {
    const input = userPod({ annotations: { [SAFE_TO_EVICT_ANNOTATION]: 'datadog,cache' } });
    expect(injectConfig(input, {}, socket()).pod.metadata?.annotations).toEqual({ [SAFE_TO_EVICT_ANNOTATION]: 'datadog,cache' });
  });

  it('7.57 adds no annotation', () => {
    expect(injectConfig(userPod(), {}, socket({}, '7.57')).pod.metadata?.annotations).toBeUndefined();
  });
});

describe('§8 no admission.datadoghq.com/mutated annotation (unconfirmed, spec decision)', () => {
  it('hostip mode adds no annotation at all', () => {
    expect(injectConfig(userPod(), {}, at()).pod.metadata?.annotations).toBeUndefined();
  });
});

describe('§9 injectAgentConfig: the body without the gate, for /injectlib', () => {
  it('mutates an unlabelled pod in kube-system, writing into the caller\'s run', () => {
    const input = makePod({ namespace: 'kube-system' });
    const run = startRun('auto-instrumentation', input);
    expect(injectAgentConfig(run, {}, at())).toBeUndefined();
    const r = done(run);
    expect(envNames(r.pod, 'app')).toEqual(['DD_INTERNAL_POD_UID', 'DD_EXTERNAL_ENV', 'DD_ENTITY_ID', 'DD_AGENT_HOST']);
    expect(r.events.every((e) => e.webhook === 'auto-instrumentation')).toBe(true);
  });

  it('returns the failure of an unknown mode and writes nothing', () => {
    const run = startRun('auto-instrumentation', makePod());
    expect(injectAgentConfig(run, {}, at({ 'admission_controller.inject_config.mode': 'udp' }))).toEqual({ code: 'unknown mode', message: 'invalid injection mode "udp"' });
    expect(run.journal.ops).toEqual([]);
  });
});

describe('a second pass changes nothing (7.78 and releases between)', () => {
  for (const version of ['7.58', '7.65', '7.70', '7.72', V78]) {
    it(`socket, csi and socket-type volumes at ${version}`, () => {
      const configs = [socket({}, version), csi({}, version), socket({ 'admission_controller.inject_config.type_socket_volumes': true, trace_agent_host_socket_path: '/h' }, version)];
      for (const c of configs) {
        const first = injectConfig(userPod({ initContainers: [{ name: 'init', image: 'i' }] }), {}, c);
        const second = injectConfig(first.pod, {}, c);
        expect(second.patch).toEqual([]);
      }
    });
  }
});
