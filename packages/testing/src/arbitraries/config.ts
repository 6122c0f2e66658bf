import fc from 'fast-check';
import { LANGUAGES, LATEST_AGENT_VERSION, OLDEST_AGENT_VERSION, parseConfig, type AdmissionConfig } from '@dd-admission/core';
import { compact, NAMESPACES, sometimes } from './values.js';

// Configurations as users write them in datadog.yaml (nested keys), covering
// every key the mutation reads (spec/config-keys.md), with some values the
// cluster agent accepts at start-up but then fails on (a mode in the wrong case,
// an unparsable quantity) so the webhooks' fail-open paths are exercised.

/** A datadog.yaml-like configuration object. */
export type DatadogYaml = Record<string, unknown>;

const modeArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('hostip', 'service', 'socket') },
  { weight: 1, arbitrary: fc.constantFrom('HostIP', 'foo') },
);

const namespacesArbitrary = fc.uniqueArray(fc.constantFrom(...NAMESPACES), { maxLength: 2 });

const libVersionsArbitrary = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...LANGUAGES, 'php'), fc.constantFrom('v1.31.0', 'v2', 'latest', 'default')), { selector: ([l]) => l, maxLength: 3 })
  .map((pairs) => Object.fromEntries(pairs));

const injectConfigArbitrary = fc.record(
  {
    enabled: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    mode: modeArbitrary,
    local_service_name: fc.constantFrom('datadog', 'datadog-agent'),
    socket_path: fc.constantFrom('/var/run/datadog', '/run/dd', '/data'),
    trace_agent_socket: fc.constantFrom('unix:///var/run/datadog/apm.socket', 'unix:///run/dd/apm.sock'),
    dogstatsd_socket: fc.constantFrom('unix:///var/run/datadog/dsd.socket', 'unix:///run/dd/dsd.sock'),
  },
  { requiredKeys: [] },
);

const autoInstrumentationArbitrary = fc.record(
  {
    enabled: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    container_registry: fc.constantFrom('gcr.io/datadoghq', 'docker.io/datadog', 'registry.example.com/mirror'),
    init_resources: fc.record(
      {
        cpu: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('50m', '1', '0.5') }, { weight: 1, arbitrary: fc.constant('lots') }),
        memory: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('64Mi', '1Gi', '100M') }, { weight: 1, arbitrary: fc.constant('huge') }),
      },
      { requiredKeys: [] },
    ),
    inject_all: fc.record({ namespaces: namespacesArbitrary }),
    init_security_context: fc.constantFrom('{"privileged":true}', '{"runAsNonRoot":true,"readOnlyRootFilesystem":true}'),
  },
  { requiredKeys: [] },
);

/** Single Step Instrumentation targets (7.64): selectors that sometimes match generated pods, pins, extra configs. */
const targetArbitrary = fc
  .record(
    {
      name: fc.constantFrom('web', 'Python Apps', ''),
      podSelector: fc.constantFrom({ matchLabels: { app: 'web' } }, { matchExpressions: [{ key: 'tags.datadoghq.com/env', operator: 'Exists' }] }, {}),
      namespaceSelector: fc.constantFrom({ matchNames: ['shop', 'default'] }, { matchLabels: { team: 'web' } }, { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['ops'] }] }),
      ddTraceVersions: fc.constantFrom({ java: 'v1' }, { python: 'default', js: 'v5' }, { php: 'v1', go: 'v1' }),
      ddTraceConfigs: fc.constantFrom(
        [{ name: 'DD_PROFILING_ENABLED', value: 'true' }],
        [{ name: 'DD_SERVICE', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }, { name: 'DD_ENV', value: 'prod' }],
      ),
    },
    { requiredKeys: ['name'] },
  )
  .map((t) => compact(t));

