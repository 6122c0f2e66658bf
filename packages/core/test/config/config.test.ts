// Spec conformance: spec/config-keys.md (keys, defaults, env var names, parsing).
import { describe, expect, it } from 'vitest';
import { parseConfig, defaultConfig, CONFIG_KEYS, envNameOf, type AdmissionConfig } from '@dd-admission/core';

type Row = [key: string, type: string, def: unknown, env: string];

// config-keys.md §1 (admission_controller.*), §2 (SSI keys), §3 (other keys), with the spec's literal values.
const SPEC_KEYS: Row[] = [
  ['admission_controller.enabled', 'boolean', false, 'DD_ADMISSION_CONTROLLER_ENABLED'],
  ['admission_controller.mutate_unlabelled', 'boolean', false, 'DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED'],
  ['admission_controller.port', 'integer', 8000, 'DD_ADMISSION_CONTROLLER_PORT'],
  ['admission_controller.timeout_seconds', 'integer', 10, 'DD_ADMISSION_CONTROLLER_TIMEOUT_SECONDS'],
  ['admission_controller.service_name', 'string', 'datadog-admission-controller', 'DD_ADMISSION_CONTROLLER_SERVICE_NAME'],
  ['admission_controller.certificate.validity_bound', 'integer', 8760, 'DD_ADMISSION_CONTROLLER_CERTIFICATE_VALIDITY_BOUND'],
  ['admission_controller.certificate.expiration_threshold', 'integer', 720, 'DD_ADMISSION_CONTROLLER_CERTIFICATE_EXPIRATION_THRESHOLD'],
  ['admission_controller.certificate.secret_name', 'string', 'webhook-certificate', 'DD_ADMISSION_CONTROLLER_CERTIFICATE_SECRET_NAME'],
  ['admission_controller.webhook_name', 'string', 'datadog-webhook', 'DD_ADMISSION_CONTROLLER_WEBHOOK_NAME'],
  ['admission_controller.inject_config.enabled', 'boolean', true, 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_ENABLED'],
  ['admission_controller.inject_config.endpoint', 'string', '/injectconfig', 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_ENDPOINT'],
  ['admission_controller.inject_config.mode', 'string', 'hostip', 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE'],
  ['admission_controller.inject_config.local_service_name', 'string', 'datadog', 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_LOCAL_SERVICE_NAME'],
  ['admission_controller.inject_config.socket_path', 'string', '/var/run/datadog', 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_SOCKET_PATH'],
  ['admission_controller.inject_config.trace_agent_socket', 'string', 'unix:///var/run/datadog/apm.socket', 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_TRACE_AGENT_SOCKET'],
  ['admission_controller.inject_config.dogstatsd_socket', 'string', 'unix:///var/run/datadog/dsd.socket', 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_DOGSTATSD_SOCKET'],
  ['admission_controller.inject_tags.enabled', 'boolean', true, 'DD_ADMISSION_CONTROLLER_INJECT_TAGS_ENABLED'],
  ['admission_controller.inject_tags.endpoint', 'string', '/injecttags', 'DD_ADMISSION_CONTROLLER_INJECT_TAGS_ENDPOINT'],
  ['admission_controller.pod_owners_cache_validity', 'integer', 10, 'DD_ADMISSION_CONTROLLER_POD_OWNERS_CACHE_VALIDITY'],
  ['admission_controller.namespace_selector_fallback', 'boolean', false, 'DD_ADMISSION_CONTROLLER_NAMESPACE_SELECTOR_FALLBACK'],
  ['admission_controller.failure_policy', 'string', 'Ignore', 'DD_ADMISSION_CONTROLLER_FAILURE_POLICY'],
  ['admission_controller.reinvocation_policy', 'string', 'IfNeeded', 'DD_ADMISSION_CONTROLLER_REINVOCATION_POLICY'],
  ['admission_controller.add_aks_selectors', 'boolean', false, 'DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS'],
  ['admission_controller.auto_instrumentation.enabled', 'boolean', true, 'DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_ENABLED'],
  ['admission_controller.auto_instrumentation.endpoint', 'string', '/injectlib', 'DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_ENDPOINT'],
  ['admission_controller.auto_instrumentation.container_registry', 'string', 'gcr.io/datadoghq', 'DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_CONTAINER_REGISTRY'],
  ['admission_controller.auto_instrumentation.patcher.enabled', 'boolean', false, 'DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_PATCHER_ENABLED'],
  ['admission_controller.auto_instrumentation.patcher.fallback_to_file_provider', 'boolean', false, 'DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_PATCHER_FALLBACK_TO_FILE_PROVIDER'],
  ['admission_controller.auto_instrumentation.patcher.file_provider_path', 'string', '/etc/datadog-agent/patch/auto-instru.json', 'DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_PATCHER_FILE_PROVIDER_PATH'],
  ['admission_controller.auto_instrumentation.init_resources.cpu', 'string', undefined, 'DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_INIT_RESOURCES_CPU'],
  ['admission_controller.auto_instrumentation.init_resources.memory', 'string', undefined, 'DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_INIT_RESOURCES_MEMORY'],
  ['admission_controller.auto_instrumentation.inject_all.namespaces', 'list', [], 'DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_INJECT_ALL_NAMESPACES'],
  ['apm_config.instrumentation.enabled', 'boolean', false, 'DD_APM_INSTRUMENTATION_ENABLED'],
  ['apm_config.instrumentation.enabled_namespaces', 'list', [], 'DD_APM_INSTRUMENTATION_ENABLED_NAMESPACES'],
  ['apm_config.instrumentation.disabled_namespaces', 'list', [], 'DD_APM_INSTRUMENTATION_DISABLED_NAMESPACES'],
  ['apm_config.instrumentation.lib_versions', 'map', {}, 'DD_APM_INSTRUMENTATION_LIB_VERSIONS'],
  ['kube_resources_namespace', 'string', '', 'DD_KUBE_RESOURCES_NAMESPACE'],
  ['kubernetes_informers_resync_period', 'integer', 300, 'DD_KUBERNETES_INFORMERS_RESYNC_PERIOD'],
  ['cluster_agent.allow_legacy_tls', 'boolean', false, 'DD_CLUSTER_AGENT_ALLOW_LEGACY_TLS'],
];

function get(config: AdmissionConfig, key: string): unknown {
  return key.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown> | undefined)?.[k], config);
}

function ok(values: unknown, origin = 'test') {
  const r = parseConfig({ origin, values }, { agentVersion: '7.49' });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

function errors(values: unknown) {
  const r = parseConfig({ origin: 'test', values }, { agentVersion: '7.49' });
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.errors;
}

describe('config-keys.md: every key, its default and its env var (CONFIG_KEYS)', () => {
  for (const [key, type, def, env] of SPEC_KEYS) {
    it(`${key}: ${type}, default ${JSON.stringify(def) ?? 'unset'}, ${env}`, () => {
      const info = CONFIG_KEYS.find((k) => k.key === key);
      expect(info, key).toBeDefined();
      expect(info!.env).toBe(env);
      expect(info!.type).toBe(type);
      expect(info!.default).toEqual(def);
      expect(envNameOf(key)).toBe(env);
      expect(get(defaultConfig('7.49'), key)).toEqual(def);
    });
  }

  it('no inject_config.inject_container_name-style key in this era', () => {
    expect(CONFIG_KEYS.some((k) => k.key.includes('container_name'))).toBe(false);
  });
});

describe('config-keys.md: env var names', () => {
  it('DD_ + upper-cased key with . replaced by _ (admission_controller.add_aks_selectors → DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS)', () => {
    expect(envNameOf('admission_controller.add_aks_selectors')).toBe('DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS');
    expect(ok({ DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS: 'true' }).config.admission_controller.add_aks_selectors).toBe(true);
  });

  it('every DD_ name sets its key', () => {
    const samples: Record<string, [string, unknown]> = {
      DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE: ['socket', 'socket'],
      DD_ADMISSION_CONTROLLER_PORT: ['8443', 8443],
      DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED: ['true', true],
      DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_INIT_RESOURCES_CPU: ['100m', '100m'],
      DD_KUBE_RESOURCES_NAMESPACE: ['datadog', 'datadog'],
      DD_CLUSTER_AGENT_ALLOW_LEGACY_TLS: ['1', true],
    };
    const env = Object.fromEntries(Object.entries(samples).map(([k, [v]]) => [k, v]));
    const c = ok(env, 'environment').config;
    for (const [name, [, expected]] of Object.entries(samples)) {
      const key = SPEC_KEYS.find((r) => r[3] === name)![0];
      expect(get(c, key), name).toEqual(expected);
    }
  });

  it('apm_config.instrumentation.* use their declared names DD_APM_INSTRUMENTATION_*', () => {
    const c = ok({
      DD_APM_INSTRUMENTATION_ENABLED: 'true',
      DD_APM_INSTRUMENTATION_ENABLED_NAMESPACES: 'apps web',
      DD_APM_INSTRUMENTATION_DISABLED_NAMESPACES: '',
      DD_APM_INSTRUMENTATION_LIB_VERSIONS: '{"java":"v1.20.0","python":"v1.18.0"}',
    }).config;
    expect(c.apm_config.instrumentation).toEqual({
      enabled: true,
      enabled_namespaces: ['apps', 'web'],
      disabled_namespaces: [],
      lib_versions: { java: 'v1.20.0', python: 'v1.18.0' },
      injector_image_tag: '0',
      injection_mode: 'auto',
      targets: [],
    });
  });

  it('the DD_APM_CONFIG_INSTRUMENTATION_* form is not the declared name and does not set the key', () => {
    expect(envNameOf('apm_config.instrumentation.enabled')).not.toBe('DD_APM_CONFIG_INSTRUMENTATION_ENABLED');
    const r = parseConfig({ origin: 'env', values: { DD_APM_CONFIG_INSTRUMENTATION_ENABLED: 'true' } }, { agentVersion: '7.49' });
    expect(r.ok && r.config.apm_config.instrumentation.enabled).toBe(false);
  });
});

describe('config-keys.md: values from strings', () => {
  it('lists from env strings are split on whitespace', () => {
    const c = ok({
      DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_INJECT_ALL_NAMESPACES: 'legacy  batch\tjobs\nold',
      DD_APM_INSTRUMENTATION_DISABLED_NAMESPACES: ' kube-public ',
    }).config;
    expect(c.admission_controller.auto_instrumentation.inject_all.namespaces).toEqual(['legacy', 'batch', 'jobs', 'old']);
    expect(c.apm_config.instrumentation.disabled_namespaces).toEqual(['kube-public']);
  });

  it('lists from env strings may be JSON arrays', () => {
    const c = ok({ DD_APM_INSTRUMENTATION_ENABLED_NAMESPACES: '["apps","web"]' }).config;
    expect(c.apm_config.instrumentation.enabled_namespaces).toEqual(['apps', 'web']);
  });

  it('an empty list string gives []', () => {
    expect(ok({ DD_APM_INSTRUMENTATION_ENABLED_NAMESPACES: '' }).config.apm_config.instrumentation.enabled_namespaces).toEqual([]);
  });

  it('bool strings: 1, t, T, TRUE, true, True / 0, f, F, FALSE, false, False', () => {
    for (const s of ['1', 't', 'T', 'TRUE', 'true', 'True']) {
      expect(ok({ DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED: s }).config.admission_controller.mutate_unlabelled, s).toBe(true);
    }
    for (const s of ['0', 'f', 'F', 'FALSE', 'false', 'False']) {
      expect(ok({ DD_ADMISSION_CONTROLLER_INJECT_CONFIG_ENABLED: s }).config.admission_controller.inject_config.enabled, s).toBe(false);
    }
  });

  it('integer strings are coerced', () => {
    const c = ok({ DD_ADMISSION_CONTROLLER_TIMEOUT_SECONDS: '15', DD_ADMISSION_CONTROLLER_POD_OWNERS_CACHE_VALIDITY: '30' }).config;
    expect(c.admission_controller.timeout_seconds).toBe(15);
    expect(c.admission_controller.pod_owners_cache_validity).toBe(30);
  });

  it('native YAML types work as well', () => {
    const c = ok({ admission_controller: { port: 9000, mutate_unlabelled: true, auto_instrumentation: { inject_all: { namespaces: ['a'] } } } }).config;
    expect(c.admission_controller.port).toBe(9000);
    expect(c.admission_controller.mutate_unlabelled).toBe(true);
    expect(c.admission_controller.auto_instrumentation.inject_all.namespaces).toEqual(['a']);
  });

  it('inject_config.mode is kept as written (no lower-casing, no parse error: the webhook fails later)', () => {
    const r = ok({ DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE: 'HostIP' });
    expect(r.config.admission_controller.inject_config.mode).toBe('HostIP');
    expect(r.warnings.some((w) => w.key === 'admission_controller.inject_config.mode')).toBe(true);
  });

  it('failure_policy / reinvocation_policy are case-insensitive and never a parse error (unknown → warning)', () => {
    const r = ok({ admission_controller: { failure_policy: 'fail', reinvocation_policy: 'never' } });
    expect(r.config.admission_controller.failure_policy.toLowerCase()).toBe('fail');
    const w = ok({ admission_controller: { failure_policy: 'sometimes' } });
    expect(w.warnings.some((x) => x.key === 'admission_controller.failure_policy')).toBe(true);
  });
});

describe('config-keys.md: nested and dotted keys, source order', () => {
  it('nested datadog.yaml keys', () => {
    expect(ok({ admission_controller: { inject_config: { mode: 'socket' } } }).config.admission_controller.inject_config.mode).toBe('socket');
  });

  it('dotted keys (top level or inside a section)', () => {
    expect(ok({ 'admission_controller.inject_config.mode': 'service' }).config.admission_controller.inject_config.mode).toBe('service');
    expect(ok({ admission_controller: { 'inject_config.mode': 'socket' } }).config.admission_controller.inject_config.mode).toBe('socket');
  });

  it('later sources override earlier ones', () => {
    const yaml = { origin: 'datadog.yaml', values: { admission_controller: { inject_config: { mode: 'socket' } } } };
    const env = { origin: 'environment', values: { DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE: 'service' } };
    const a = parseConfig([yaml, env], { agentVersion: '7.49' });
    const b = parseConfig([env, yaml], { agentVersion: '7.49' });
    expect(a.ok && a.config.admission_controller.inject_config.mode).toBe('service');
    expect(b.ok && b.config.admission_controller.inject_config.mode).toBe('socket');
  });

  it('keys not set keep their defaults', () => {
    const c = ok({ admission_controller: { inject_config: { mode: 'socket' } } }).config;
    expect(c.admission_controller.inject_config.socket_path).toBe('/var/run/datadog');
    expect(c.admission_controller.port).toBe(8000);
  });
});

describe('config-keys.md: errors and warnings', () => {
  it('a bad integer → error naming the key', () => {
    expect(errors({ DD_ADMISSION_CONTROLLER_PORT: 'eighty' }).map((e) => e.key)).toContain('admission_controller.port');
    expect(errors({ admission_controller: { timeout_seconds: 1.5 } }).map((e) => e.key)).toContain('admission_controller.timeout_seconds');
  });

  it('a bad bool → error naming the key', () => {
    expect(errors({ DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED: 'yes' }).map((e) => e.key)).toContain('admission_controller.mutate_unlabelled');
    expect(errors({ apm_config: { instrumentation: { enabled: 'maybe' } } }).map((e) => e.key)).toContain('apm_config.instrumentation.enabled');
  });

  it('a bad list or map → error naming the key', () => {
    expect(errors({ apm_config: { instrumentation: { enabled_namespaces: { a: 1 } } } }).map((e) => e.key)).toContain('apm_config.instrumentation.enabled_namespaces');
    expect(errors({ apm_config: { instrumentation: { lib_versions: ['java'] } } }).map((e) => e.key)).toContain('apm_config.instrumentation.lib_versions');
  });

  it('the error names where the value was set', () => {
    const r = parseConfig({ origin: 'environment', values: { DD_ADMISSION_CONTROLLER_PORT: 'x' } }, { agentVersion: '7.49' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.origin).toContain('environment');
  });

  it('unknown key → warning with a "did you mean" suggestion', () => {
    const r = ok({ admission_controller: { mutate_unlabeled: true } });
    const w = r.warnings.find((x) => x.key === 'admission_controller.mutate_unlabeled');
    expect(w).toBeDefined();
    expect(w!.message).toContain('did you mean admission_controller.mutate_unlabelled');
    expect(r.config.admission_controller.mutate_unlabelled).toBe(false);
  });

  it('unknown DD_ env name → warning with a "did you mean" suggestion', () => {
    const r = ok({ DD_ADMISSION_CONTROLLER_MUTATE_UNLABELED: 'true' });
    const w = r.warnings.find((x) => x.key === 'DD_ADMISSION_CONTROLLER_MUTATE_UNLABELED');
    expect(w).toBeDefined();
    expect(w!.message).toContain('did you mean DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED');
  });

  it('unknown key in the SSI section → warning with a suggestion', () => {
    const r = ok({ apm_config: { instrumentation: { enabled_namespace: ['apps'] } } });
    expect(r.warnings.find((x) => x.key === 'apm_config.instrumentation.enabled_namespace')?.message).toContain('did you mean apm_config.instrumentation.enabled_namespaces');
  });
});

describe('agent config library leniencies', () => {
  it('log_level is case-insensitive: INFO is info', () => {
    const r = parseConfig({ origin: '--set', values: { log_level: 'INFO' } }, { agentVersion: '7.49' });
    expect(r.ok && r.config.log_level).toBe('info');
  });

  it('an empty DD_* variable counts as unset (the default stays)', () => {
    const r = parseConfig({ origin: 'environment', values: { DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED: '', DD_ADMISSION_CONTROLLER_PORT: '' } }, { agentVersion: '7.49' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.admission_controller.mutate_unlabelled).toBe(false);
    expect(r.config.admission_controller.port).toBe(8000);
    expect(r.origins['admission_controller.port']).toBe('default');
  });
});

describe('list items and map values are read as strings, as the agent does (review finding)', () => {
  it('enabled_namespaces: [2024] names the namespace "2024"; lib_versions: {java: 1} pins "1"', () => {
    const r = parseConfig({ origin: 'datadog.yaml', values: { apm_config: { instrumentation: { enabled_namespaces: [2024], lib_versions: { java: 1 } } } } }, { agentVersion: '7.49' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.apm_config.instrumentation.enabled_namespaces).toEqual(['2024']);
    expect(r.config.apm_config.instrumentation.lib_versions).toEqual({ java: '1' });
  });

  it('a JSON array in an env var is read the same way', () => {
    const r = parseConfig({ origin: 'environment', values: { DD_APM_INSTRUMENTATION_ENABLED_NAMESPACES: '["a", 7]' } }, { agentVersion: '7.49' });
    expect(r.ok && r.config.apm_config.instrumentation.enabled_namespaces).toEqual(['a', '7']);
  });
});
