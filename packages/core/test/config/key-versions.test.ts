// Keys that only some releases read (config-injection-7.78.md §10, lib-injection-7.78.md §2.1).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CONFIG_KEYS, KEY_VERSIONS, keyReleases, parseConfig, defaultConfig, injectionModes, unreadKeyReason, parseAgentVersion } from '@dd-admission/core';

const parse = (values: Record<string, unknown>, agentVersion: string) => {
  const r = parseConfig({ origin: 'datadog.yaml', values }, { agentVersion });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
};
const messagesFor = (key: string, values: Record<string, unknown>, version: string) =>
  parse(values, version).warnings.filter((w) => w.key === key).map((w) => `${w.origin}: ${w.message}`);

describe('KEY_VERSIONS', () => {
  it('names only keys of the schema', () => {
    const known = new Set(CONFIG_KEYS.map((k) => k.key));
    for (const key of Object.keys(KEY_VERSIONS)) expect(known.has(key), key).toBe(true);
  });

  it('docs form of each lifetime', () => {
    expect(keyReleases('csi.enabled')).toBe('7.65+');
    expect(keyReleases('admission_controller.inject_config.trace_agent_socket')).toBe('before 7.72');
    expect(keyReleases('admission_controller.port')).toBe('all');
  });
});

describe('a key set for a release that does not read it is a warning naming both releases', () => {
  it('a 7.65 key under 7.49', () => {
    expect(messagesFor('csi.enabled', { csi: { enabled: true } }, '7.49')).toEqual(['datadog.yaml: only read since Cluster Agent 7.65: 7.49 ignores it']);
  });

  it('a key retired in 7.72, under 7.78', () => {
    expect(messagesFor('admission_controller.inject_config.trace_agent_socket', { 'admission_controller.inject_config.trace_agent_socket': 'unix:///x.sock' }, '7.78')).toEqual([
      'datadog.yaml: no longer read since Cluster Agent 7.72: 7.78 ignores it',
    ]);
  });

  it('by env var, the origin names the variable', () => {
    expect(messagesFor('dogstatsd_host_socket_path', { DD_DOGSTATSD_HOST_SOCKET_PATH: '/run/dd' }, '7.60')).toEqual([
      'datadog.yaml (DD_DOGSTATSD_HOST_SOCKET_PATH): only read since Cluster Agent 7.72: 7.60 ignores it',
    ]);
  });

  it('no warning where the release reads the key, nor for keys left at their default', () => {
    expect(messagesFor('csi.enabled', { csi: { enabled: true } }, '7.65')).toEqual([]);
    expect(messagesFor('admission_controller.inject_config.trace_agent_socket', { 'admission_controller.inject_config.trace_agent_socket': 'unix:///x.sock' }, '7.71.9')).toEqual([]);
    expect(parse({}, '7.49').warnings).toEqual([]);
    expect(parse({}, '7.78').warnings).toEqual([]);
  });

  it('every lifetime key: warned about exactly on the releases that do not read it (interpolation)', () => {
    const version = fc.tuple(fc.integer({ min: 49, max: 78 }), fc.integer({ min: 0, max: 3 })).map(([minor, patch]) => `7.${minor}.${patch}`);
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(KEY_VERSIONS)), version, (key, v) => {
        const info = CONFIG_KEYS.find((k) => k.key === key)!;
        const warned = messagesFor(key, { [key]: info.default }, v).length > 0;
        expect(warned).toBe(unreadKeyReason(key, parseAgentVersion(v)) !== undefined);
      }),
    );
  });
});

describe('defaults that depend on the release', () => {
  it('7.78: the library registry falls back to admission_controller.container_registry when unset', () => {
    const r = parse({ admission_controller: { container_registry: 'registry.example.com' } }, '7.78');
    expect(r.config.admission_controller.auto_instrumentation.container_registry).toBe('registry.example.com');
    expect(r.origins['admission_controller.auto_instrumentation.container_registry']).toBe('admission_controller.container_registry (datadog.yaml)');
    expect(defaultConfig('7.78').admission_controller.auto_instrumentation.container_registry).toBe('gcr.io/datadoghq');
  });

  it('7.78: a library registry that is set wins over the global one', () => {
    const r = parse({ admission_controller: { container_registry: 'a.example.com', auto_instrumentation: { container_registry: 'b.example.com' } } }, '7.78');
    expect(r.config.admission_controller.auto_instrumentation.container_registry).toBe('b.example.com');
  });

  it('7.49: the global registry is not read', () => {
    const r = parse({ admission_controller: { container_registry: 'registry.example.com' } }, '7.49');
    expect(r.config.admission_controller.auto_instrumentation.container_registry).toBe('gcr.io/datadoghq');
    expect(r.warnings.map((w) => w.message)).toEqual(['only read since Cluster Agent 7.53: 7.49 ignores it']);
  });
});

describe('version-aware semantic warnings', () => {
  it('csi is a mode since 7.65', () => {
    expect(injectionModes(parseAgentVersion('7.49'))).toEqual(['hostip', 'service', 'socket']);
    expect(injectionModes(parseAgentVersion('7.65'))).toEqual(['hostip', 'service', 'socket', 'csi']);
    expect(messagesFor('admission_controller.inject_config.mode', { 'admission_controller.inject_config.mode': 'csi' }, '7.78')).toEqual([]);
    expect(messagesFor('admission_controller.inject_config.mode', { 'admission_controller.inject_config.mode': 'csi' }, '7.49')).toEqual([
      'datadog.yaml: "csi" is not one of hostip, service, socket (case-sensitive): the config webhook will fail on every pod and inject nothing',
    ]);
  });

  it('the inject_all.namespaces deprecation names the release', () => {
    const [message] = messagesFor('admission_controller.auto_instrumentation.inject_all.namespaces', { 'admission_controller.auto_instrumentation.inject_all.namespaces': ['a'] }, '7.78');
    expect(message).toContain('ignored by the 7.78 cluster agent');
  });
});