const ssiArbitrary = fc.record(
  {
    enabled: fc.boolean(),
    enabled_namespaces: namespacesArbitrary,
    disabled_namespaces: namespacesArbitrary,
    lib_versions: libVersionsArbitrary,
    injector_image_tag: fc.constantFrom('0', '0.52.0'),
    injection_mode: fc.constantFrom('auto', 'init_container', 'csi', 'image_volume', 'bogus'),
    targets: fc.array(targetArbitrary, { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: [] },
);

/**
 * A resource quantity as users type it in `init_resources`: valid forms, typos
 * (wrong-case units, stray spaces, a missing number) and grammar-shaped noise.
 */
export const quantityArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('50m', '1', '0.5', '.5', '5.', '100M', '64Mi', '1Gi', '1.5Gi', '1e3', '1E3', '+1', '-1'),
  fc.tuple(fc.constantFrom('', ' ', '\t'), fc.constantFrom('50m', '64Mi', '1'), fc.constantFrom('', ' ', '\n')).map(([a, q, b]) => a + q + b),
  fc.constantFrom('64mi', '1KI', 'Mi', '1e', '1 Gi', '1Mi2', 'lots', '1.2.3', '0x10', '1m5', '', '1.G', '+', '.'),
  fc.stringMatching(/^[+-]?[0-9]{0,3}(\.[0-9]{0,2})?([eEinumkKMGTP]{0,2}[+-]?[0-9]{0,2})?$/),
);

/** A datadog.yaml-style object of admission settings (nested keys, only some set). */
export const datadogYamlArbitrary: fc.Arbitrary<DatadogYaml> = fc
  .record({
    mutate_unlabelled: sometimes(60, fc.boolean()),
    inject_config: sometimes(80, injectConfigArbitrary),
    inject_tags: sometimes(10, fc.record({ enabled: fc.boolean() })),
    auto_instrumentation: sometimes(60, autoInstrumentationArbitrary),
    reinvocation_policy: sometimes(30, fc.constantFrom('IfNeeded', 'Never', 'ifneeded', 'bogus')),
    instrumentation: sometimes(40, ssiArbitrary),
  })
  .map(({ instrumentation, ...ac }) =>
    compact({
      admission_controller: compact({ enabled: true, ...ac }),
      apm_config: instrumentation ? { instrumentation } : undefined,
    }),
  );

/** A generated configuration: the datadog.yaml object and the AdmissionConfig parsed from it. */
export interface GeneratedConfig {
  input: DatadogYaml;
  config: AdmissionConfig;
}

/** Parses a generated datadog.yaml for `agentVersion` (default 7.49, the release datadogYamlArbitrary describes); a generated value the parser rejects is a bug of the arbitrary. */
export function parseGeneratedConfig(input: DatadogYaml, agentVersion: string = OLDEST_AGENT_VERSION): GeneratedConfig {
  const result = parseConfig([{ origin: 'datadog.yaml', values: input }], { agentVersion });
  if (!result.ok) throw new Error(`generated config rejected: ${JSON.stringify(result.errors)}`);
  return { input, config: result.config };
}

/** A valid AdmissionConfig with the datadog.yaml it was parsed from. */
export const configArbitrary: fc.Arbitrary<GeneratedConfig> = datadogYamlArbitrary.map((input) => parseGeneratedConfig(input));

/** A Cluster Agent release: the two emulated exactly, or one between them (interpolated). */
export const agentVersionArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(OLDEST_AGENT_VERSION, LATEST_AGENT_VERSION, `${LATEST_AGENT_VERSION}.1`),
  fc.tuple(fc.integer({ min: 50, max: 77 }), fc.integer({ min: 0, max: 3 })).map(([minor, patch]) => `7.${minor}.${patch}`),
);

const hostSocketPathArbitrary = fc.constantFrom('/var/run/datadog', '/var/run/datadog-apm', '/run/dd');

/** Keys that releases after 7.49 read (config/key-versions.ts): csi, socket-type volumes, host socket paths. */
const newerKeysArbitrary: fc.Arbitrary<DatadogYaml> = fc
  .record(
    {
      mode: sometimes(30, fc.constant('csi')),
      type_socket_volumes: sometimes(40, fc.boolean()),
      csi: sometimes(50, fc.record({ enabled: fc.boolean(), driver: sometimes(30, fc.constant('csi.example.com')) }, { requiredKeys: ['enabled'] })),
      trace_agent_host_socket_path: sometimes(40, hostSocketPathArbitrary),
      dogstatsd_host_socket_path: sometimes(40, hostSocketPathArbitrary),
      receiver_socket: sometimes(20, fc.constantFrom('/var/run/datadog/apm.socket', '/run/dd/trace.sock', '')),
      dogstatsd_socket: sometimes(20, fc.constantFrom('/var/run/datadog/dsd.socket', '/run/dd/statsd.sock')),
    },
    { requiredKeys: [] },
  )
  .map(({ mode, type_socket_volumes, csi, receiver_socket, ...top }) =>
    compact({ ...top, csi: csi && compact(csi), 'admission_controller.inject_config.mode': mode, 'admission_controller.inject_config.type_socket_volumes': type_socket_volumes, 'apm_config.receiver_socket': receiver_socket }),
  );

/** A configuration for a random release (7.49, 7.78 or between), with the keys newer releases read. */
export const versionedConfigArbitrary: fc.Arbitrary<GeneratedConfig> = fc
  .tuple(agentVersionArbitrary, datadogYamlArbitrary, newerKeysArbitrary)
  .map(([version, yaml, newer]) => parseGeneratedConfig({ ...yaml, ...newer }, version));
