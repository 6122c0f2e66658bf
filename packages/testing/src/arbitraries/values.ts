import fc from 'fast-check';
import { LANGUAGES } from '@dd-admission/core';

// Shared building blocks of the arbitraries: names and values chosen so that
// generated pods often collide with what the webhooks inject or read.

/** Env var names the webhooks inject, so "the user's value wins" gets exercised. */
export const INJECTED_ENV_NAMES = [
  'DD_AGENT_HOST',
  'DD_ENTITY_ID',
  'DD_TRACE_AGENT_URL',
  'DD_DOGSTATSD_URL',
  'DD_ENV',
  'DD_SERVICE',
  'DD_VERSION',
  'DD_TRACE_ENABLED',
  'DD_TRACE_SAMPLE_RATE',
  'DD_LOGS_INJECTION',
] as const;

// Library env vars the lib webhook combines with an existing literal value (lib-injection spec §1.1).
/** Appended to the user's value. */
export const APPENDED_ENV_NAMES = ['JAVA_TOOL_OPTIONS', 'NODE_OPTIONS', 'RUBYOPT'] as const;
/** Put in front of the user's value with ":". */
export const PREFIXED_ENV_NAMES = ['PYTHONPATH', 'LD_PRELOAD'] as const;
/** Overwrite the user's value. */
export const REPLACED_ENV_NAMES = [
  'CORECLR_ENABLE_PROFILING',
  'CORECLR_PROFILER',
  'CORECLR_PROFILER_PATH',
  'DD_DOTNET_TRACER_HOME',
  'DD_TRACE_LOG_DIRECTORY',
] as const;

/** Every library env var, whatever its combination rule. */
export const LIBRARY_ENV_NAMES = [...APPENDED_ENV_NAMES, ...PREFIXED_ENV_NAMES, ...REPLACED_ENV_NAMES] as const;

const USER_ENV_NAMES = ['APP_MODE', 'LOG_LEVEL', 'PORT', 'HOME', 'FEATURE_X', 'DB_URL', 'GOMAXPROCS'] as const;

/** Namespaces contexts and configs pick from (kube-system matters to SSI). */
export const NAMESPACES = ['default', 'shop', 'payments', 'kube-system', 'datadog'] as const;

/** Mount paths, including the two the webhooks mount at. */
export const MOUNT_PATHS = ['/data', '/cache', '/etc/config', '/var/log/app', '/tmp', '/var/run/datadog', '/datadog-lib'] as const;

/** A DNS-1123 label. */
export const dnsLabelArbitrary: fc.Arbitrary<string> = fc.stringMatching(/^[a-z]([-a-z0-9]{0,12}[a-z0-9])?$/);

/** A container name: mostly common names (so annotations can name them), sometimes random. */
export const containerNameArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('app', 'web', 'api', 'worker', 'sidecar', 'proxy', 'migrate', 'db-init', 'log-shipper') },
  { weight: 1, arbitrary: dnsLabelArbitrary },
);

/** A name for a user init container; sometimes a lib init container's, as if already injected. */
export const initContainerNameArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: containerNameArbitrary },
  { weight: 1, arbitrary: fc.constantFrom(...LANGUAGES.map((l) => `datadog-lib-${l}-init`)) },
);

/** An env var name: half of the time one a webhook injects or combines. */
export const envNameArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...INJECTED_ENV_NAMES) },
  { weight: 2, arbitrary: fc.constantFrom(...LIBRARY_ENV_NAMES) },
  // The one library var the 7.57+ injector combines with the user's value.
  { weight: 1, arbitrary: fc.constant('LD_PRELOAD') },
  { weight: 3, arbitrary: fc.constantFrom(...USER_ENV_NAMES) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/) },
);

/** A literal env value, including spaces, colons and `$(VAR)` references. */
export const envValueArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('1', 'prod', '-Xmx512m', '/usr/lib/libfoo.so', '/app:/lib', '{00000000-0000-0000-0000-000000000000}', '$(HOME)/bin', ' spaced value ', 'true'),
  fc.string({ maxLength: 16 }),
);

/** An image reference. */
export const imageArbitrary: fc.Arbitrary<string> = fc.constantFrom(
  'nginx:1.25',
  'busybox',
  'registry.example.com/team/app:2.0',
  'ghcr.io/org/svc@sha256:0000000000000000000000000000000000000000000000000000000000000000',
);

/** Label / annotation keys with `/` and `~`, which JSON pointers must escape. */
export const metadataKeyArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('app', 'app.kubernetes.io/name', 'example.com/team', 'weird~key', 'a/b~c', 'team~0/x', '~1', 'x/y/z'),
  fc.stringMatching(/^[a-z~/.]{1,8}$/),
);

/** An unknown field's value: future API fields must survive untouched. */
export const unknownValueArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant({ enabled: true, nested: { list: [1, 'two', null] } }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Drops keys whose value is undefined, so generated objects are plain JSON. */
export function compact<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** `value` with the given probability (in percent), else undefined. */
export function sometimes<T>(percent: number, arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: percent, arbitrary: arb }, { weight: 100 - percent, arbitrary: fc.constant(undefined) });
}
