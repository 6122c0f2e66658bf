// Spec conformance: spec/datadogagent-crd.md (§1 precedence, §2 defaults, §3 field -> env tables,
// §4 the mode decision, §6 providers). Every row of §4's table is one test.
import { describe, expect, it } from 'vitest';
import { configFromDatadogAgent, type SurfaceConfig, type SurfaceConfigResult } from '@dd-admission/core';

// These tests state 7.49 facts: they pin the release instead of taking the one the files deploy.
const AT_7_49 = { version: '7.49', origin: 'test' };

function ok(result: SurfaceConfigResult): SurfaceConfig {
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.key}: ${e.message}`).join('\n'));
  return result;
}
type Obj = Record<string, unknown>;
const dda = (spec: Obj = {}, metadata: Obj = {}) => ({
  apiVersion: 'datadoghq.com/v2alpha1',
  kind: 'DatadogAgent',
  metadata: { name: 'datadog', namespace: 'datadog', ...metadata },
  spec,
});
const derive = (spec: Obj = {}, metadata: Obj = {}, options = {}) => ok(configFromDatadogAgent(dda(spec, metadata), { agentVersion: AT_7_49, ...options }));
const env = (s: SurfaceConfig) => Object.fromEntries(s.env.map((e) => [e.name, e.value]));
const MODE = 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE';
const MODE_KEY = 'admission_controller.inject_config.mode';
const features = (f: Obj) => ({ features: f });
const udsOff = { unixDomainSocketConfig: { enabled: false } };
const AUTOPILOT = { annotations: { 'agent.datadoghq.com/cluster-provider': 'gke-autopilot' } };

describe('§4 DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE (one test per row of the table)', () => {
  it('empty spec (all defaults) -> socket (APM and DogStatsD UDS default on)', () => {
    const s = derive();
    expect(env(s)[MODE]).toBe('socket');
    expect(s.config.admission_controller.inject_config.mode).toBe('socket');
    expect(s.origins[MODE_KEY]).toContain('spec.features.dogstatsd.unixDomainSocketConfig.enabled (default true)');
  });
  it('apm.enabled: false -> still socket (DogStatsD UDS default on)', () => {
    expect(env(derive(features({ apm: { enabled: false } })))[MODE]).toBe('socket');
  });
  it('apm.unixDomainSocketConfig.enabled: false only -> still socket (DogStatsD UDS)', () => {
    const s = derive(features({ apm: udsOff }));
    expect(env(s)[MODE]).toBe('socket');
    expect(s.origins[MODE_KEY]).toBe('spec.features.dogstatsd.unixDomainSocketConfig.enabled (default true)');
  });
  it('APM UDS off and dogstatsd.unixDomainSocketConfig.enabled: false -> not set: the Cluster Agent default hostip (regardless of hostPortConfig)', () => {
    for (const apm of [udsOff, { ...udsOff, hostPortConfig: { enabled: true } }]) {
      const s = derive(features({ apm, dogstatsd: udsOff }));
      expect(env(s)).not.toHaveProperty(MODE);
      expect(s.config.admission_controller.inject_config.mode).toBe('hostip');
      expect(s.origins[MODE_KEY]).toBe('default (the Operator sets no mode: the APM and DogStatsD Unix sockets are off)');
    }
  });
  it('apm.hostPortConfig.enabled: true with UDS on -> socket (host ports are not consulted), with a warning', () => {
    const s = derive(features({ apm: { hostPortConfig: { enabled: true } } }));
    expect(env(s)[MODE]).toBe('socket');
    expect(s.warnings.map((w) => w.key)).toContain('spec.features.apm.hostPortConfig.enabled');
  });
  it('Autopilot annotation -> hostip', () => {
    const s = derive({}, AUTOPILOT);
    expect(env(s)[MODE]).toBe('hostip');
    expect(s.origins[MODE_KEY]).toContain('metadata.annotations[agent.datadoghq.com/cluster-provider]');
    expect(env(derive({}, { annotations: { 'experimental.agent.datadoghq.com/autopilot': 'True' } }))[MODE]).toBe('hostip');
  });
  it('service: never chosen automatically, only via agentCommunicationMode: service (verbatim, first)', () => {
    const s = derive(features({ admissionController: { agentCommunicationMode: 'service' } }), AUTOPILOT);
    expect(env(s)[MODE]).toBe('service');
    expect(s.origins[MODE_KEY]).toBe('spec.features.admissionController.agentCommunicationMode');
  });
  it('csi: never chosen automatically; given explicitly it is passed on (7.49 does not know it: warnings)', () => {
    const s = derive(features({ admissionController: { agentCommunicationMode: 'csi' } }));
    expect(env(s)[MODE]).toBe('csi');
    expect(s.warnings.map((w) => w.key)).toEqual(expect.arrayContaining(['spec.features.admissionController.agentCommunicationMode', MODE_KEY]));
  });
});

describe('§2 / §3 the env of the cluster-agent container with an empty spec', () => {
  const s = derive();
  it('sets the Admission Controller variables with the Operator defaults', () => {
    expect(env(s)).toMatchObject({
      DD_ADMISSION_CONTROLLER_ENABLED: 'true',
      DD_ADMISSION_CONTROLLER_VALIDATION_ENABLED: 'true',
      DD_ADMISSION_CONTROLLER_MUTATION_ENABLED: 'true',
      DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED: 'false',
      DD_ADMISSION_CONTROLLER_SERVICE_NAME: 'datadog-admission-controller',
      DD_ADMISSION_CONTROLLER_INJECT_CONFIG_LOCAL_SERVICE_NAME: 'datadog-agent',
      DD_ADMISSION_CONTROLLER_WEBHOOK_NAME: 'datadog-webhook',
      DD_ADMISSION_CONTROLLER_CONTAINER_REGISTRY: 'registry.datadoghq.com',
      DD_ADMISSION_CONTROLLER_PROBE_ENABLED: 'true',
      DD_ADMISSION_CONTROLLER_PROBE_INTERVAL: '60',
      DD_ADMISSION_CONTROLLER_PROBE_GRACE_PERIOD: '60',
      DD_TRACE_AGENT_HOST_SOCKET_PATH: '/var/run/datadog',
      DD_APM_RECEIVER_SOCKET: '/var/run/datadog/apm.socket',
      DD_DOGSTATSD_HOST_SOCKET_PATH: '/var/run/datadog',
      DD_DOGSTATSD_SOCKET: '/var/run/datadog/dsd.socket',
      DD_SITE: 'datadoghq.com',
      DD_LOG_LEVEL: 'info',
      DD_KUBE_RESOURCES_NAMESPACE: 'datadog',
      DD_CLUSTER_AGENT_KUBERNETES_SERVICE_NAME: 'datadog-cluster-agent',
    });
    // No port field (the Operator hard-codes 8000), no failure policy unless set, no AKS selectors by default.
    for (const absent of ['DD_ADMISSION_CONTROLLER_PORT', 'DD_ADMISSION_CONTROLLER_FAILURE_POLICY', 'DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS', 'DD_CSI_ENABLED']) {
      expect(env(s)).not.toHaveProperty(absent);
    }
  });
  it('gives the 7.49 configuration these values, each naming its field', () => {
    const ac = s.config.admission_controller;
    expect([ac.enabled, ac.service_name, ac.inject_config.local_service_name, ac.port]).toEqual([true, 'datadog-admission-controller', 'datadog-agent', 8000]);
    expect(s.origins['admission_controller.service_name']).toBe('spec.features.admissionController.serviceName (default datadog-admission-controller)');
    expect(s.origins['admission_controller.port']).toBe('default (the Operator has no port field; its Service targets 8000)');
    expect(s.origins['admission_controller.enabled']).toBe('spec.features.admissionController.enabled (default true)');
    expect(s.config.kube_resources_namespace).toBe('datadog');
  });
  it('fields set by the user are named without a default', () => {
    const t = derive({ global: { localService: { nameOverride: 'node-agent' } }, features: { admissionController: { mutateUnlabelled: true, failurePolicy: 'Fail', webhookName: 'dd-hook' } } });
    expect(env(t)).toMatchObject({
      DD_ADMISSION_CONTROLLER_INJECT_CONFIG_LOCAL_SERVICE_NAME: 'node-agent',
      DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED: 'true',
      DD_ADMISSION_CONTROLLER_FAILURE_POLICY: 'Fail',
      DD_ADMISSION_CONTROLLER_WEBHOOK_NAME: 'dd-hook',
    });
    expect(t.origins['admission_controller.mutate_unlabelled']).toBe('spec.features.admissionController.mutateUnlabelled');
    expect(t.origins['admission_controller.inject_config.local_service_name']).toBe('spec.global.localService.nameOverride');
  });
  it('enabled: false emits no Admission Controller variable', () => {
    const t = derive(features({ admissionController: { enabled: false } }));
    expect(Object.keys(env(t)).filter((n) => n.startsWith('DD_ADMISSION_CONTROLLER_'))).toEqual([]);
    expect(t.config.admission_controller.enabled).toBe(false);
  });
});

describe('§2 / §6 registry', () => {
  const registry = (spec: Obj, metadata: Obj = {}) => env(derive(spec, metadata)).DD_ADMISSION_CONTROLLER_CONTAINER_REGISTRY;
  it('admissionController.registry, else spec.global.registry (defaulted)', () => {
    expect(registry(features({ admissionController: { registry: 'mirror.example' } }))).toBe('mirror.example');
    expect(registry({ global: { registry: 'docker.io/datadog' } })).toBe('docker.io/datadog');
    expect(registry({ global: { site: 'ddog-gov.com' } })).toBe('public.ecr.aws/datadog');
  });
  it('Autopilot forces the global registry to gcr.io/datadoghq unless it is a GCR variant; an explicit AC registry stays', () => {
    expect(registry({}, AUTOPILOT)).toBe('gcr.io/datadoghq');
    expect(registry({ global: { registry: 'eu.gcr.io/datadoghq' } }, AUTOPILOT)).toBe('eu.gcr.io/datadoghq');
    expect(registry({ global: { registry: 'docker.io/datadog' } }, AUTOPILOT)).toBe('gcr.io/datadoghq');
    expect(registry(features({ admissionController: { registry: 'mirror.example' } }), AUTOPILOT)).toBe('mirror.example');
  });
});

describe('§3.2 / §6 sockets and providers', () => {
  it('the socket variables are the host file path and its directory', () => {
    const e = env(derive(features({ apm: { unixDomainSocketConfig: { path: '/run/dd/trace.sock' } } })));
    expect(e).toMatchObject({ DD_TRACE_AGENT_HOST_SOCKET_PATH: '/run/dd', DD_APM_RECEIVER_SOCKET: '/run/dd/trace.sock' });
  });
  it('Autopilot: no socket variables, DD_CLOUD_PROVIDER_METADATA ["gcp"]', () => {
    const e = env(derive({}, AUTOPILOT));
    expect(e.DD_CLOUD_PROVIDER_METADATA).toBe('["gcp"]');
    expect(Object.keys(e).filter((n) => n.includes('SOCKET'))).toEqual([]);
  });
  it('provider aks (annotation, or auto-detected) -> DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS "true"', () => {
    const declared = derive({}, { annotations: { 'agent.datadoghq.com/cluster-provider': 'aks' } });
    expect(env(declared).DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS).toBe('true');
    expect(declared.config.admission_controller.add_aks_selectors).toBe(true);
    const detected = derive({}, {}, { distribution: 'aks' });
    expect(detected.origins['admission_controller.add_aks_selectors']).toContain('auto-detected by the Operator 1.29+');
    expect(derive({}, {}, { distribution: 'eks' }).config.admission_controller.add_aks_selectors).toBe(false);
  });
  it('the sidecar: registry and image default to the global registry, agent and the bundled version', () => {
    const e = env(derive(features({ admissionController: { agentSidecarInjection: { enabled: true, provider: 'fargate' } } })));
    expect(e).toMatchObject({
      DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_ENABLED: 'true',
      DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_CLUSTER_AGENT_ENABLED: 'true',
      DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_PROVIDER: 'fargate',
      DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_CONTAINER_REGISTRY: 'registry.datadoghq.com',
      DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_IMAGE_NAME: 'agent',
      DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_IMAGE_TAG: '7.81.1',
    });
    const node = env(derive({ features: { admissionController: { agentSidecarInjection: { enabled: true } } }, override: { nodeAgent: { image: { name: 'custom-agent' } } } }));
    expect(node.DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_IMAGE_NAME).toBe('custom-agent');
    // An image block without a tag suppresses the variable.
    expect(node).not.toHaveProperty('DD_ADMISSION_CONTROLLER_AGENT_SIDECAR_IMAGE_TAG');
  });
  it('SSI: the instrumentation fields reach apm_config.instrumentation', () => {
    const s = derive(features({ apm: { instrumentation: { enabled: true, enabledNamespaces: ['shop'], libVersions: { java: 'v1' } } } }));
    expect(s.config.apm_config.instrumentation).toEqual({ enabled: true, enabled_namespaces: ['shop'], disabled_namespaces: [], lib_versions: { java: 'v1' }, injector_image_tag: '0', injection_mode: 'auto', targets: [] });
  });
});

describe('§1 precedence: override > feature > global > built-in', () => {
  it('a feature overwrites the same variable in spec.global.env', () => {
    const s = derive({ global: { env: [{ name: MODE, value: 'hostip' }] } });
    expect(env(s)[MODE]).toBe('socket');
    expect(s.env.find((e) => e.name === MODE)?.origin).toMatch(/overrides spec\.global\.env\[0\]\)$/);
  });
  it('spec.global.env sets what no feature sets', () => {
    expect(derive({ global: { env: [{ name: 'DD_ADMISSION_CONTROLLER_TIMEOUT_SECONDS', value: '5' }] } }).config.admission_controller.timeout_seconds).toBe(5);
  });
  it('spec.override.clusterAgent env (component, then the cluster-agent container) is final', () => {
    const s = derive({
      override: {
        clusterAgent: {
          env: [{ name: MODE, value: 'service' }],
          containers: { 'cluster-agent': { env: [{ name: MODE, value: 'hostip' }], logLevel: 'debug' } },
        },
      },
      global: { logLevel: 'warn' },
    });
    expect(s.config.admission_controller.inject_config.mode).toBe('hostip');
    expect(s.origins[MODE_KEY]).toMatch(/^spec\.override\.clusterAgent\.containers\.cluster-agent\.env\[0\]/);
    expect(s.config.log_level).toBe('debug');
  });
  it('the documented manual AKS selectors through the override env', () => {
    const s = derive({ override: { clusterAgent: { containers: { 'cluster-agent': { env: [{ name: 'DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS', value: 'true' }] } } } } });
    expect(s.config.admission_controller.add_aks_selectors).toBe(true);
  });
  it('a port set through an override is a warning: the Service and policy target 8000', () => {
    const s = derive({ override: { clusterAgent: { env: [{ name: 'DD_ADMISSION_CONTROLLER_PORT', value: '9000' }] } } });
    expect(s.warnings.find((w) => w.key === 'spec.override.clusterAgent.env[0]')?.message).toContain('target 8000');
  });
  it('valueFrom entries cannot be read offline: a warning', () => {
    const s = derive({ override: { clusterAgent: { env: [{ name: MODE, valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] } } });
    expect(s.warnings[0]?.key).toBe('spec.override.clusterAgent.env[0]');
    expect(env(s)[MODE]).toBe('socket');
  });
});

describe('invalid resources: errors naming the field', () => {
  const errors = (resource: unknown) => {
    const r = configFromDatadogAgent(resource, { source: 'dda.yaml', agentVersion: AT_7_49 });
    if (r.ok) throw new Error('expected errors');
    return r.errors.map((e) => `${e.origin}: ${e.key}: ${e.message}`);
  };
  it('kind, apiVersion, name', () => {
    expect(errors({ ...dda(), apiVersion: 'datadoghq.com/v1alpha1' })).toEqual(['dda.yaml: apiVersion: expected datadoghq.com/v2alpha1, got "datadoghq.com/v1alpha1"']);
    expect(errors({ ...dda(), kind: 'Deployment' })).toEqual(['dda.yaml: kind: expected DatadogAgent, got "Deployment"']);
    expect(errors({ ...dda(), metadata: {} })[0]).toContain('dda.yaml: metadata.name: required');
    expect(errors('DatadogAgent')).toEqual(['dda.yaml: (root): expected a DatadogAgent resource (a map), got "DatadogAgent"']);
  });
  it('wrong types', () => {
    expect(errors(dda(features({ admissionController: { mutateUnlabelled: 'yes' } })))).toEqual([
      'dda.yaml: spec.features.admissionController.mutateUnlabelled: expected a boolean (true or false), got "yes"',
    ]);
    expect(errors(dda({ global: { env: [{ name: 'X', value: 1 }] } }))).toEqual(['dda.yaml: spec.global.env[0].value: expected a string, got 1']);
  });
  it('enabledNamespaces and disabledNamespaces together: the Operator refuses the spec', () => {
    expect(errors(dda(features({ apm: { instrumentation: { enabled: true, enabledNamespaces: ['a'], disabledNamespaces: ['b'] } } })))[0]).toContain(
      'spec.features.apm.instrumentation: enabledNamespaces and disabledNamespaces cannot both be set',
    );
  });
  it('namespace: the resource namespace, else the option, else default', () => {
    expect(ok(configFromDatadogAgent({ ...dda(), metadata: { name: 'dd' } }, { namespace: 'ops', agentVersion: AT_7_49 })).deployment).toMatchObject({ namespace: 'ops' });
    expect(ok(configFromDatadogAgent({ ...dda(), metadata: { name: 'dd' } }, { agentVersion: AT_7_49 })).deployment).toMatchObject({ namespace: 'default' });
  });
});
