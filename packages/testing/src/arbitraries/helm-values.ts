import fc from 'fast-check';

// Helm values as users write them for the `datadog` chart: the values that
// decide the Admission Controller's configuration (spec/helm-values.md), mostly
// well-typed, sometimes not (a quoted boolean, a port name, null to unset a
// default, a section replaced by a scalar), plus values the derivation ignores.

/** A Helm values object. */
export type HelmValuesObject = Record<string, unknown>;

const record = <T extends Record<string, fc.Arbitrary<unknown>>>(model: T) => fc.record(model, { requiredKeys: [] });

/** Mostly `good`, sometimes one of `bad` (a wrong type, or null to unset the chart default). */
const mostly = <T>(good: fc.Arbitrary<T>, ...bad: unknown[]) =>
  fc.oneof({ weight: 60, arbitrary: good as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: fc.constantFrom(null, ...bad) });

const flag = () => mostly(fc.boolean(), 'yes', 'true', 1);
/** One of `values`, or rarely a wrong type or one of `refused` (well-typed values the chart or the agent refuses). */
const text = (values: readonly string[], refused: readonly string[] = []) => mostly(fc.constantFrom(...values), 42, true, ['x'], ...refused);
const enabled = () => record({ enabled: flag() });

const namespaces = fc.uniqueArray(fc.constantFrom('default', 'shop', 'kube-system', 'payments'), { maxLength: 2 });

const ENV_NAMES = [
  'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE',
  'DD_ADMISSION_CONTROLLER_PORT',
  'DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED',
  'DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS',
  'DD_ADMISSION_CONTROLLER_CONTAINER_REGISTRY',
  'DD_LOG_LEVEL',
  'DD_APM_INSTRUMENTATION_ENABLED_NAMESPACES',
  'DD_OTHER_SETTING',
] as const;

const envValue = fc.constantFrom('hostip', 'socket', '9000', 'abc', 'true', 'false', 'debug', '["shop"]', false, true, 1, '');
const envEntry = fc.oneof(
  { weight: 6, arbitrary: fc.record({ name: fc.constantFrom(...ENV_NAMES), value: envValue }) },
  { weight: 1, arbitrary: fc.record({ name: fc.constantFrom(...ENV_NAMES), valueFrom: fc.constant({ secretKeyRef: { name: 's', key: 'k' } }) }) },
  { weight: 1, arbitrary: fc.constantFrom({ value: 'nameless' }, 'NAME=value') },
);

const apm = record({
  socketEnabled: flag(),
  portEnabled: flag(),
  enabled: flag(),
  useLocalService: flag(),
  useSocketVolume: flag(),
  hostSocketPath: text(['/var/run/datadog', '/run/dd']),
  socketPath: text(['/var/run/datadog/apm.socket', '/run/dd/apm.sock']),
  instrumentation: record({
    enabled: flag(),
    enabledNamespaces: mostly(namespaces, 'shop'),
    disabledNamespaces: mostly(namespaces, 'shop'),
    libVersions: mostly(fc.constantFrom({}, { java: 'v1' }, { python: 'v2', js: 'v5' }), ['java']),
    injectionMode: text(['', 'init_container'], ['csi']),
  }),
});

const datadog = record({
  site: text(['datadoghq.com', 'datadoghq.eu', 'us3.datadoghq.com', 'ap1.datadoghq.com', 'ddog-gov.com']),
  logLevel: text(['INFO', 'debug', 'WARN'], ['verbose']),
  clusterName: text(['prod', 'eu-west.prod'], ['Prod_Cluster']),
  csi: enabled(),
  apm,
  dogstatsd: record({ hostSocketPath: text(['/var/run/datadog', '/run/dsd']), socketPath: text(['/var/run/datadog/dsd.socket']), useSocketVolume: flag() }),
  networkPolicy: record({ create: flag(), flavor: text(['kubernetes', 'cilium', 'calico']) }),
});

const admissionController = record({
  enabled: flag(),
  configMode: text(['hostip', 'service', 'socket', 'csi', 'HostIP', '']),
  mutateUnlabelled: flag(),
  port: mostly(fc.constantFrom(8000, 9443, '8000'), 0, 'http', 70000),
  failurePolicy: text(['Ignore', 'Fail', 'sometimes']),
  webhookName: text(['datadog-webhook', 'dd']),
  containerRegistry: text(['mirror.example/datadog']),
  probe: record({ enabled: flag(), interval: mostly(fc.nat(300), -1) }),
  remoteInstrumentation: enabled(),
  kubernetesAdmissionEvents: enabled(),
  cwsInstrumentation: record({ enabled: flag(), mode: text(['remote_copy', 'init_container']) }),
  agentSidecarInjection: record({ enabled: flag(), provider: text(['fargate']), selectors: mostly(fc.constantFrom([], [{ objectSelector: { matchLabels: { a: 'b' } } }]), 'all') }),
});

const clusterAgent = record({
  enabled: flag(),
  useHostNetwork: flag(),
  podLabels: mostly(fc.constantFrom({}, { team: 'obs' }), 'team'),
  admissionController,
  env: mostly(fc.array(envEntry, { maxLength: 3 }), { name: 'DD_X' }),
  envDict: mostly(fc.dictionary(fc.constantFrom(...ENV_NAMES), envValue, { maxKeys: 2 }), 'DD_X=1'),
  podSecurity: record({ securityContextConstraints: enabled().map((e) => ({ create: e.enabled })) }),
});

/** Helm values for the `datadog` chart, as varied as users write them. */
export const helmValuesArbitrary: fc.Arbitrary<HelmValuesObject> = record({
  nameOverride: text(['dd', 'monitoring']),
  fullnameOverride: text(['obs', 'x'.repeat(70)]),
  targetSystem: text(['linux', 'windows']),
  registry: text(['registry.example.com/datadog']),
  registryMigrationMode: text(['auto', 'all', ''], ['sometimes']),
  datadog: mostly(datadog, 'datadog'),
  clusterAgent: mostly(clusterAgent, true),
  existingClusterAgent: record({ join: flag() }),
  agents: record({ enabled: flag(), localService: record({ overrideName: text(['', 'node-agent']) }) }),
  clusterChecksRunner: enabled(),
  providers: mostly(record({ gke: record({ autopilot: flag(), gdc: flag() }), aks: enabled() }), 'gke'),
  // Values the derivation does not read must not disturb it.
  unrelated: fc.jsonValue({ maxDepth: 2 }),
});
