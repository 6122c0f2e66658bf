// Spec conformance: spec/helm-values.md (§1 names, §2 rendering, §3 value -> env tables, §4 the
// configMode decision order, §5 providers). Every row of §4's table is one test.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { configFromHelmValues, layerConfig, type SurfaceConfig, type SurfaceConfigResult } from '@dd-admission/core';
import { helmValuesArbitrary } from '@dd-admission/testing';

// These tests state 7.49 facts: they pin the release instead of taking the one the files deploy.
const AT_7_49 = { version: '7.49', origin: 'test' };

function ok(result: SurfaceConfigResult): SurfaceConfig {
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.key}: ${e.message}`).join('\n'));
  return result;
}
const helm = (values: unknown, options = {}) => ok(configFromHelmValues(values, { agentVersion: AT_7_49, ...options }));
const env = (s: SurfaceConfig) => Object.fromEntries(s.env.map((e) => [e.name, e.value]));
const origin = (s: SurfaceConfig, name: string) => s.env.find((e) => e.name === name)?.origin;
const MODE = 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE';
const mode = (values: unknown) => {
  const s = helm(values);
  // The env the chart renders and the config the Cluster Agent reads from it agree.
  expect(s.config.admission_controller.inject_config.mode).toBe(env(s)[MODE]);
  return env(s)[MODE];
};
const apm = (a: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ ...rest, datadog: { apm: a, ...(rest.datadog as object) } });

describe('§4 DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE, first match wins (one test per row of the table)', () => {
  it('chart defaults (apm.socketEnabled: true) -> socket, named by its default', () => {
    const s = helm({});
    expect(env(s)[MODE]).toBe('socket');
    expect(s.origins['admission_controller.inject_config.mode']).toBe('datadog.apm.socketEnabled (default true)');
  });
  it('apm.socketEnabled: true + apm.portEnabled: true -> socket (UDS wins)', () => {
    expect(mode(apm({ socketEnabled: true, portEnabled: true }))).toBe('socket');
  });
  it('apm.socketEnabled: false + apm.portEnabled: true -> hostip', () => {
    expect(mode(apm({ socketEnabled: false, portEnabled: true }))).toBe('hostip');
  });
  it('apm.socketEnabled: false, apm.useLocalService: true -> service', () => {
    const s = helm(apm({ socketEnabled: false, useLocalService: true }));
    expect(env(s)[MODE]).toBe('service');
    expect(origin(s, MODE)).toBe('datadog.apm.useLocalService');
  });
  it('apm.socketEnabled: true, apm.useLocalService: true -> socket, with the NOTES advice', () => {
    const s = helm(apm({ socketEnabled: true, useLocalService: true }));
    expect(env(s)[MODE]).toBe('socket');
    expect(s.warnings.map((w) => w.key)).toContain('datadog.apm.useLocalService');
  });
  it('socketEnabled, portEnabled, useLocalService all false -> socket (step 5), not the hostip the values comment claims', () => {
    const s = helm(apm({ socketEnabled: false, portEnabled: false, useLocalService: false }));
    expect(env(s)[MODE]).toBe('socket');
    expect(origin(s, MODE)).toContain('chart fallback');
  });
  it('legacy apm.enabled: true, socketEnabled: false -> hostip', () => {
    expect(mode(apm({ enabled: true, socketEnabled: false }))).toBe('hostip');
  });
  it('providers.gke.autopilot: true (no CSI) -> hostip regardless of APM settings', () => {
    expect(mode({ providers: { gke: { autopilot: true } } })).toBe('hostip');
    expect(mode(apm({ socketEnabled: true, useSocketVolume: true }, { providers: { gke: { autopilot: true } } }))).toBe('hostip');
    expect(mode(apm({ socketEnabled: false, useLocalService: true }, { providers: { gke: { autopilot: true } } }))).toBe('hostip');
  });
  it('providers.gke.autopilot + datadog.csi.enabled + socketEnabled -> socket', () => {
    expect(mode({ providers: { gke: { autopilot: true } }, datadog: { csi: { enabled: true }, apm: { socketEnabled: true } } })).toBe('socket');
  });
  it('providers.gke.gdc: true -> socket (step 5) unless portEnabled / useLocalService', () => {
    const gdc = { providers: { gke: { gdc: true } } };
    expect(mode(gdc)).toBe('socket');
    expect(mode(apm({ portEnabled: true }, gdc))).toBe('hostip');
    expect(mode(apm({ useLocalService: true }, gdc))).toBe('service');
  });
  it('targetSystem: windows -> socket (step 5) unless portEnabled / useLocalService', () => {
    expect(mode({ targetSystem: 'windows' })).toBe('socket');
    expect(mode(apm({ portEnabled: true }, { targetSystem: 'windows' }))).toBe('hostip');
    expect(mode(apm({ useLocalService: true }, { targetSystem: 'windows' }))).toBe('service');
  });
  it('OpenShift: no special case -> socket by default', () => {
    const s = helm({ agents: { podSecurity: { securityContextConstraints: { create: true } } }, clusterAgent: { podSecurity: { securityContextConstraints: { create: true } } } });
    expect(env(s)[MODE]).toBe('socket');
    expect(s.deployment.surface === 'helm' && s.deployment.distributions).toEqual(['openshift']);
  });
});

describe('§4 the decision steps', () => {
  it('step 1: clusterAgent.admissionController.configMode is used verbatim, even when invalid', () => {
    const s = helm({ clusterAgent: { admissionController: { configMode: 'HostIP' } }, providers: { gke: { autopilot: true } } });
    expect(env(s)[MODE]).toBe('HostIP');
    expect(s.origins['admission_controller.inject_config.mode']).toBe('clusterAgent.admissionController.configMode');
    expect(s.warnings.find((w) => w.key === 'admission_controller.inject_config.mode')?.message).toContain('"HostIP" is not one of hostip, service, socket');
    expect(mode({ clusterAgent: { admissionController: { configMode: 'service' } } })).toBe('service');
  });
  it('step 2: datadog.apm.useSocketVolume counts as an APM socket', () => {
    expect(mode(apm({ socketEnabled: false, useSocketVolume: true }))).toBe('socket');
  });
  it('values that do not influence the mode: DogStatsD socket/host port, useHostNetwork, AKS', () => {
    const base = apm({ socketEnabled: false, portEnabled: true });
    expect(mode({ ...base, clusterAgent: { useHostNetwork: true }, providers: { aks: { enabled: true } } })).toBe('hostip');
    expect(mode(apm({ socketEnabled: false, portEnabled: true }, { datadog: { dogstatsd: { useSocketVolume: true, useHostPort: true } } }))).toBe('hostip');
  });
  it('a value set to null is unset (Helm deletes the default) and is named so', () => {
    const s = helm(apm({ socketEnabled: null }));
    expect(env(s)[MODE]).toBe('socket');
    expect(origin(s, MODE)).toContain('datadog.apm.socketEnabled (null: unset)');
  });
});

describe('§3.1 / §3.2 the env of the cluster-agent container with default values', () => {
  const s = helm({});
  it('renders the Admission Controller block with the values.yaml defaults', () => {
    expect(env(s)).toMatchObject({
      DD_ADMISSION_CONTROLLER_ENABLED: 'true',
      DD_ADMISSION_CONTROLLER_VALIDATION_ENABLED: 'true',
      DD_ADMISSION_CONTROLLER_MUTATION_ENABLED: 'true',
      DD_ADMISSION_CONTROLLER_WEBHOOK_NAME: 'datadog-webhook',
      DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED: 'false',
      DD_ADMISSION_CONTROLLER_SERVICE_NAME: 'datadog-cluster-agent-admission-controller',
      DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE: 'socket',
      DD_ADMISSION_CONTROLLER_INJECT_CONFIG_LOCAL_SERVICE_NAME: 'datadog',
      DD_ADMISSION_CONTROLLER_FAILURE_POLICY: 'Ignore',
      DD_ADMISSION_CONTROLLER_PORT: '8000',
      DD_ADMISSION_CONTROLLER_CONTAINER_REGISTRY: 'registry.datadoghq.com',
      DD_TRACE_AGENT_HOST_SOCKET_PATH: '/var/run/datadog',
      DD_DOGSTATSD_HOST_SOCKET_PATH: '/var/run/datadog',
      DD_DOGSTATSD_SOCKET: '/var/run/datadog/dsd.socket',
      DD_APM_RECEIVER_SOCKET: '/var/run/datadog/apm.socket',
      DD_CSI_ENABLED: 'false',
      DD_LOG_LEVEL: 'INFO',
      DD_KUBE_RESOURCES_NAMESPACE: 'default',
    });
    for (const absent of ['DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS', 'DD_ADMISSION_CONTROLLER_PROBE_ENABLED', 'DD_SITE', 'DD_APM_INSTRUMENTATION_ENABLED', 'DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_PATCHER_ENABLED']) {
      expect(env(s)).not.toHaveProperty(absent);
    }
  });
  it('gives the 7.49 configuration these values, each naming its Helm value', () => {
    const ac = s.config.admission_controller;
    expect([ac.enabled, ac.mutate_unlabelled, ac.port, ac.webhook_name, ac.failure_policy]).toEqual([true, false, 8000, 'datadog-webhook', 'Ignore']);
    expect(ac.service_name).toBe('datadog-cluster-agent-admission-controller');
    expect(ac.inject_config.local_service_name).toBe('datadog');
    expect(s.config.log_level).toBe('info');
    expect(s.origins['admission_controller.enabled']).toBe('clusterAgent.admissionController.enabled (default true)');
    expect(s.origins['admission_controller.port']).toBe('clusterAgent.admissionController.port (default 8000)');
    expect(s.origins['admission_controller.timeout_seconds']).toBe('default');
  });
  it('applies the registry to library injection (later agents fall back to it) and says so', () => {
    expect(s.config.admission_controller.auto_instrumentation.container_registry).toBe('registry.datadoghq.com');
    expect(s.origins['admission_controller.auto_instrumentation.container_registry']).toContain('via DD_ADMISSION_CONTROLLER_CONTAINER_REGISTRY');
  });
  it('lists what the 7.49 Cluster Agent does not read', () => {
    expect(s.unread.map((u) => u.name)).toEqual(
      expect.arrayContaining(['DD_ADMISSION_CONTROLLER_VALIDATION_ENABLED', 'DD_ADMISSION_CONTROLLER_MUTATION_ENABLED', 'DD_TRACE_AGENT_HOST_SOCKET_PATH', 'DD_APM_RECEIVER_SOCKET', 'DD_CSI_ENABLED']),
    );
    expect(s.unread.map((u) => u.name)).not.toContain('DD_ADMISSION_CONTROLLER_CONTAINER_REGISTRY');
  });
});

describe('§1 names', () => {
  const names = (values: unknown, release: string) => {
    const e = env(helm(values, { release }));
    return [e.DD_ADMISSION_CONTROLLER_SERVICE_NAME, e.DD_ADMISSION_CONTROLLER_INJECT_CONFIG_LOCAL_SERVICE_NAME];
  };
  it('release datadog -> fullname datadog; monitoring -> monitoring-datadog; a release containing the name is the fullname', () => {
    expect(names({}, 'datadog')).toEqual(['datadog-cluster-agent-admission-controller', 'datadog']);
    expect(names({}, 'monitoring')).toEqual(['monitoring-datadog-cluster-agent-admission-controller', 'monitoring-datadog']);
    expect(names({}, 'my-datadog-prod')).toEqual(['my-datadog-prod-cluster-agent-admission-controller', 'my-datadog-prod']);
  });
  it('nameOverride, fullnameOverride and agents.localService.overrideName', () => {
    expect(names({ nameOverride: 'dd' }, 'monitoring')).toEqual(['monitoring-dd-cluster-agent-admission-controller', 'monitoring-dd']);
    expect(names({ fullnameOverride: 'obs' }, 'monitoring')).toEqual(['obs-cluster-agent-admission-controller', 'obs']);
    expect(names({ agents: { localService: { overrideName: 'node-agent' } } }, 'datadog')).toEqual(['datadog-cluster-agent-admission-controller', 'node-agent']);
  });
  it('cuts the fullname to 63 characters and drops a trailing "-", then appends the suffix (no guard)', () => {
    const long = 'a'.repeat(62) + '-b';
    const [service] = names({ fullnameOverride: long }, 'datadog');
    expect(service).toBe('a'.repeat(62) + '-cluster-agent-admission-controller');
  });
  it('DD_KUBE_RESOURCES_NAMESPACE is the release namespace', () => {
    const s = helm({}, { namespace: 'datadog' });
    expect(env(s).DD_KUBE_RESOURCES_NAMESPACE).toBe('datadog');
    expect(s.config.kube_resources_namespace).toBe('datadog');
  });
});

describe('§3.5 registry helper (DD_ADMISSION_CONTROLLER_CONTAINER_REGISTRY)', () => {
  const registry = (values: unknown) => env(helm(values)).DD_ADMISSION_CONTROLLER_CONTAINER_REGISTRY;
  const site = (s: string, rest: Record<string, unknown> = {}) => ({ ...rest, datadog: { site: s } });
  it.each([
    ['clusterAgent.admissionController.containerRegistry wins', { clusterAgent: { admissionController: { containerRegistry: 'mirror.example/dd' } }, registry: 'r.example' }, 'mirror.example/dd'],
    ['1. registry', { registry: 'r.example' }, 'r.example'],
    ['2. site ddog-gov.com', site('ddog-gov.com'), 'public.ecr.aws/datadog'],
    ['3. site us3.datadoghq.com', site('us3.datadoghq.com'), 'datadoghq.azurecr.io'],
    ['3. us3 on Autopilot: not Azure, not migrated', site('us3.datadoghq.com', { providers: { gke: { autopilot: true } } }), 'gcr.io/datadoghq'],
    ['4. registryMigrationMode auto (default)', {}, 'registry.datadoghq.com'],
    ['4. registryMigrationMode all', { registryMigrationMode: 'all', ...site('datadoghq.eu') }, 'registry.datadoghq.com'],
    ['5. no migration, site datadoghq.eu', { registryMigrationMode: '', ...site('datadoghq.eu') }, 'eu.gcr.io/datadoghq'],
    ['5. no migration, site ap1.datadoghq.com', { registryMigrationMode: '', ...site('ap1.datadoghq.com') }, 'asia.gcr.io/datadoghq'],
    ['5. no migration, any other site', { registryMigrationMode: '' }, 'gcr.io/datadoghq'],
    ['Autopilot: a gcr.io variant', { providers: { gke: { autopilot: true } } }, 'gcr.io/datadoghq'],
    ['Autopilot on datadoghq.eu', site('datadoghq.eu', { providers: { gke: { autopilot: true } } }), 'eu.gcr.io/datadoghq'],
    ['GDC: not migrated', { providers: { gke: { gdc: true } } }, 'gcr.io/datadoghq'],
  ])('%s', (_, values, expected) => {
    expect(registry(values)).toBe(expected);
  });
  it('rendered even with the Admission Controller disabled', () => {
    expect(registry({ clusterAgent: { admissionController: { enabled: false } } })).toBe('registry.datadoghq.com');
  });
  it('any other registryMigrationMode fails the render, naming the value', () => {
    const r = configFromHelmValues({ registryMigrationMode: 'sometimes' }, { agentVersion: AT_7_49 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0]).toMatchObject({ key: 'registryMigrationMode', message: expect.stringContaining('"sometimes"') });
  });
});

describe('§3 / §5 other values', () => {
  it('providers.aks.enabled -> DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS "true" -> add_aks_selectors', () => {
    const s = helm({ providers: { aks: { enabled: true } } });
    expect(env(s).DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS).toBe('true');
    expect(s.config.admission_controller.add_aks_selectors).toBe(true);
    expect(s.origins['admission_controller.add_aks_selectors']).toBe('providers.aks.enabled');
  });
  it('providers.gke.autopilot -> DD_CLOUD_PROVIDER_METADATA ["gcp"]', () => {
    expect(env(helm({ providers: { gke: { autopilot: true } } })).DD_CLOUD_PROVIDER_METADATA).toBe('["gcp"]');
  });
  it('clusterAgent.admissionController.enabled: false renders no admission block; the registry, CSI and SSI-side variables remain', () => {
    const s = helm({ clusterAgent: { admissionController: { enabled: false, remoteInstrumentation: { enabled: true } } } });
    expect(Object.keys(env(s)).filter((n) => n.startsWith('DD_ADMISSION_CONTROLLER_'))).toEqual([
      'DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_PATCHER_ENABLED',
      'DD_ADMISSION_CONTROLLER_CONTAINER_REGISTRY',
    ]);
    expect(env(s).DD_CSI_ENABLED).toBe('false');
    expect(s.config.admission_controller.enabled).toBe(false);
    expect(s.origins['admission_controller.enabled']).toContain('clusterAgent.admissionController.enabled: false');
  });
  it('no Cluster Agent (clusterAgent.enabled false or existingClusterAgent.join): no env, admission off, a warning', () => {
    for (const values of [{ clusterAgent: { enabled: false } }, { existingClusterAgent: { join: true } }]) {
      const s = helm(values);
      expect(s.env).toEqual([]);
      expect(s.config.admission_controller.enabled).toBe(false);
      expect(s.warnings[0]?.message).toContain('no Cluster Agent');
    }
  });
  it('probe.enabled renders the probe trio', () => {
    expect(env(helm({ clusterAgent: { admissionController: { probe: { enabled: true } } } }))).toMatchObject({
      DD_ADMISSION_CONTROLLER_PROBE_ENABLED: 'true',
      DD_ADMISSION_CONTROLLER_PROBE_INTERVAL: '60',
      DD_ADMISSION_CONTROLLER_PROBE_GRACE_PERIOD: '60',
    });
  });
  it('remoteInstrumentation -> the patcher, and Remote Configuration (not on GDC)', () => {
    const s = helm({ clusterAgent: { admissionController: { remoteInstrumentation: { enabled: true } } } });
    expect(env(s)).toMatchObject({ DD_ADMISSION_CONTROLLER_AUTO_INSTRUMENTATION_PATCHER_ENABLED: 'true', DD_REMOTE_CONFIGURATION_ENABLED: 'true' });
    expect(s.config.admission_controller.auto_instrumentation.patcher.enabled).toBe(true);
    expect(env(helm({ clusterAgent: { admissionController: { remoteInstrumentation: { enabled: true } } }, providers: { gke: { gdc: true } } }))).not.toHaveProperty('DD_REMOTE_CONFIGURATION_ENABLED');
  });
  it('socket paths are rendered whenever non-empty, whatever socketEnabled says', () => {
    const e = env(helm({ datadog: { apm: { socketEnabled: false, portEnabled: true, hostSocketPath: '/run/dd', socketPath: '/run/dd/trace.sock' } } }));
    expect(e).toMatchObject({ DD_TRACE_AGENT_HOST_SOCKET_PATH: '/run/dd', DD_APM_RECEIVER_SOCKET: '/run/dd/trace.sock' });
  });
  it('a custom host socket path in socket mode is a warning (7.49 mounts /var/run/datadog)', () => {
    const s = helm({ datadog: { apm: { hostSocketPath: '/run/dd' } } });
    expect(s.warnings.find((w) => w.key === 'datadog.apm.hostSocketPath')?.message).toContain('honoured from 7.72');
  });
  it('agent sidecar injection (§3.3): image from agents.image, TLS and selectors when set', () => {
    const e = env(helm({ clusterAgent: { admissionController: { agentSidecarInjection: { enabled: true, provider: 'fargate', selectors: [{ objectSelector: { matchLabels: { a: 'b' } } }] } } } }));
    expect(e).toMatchObject({
      DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_ENABLED: 'true',
      DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_CLUSTER_AGENT_ENABLED: 'true',
      DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_PROVIDER: 'fargate',
      DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_IMAGE_NAME: 'agent',
      DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_IMAGE_TAG: '7.81.1',
      DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_SELECTORS: '[{"objectSelector":{"matchLabels":{"a":"b"}}}]',
    });
    expect(e).not.toHaveProperty('DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_CONTAINER_REGISTRY');
  });
  it('Single Step Instrumentation (§3.4) reaches apm_config.instrumentation', () => {
    const s = helm({ datadog: { apm: { instrumentation: { enabled: true, disabledNamespaces: ['kube-system'], libVersions: { java: 'v1' } } } } });
    expect(env(s)).toMatchObject({
      DD_APM_INSTRUMENTATION_ENABLED: 'true',
      DD_APM_INSTRUMENTATION_DISABLED_NAMESPACES: '["kube-system"]',
      DD_APM_INSTRUMENTATION_LIB_VERSIONS: '{"java":"v1"}',
      DD_LANGUAGE_DETECTION_ENABLED: 'true',
    });
    expect(s.config.apm_config.instrumentation).toEqual({ enabled: true, enabled_namespaces: [], disabled_namespaces: ['kube-system'], lib_versions: { java: 'v1' }, injector_image_tag: '0', injection_mode: 'auto', targets: [] });
  });
});

describe('§2 user env: clusterAgent.env then envDict, last, so they win', () => {
  it('a user entry overrides the chart variable of the same name, and the origin says so', () => {
    const s = helm({ clusterAgent: { env: [{ name: MODE, value: 'hostip' }], envDict: { DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED: true } } });
    expect(env(s)[MODE]).toBe('hostip');
    expect(s.config.admission_controller.inject_config.mode).toBe('hostip');
    expect(s.origins['admission_controller.inject_config.mode']).toBe('clusterAgent.env[0] (overrides datadog.apm.socketEnabled (default true))');
    expect(s.config.admission_controller.mutate_unlabelled).toBe(true);
    expect(origin(s, 'DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED')).toMatch(/^clusterAgent\.envDict\.DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED/);
  });
  it('envDict is rendered in key order (Go ranges over a map sorted), after env', () => {
    const s = helm({ clusterAgent: { env: [{ name: 'DD_Z', value: '1' }], envDict: { DD_B: '2', DD_A: '3' } } });
    expect(s.env.slice(-3).map((e) => e.name)).toEqual(['DD_Z', 'DD_A', 'DD_B']);
  });
  it('an unquoted false value is rendered without a value (the template turns false-y values into valueFrom): a warning', () => {
    const s = helm({ clusterAgent: { env: [{ name: 'DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS', value: false }] } });
    expect(s.warnings[0]).toMatchObject({ key: 'clusterAgent.env[0].value', message: expect.stringContaining('quote it ("false")') });
    expect(s.config.admission_controller.add_aks_selectors).toBe(false);
  });
  it('a valueFrom entry cannot be read offline: a warning, and the chart value stays', () => {
    const s = helm({ clusterAgent: { env: [{ name: MODE, valueFrom: { configMapKeyRef: { name: 'x', key: 'y' } } }] } });
    expect(s.warnings[0]?.key).toBe('clusterAgent.env[0]');
    expect(env(s)[MODE]).toBe('socket');
  });
});

describe('invalid values: an error naming the value, or the chart refusing to render', () => {
  const errors = (values: unknown) => {
    const r = configFromHelmValues(values, { source: 'values.yaml', agentVersion: AT_7_49 });
    if (r.ok) throw new Error('expected errors');
    return r.errors.map((e) => `${e.origin}: ${e.key}: ${e.message}`);
  };
  it('wrong types', () => {
    expect(errors({ datadog: { apm: { socketEnabled: 'yes' } } })).toEqual(['values.yaml: datadog.apm.socketEnabled: expected a boolean (true or false), got "yes"']);
    expect(errors({ clusterAgent: { admissionController: { port: 'http' } } })).toEqual(['values.yaml: clusterAgent.admissionController.port: expected a port number, got "http"']);
    expect(errors({ clusterAgent: { admissionController: { port: 70000 } } })).toEqual(['values.yaml: clusterAgent.admissionController.port: expected a port number between 1 and 65535']);
    expect(errors({ clusterAgent: { env: [{ value: 'x' }] } })).toEqual(['values.yaml: clusterAgent.env[0].name: expected the variable name as a string, got nothing']);
    expect(errors({ providers: 'gke' })).toEqual(['values.yaml: providers: expected a map, got "gke"']);
    expect(errors(['a'])).toEqual(['values.yaml: (root): expected the Helm values as a map, got ["a"]']);
  });
  it('accepts what the chart quotes anyway: numbers for strings, digits for the port', () => {
    const s = helm({ clusterAgent: { admissionController: { port: '9000', webhookName: 42 } } });
    expect([s.config.admission_controller.port, s.config.admission_controller.webhook_name]).toEqual([9000, '42']);
  });
  it('render failures of the chart', () => {
    expect(errors({ datadog: { apm: { instrumentation: { enabled: true } } }, clusterAgent: { admissionController: { enabled: false } } })[0]).toContain('datadog.apm.instrumentation.enabled: the chart refuses to render');
    expect(errors({ datadog: { apm: { instrumentation: { injectionMode: 'csi' } } } })[0]).toContain('datadog.apm.instrumentation.injectionMode: the chart refuses to render');
    expect(errors({ datadog: { clusterName: 'Prod_Cluster' } })[0]).toContain('datadog.clusterName: the chart refuses to render "Prod_Cluster"');
  });
  it('a bad value in the user env is a config error naming the env entry', () => {
    const r = configFromHelmValues({ clusterAgent: { env: [{ name: 'DD_ADMISSION_CONTROLLER_PORT', value: 'abc' }] } }, { agentVersion: AT_7_49 });
    expect(!r.ok && r.errors[0]).toMatchObject({ key: 'admission_controller.port', origin: 'clusterAgent.env[0] (overrides clusterAgent.admissionController.port (default 8000))' });
  });
  it('an unknown log level is named by datadog.logLevel', () => {
    const r = configFromHelmValues({ datadog: { logLevel: 'verbose' } }, { agentVersion: AT_7_49 });
    expect(!r.ok && r.errors[0]).toMatchObject({ key: 'log_level', origin: 'datadog.logLevel' });
  });
});

describe('layering --config / --set over the values', () => {
  it('later sources win and are named', () => {
    const s = helm({});
    const layered = ok(layerConfig(s, [{ origin: '--set', values: { 'admission_controller.inject_config.mode': 'hostip' } }]));
    expect(layered.config.admission_controller.inject_config.mode).toBe('hostip');
    expect(layered.origins['admission_controller.inject_config.mode']).toBe('--set');
    expect(layered.origins['admission_controller.port']).toBe('clusterAgent.admissionController.port (default 8000)');
  });
});

describe('property: any Helm values object yields a valid config or errors naming the value', () => {
  it('holds', () => {
    fc.assert(
      fc.property(helmValuesArbitrary, (values) => {
        const r = configFromHelmValues(values, { source: 'values.yaml', agentVersion: AT_7_49 });
        if (r.ok) {
          // The configuration is what the rendered env says (an absent or empty mode variable leaves the default hostip).
          const rendered = r.env.find((e) => e.name === MODE)?.value;
          expect(r.config.admission_controller.inject_config.mode).toBe(rendered || 'hostip');
          for (const [key, where] of Object.entries(r.origins)) expect(where, key).not.toBe('');
          return;
        }
        expect(r.errors.length).toBeGreaterThan(0);
        for (const e of r.errors) {
          // The value path (or, for a value the Cluster Agent refuses, the Helm value in the origin) exists in the input.
          const path = e.origin === 'values.yaml' ? e.key : e.origin;
          expect(path).toMatch(/^(\(root\)|[A-Za-z_][\w.[\]-]*)/);
          expect(pathExists(values, path.split(' ')[0]!) || path === '(root)', `${path} in ${JSON.stringify(values)}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// Whether the map holding the last part of `a.b[0].c` is something the user wrote (the last part itself may be the missing value).
function pathExists(root: unknown, path: string): boolean {
  const parts = path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '');
  let node: unknown = root;
  for (const part of parts.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[part];
  }
  return node !== null && typeof node === 'object';
}
