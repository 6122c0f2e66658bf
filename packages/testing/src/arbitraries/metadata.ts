import fc from 'fast-check';
import { LANGUAGES } from '@dd-admission/core';
import { metadataKeyArbitrary, sometimes } from './values.js';

// Pod labels, annotations and owner references: random keys that need JSON
// pointer escaping, plus every key the webhooks read (webhooks.md §4,
// config-injection.md §2, tags-injection.md §1, lib-injection.md §2).

const PREFIX = 'admission.datadoghq.com/';

/** Random labels or annotations whose keys contain `/` and `~`. */
export const randomMetadataArbitrary: fc.Arbitrary<Record<string, string>> = fc.dictionary(metadataKeyArbitrary, fc.string({ maxLength: 8 }), {
  maxKeys: 3,
  noNullPrototype: true,
});

/** `admission.datadoghq.com/enabled`: "true", absent, "false", or a value no webhook accepts. */
export const enabledLabelArbitrary: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 5, arbitrary: fc.constant('true') },
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant('false') },
  { weight: 1, arbitrary: fc.constantFrom('yes', 'True', '') },
);

const configModeLabelArbitrary = sometimes(25, fc.constantFrom('hostip', 'service', 'socket', 'Socket', 'SERVICE', 'bogus', 'csi', 'CSI'));
/** `config.type_socket_volumes` (7.58+): true or false in any case, or a value the webhook rejects. */
const typeSocketVolumesLabelArbitrary = sometimes(15, fc.constantFrom('true', 'false', 'TRUE', 'yes'));

/** The three unified-service-tagging labels, each present or not. */
export const tagLabelsArbitrary: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'tags.datadoghq.com/env': fc.constantFrom('prod', 'staging', ''),
    'tags.datadoghq.com/service': fc.constantFrom('checkout', 'billing'),
    'tags.datadoghq.com/version': fc.constantFrom('1.2.3', 'abc123'),
  },
  { requiredKeys: [] },
);

/** Pod labels: random keys plus the enabled / config.mode / config.type_socket_volumes / tags labels. */
export const podLabelsArbitrary: fc.Arbitrary<Record<string, string>> = fc
  .tuple(randomMetadataArbitrary, enabledLabelArbitrary, configModeLabelArbitrary, typeSocketVolumesLabelArbitrary, sometimes(40, tagLabelsArbitrary))
  .map(([random, enabled, mode, socketVolumes, tags]) => {
    const labels: Record<string, string> = { ...random, ...(tags ?? {}) };
    if (enabled !== undefined) labels[`${PREFIX}enabled`] = enabled;
    if (mode !== undefined) labels[`${PREFIX}config.mode`] = mode;
    if (socketVolumes !== undefined) labels[`${PREFIX}config.type_socket_volumes`] = socketVolumes;
    return labels;
  });

/** A `<lang>-lib.config.v1` value: valid JSON of the library config (lib-injection spec §5.1), or not. */
export const libConfigArbitrary: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record(
        {
          service_name: fc.constantFrom('billing', 'svc-a'),
          env: fc.constantFrom('prod', 'dev'),
          tracing_enabled: fc.boolean(),
          log_injection_enabled: fc.boolean(),
          tracing_sampling_rate: fc.constantFrom(0, 0.4, 1, 0.125, 0.005),
          tracing_rate_limit: fc.integer({ min: 0, max: 1000 }),
          tracing_tags: fc.array(fc.constantFrom('team:a', 'tier:web'), { maxLength: 2 }),
          tracing_service_mapping: fc.array(fc.record({ from_key: fc.constantFrom('mysql', 'redis'), to_name: fc.constantFrom('db', 'cache') }), { maxLength: 2 }),
          tracing_methods: fc.array(fc.constantFrom('a.B[c]', 'd.E[*]'), { maxLength: 2 }),
          library_language: fc.constantFrom('java', 'python'),
          unknown_field: fc.constant({ nested: true }),
        },
        { requiredKeys: [] },
      )
      .map((config) => JSON.stringify(config)),
  },
  { weight: 1, arbitrary: fc.constantFrom('{not json', '{"tracing_rate_limit": 1.5}', '{"tracing_enabled": "yes"}', '[]', 'null', '{"tracing_tags": "a"}') },
);

/** Library annotation keys with their values, naming some of `containerNames` for per-container keys. */
export function libAnnotationsArbitrary(containerNames: readonly string[]): fc.Arbitrary<Record<string, string>> {
  const perLanguage = LANGUAGES.map((lang) =>
    fc.record(
      {
        [`${PREFIX}${lang}-lib.version`]: fc.constantFrom('v1.2.3', 'latest'),
        [`${PREFIX}${lang}-lib.custom-image`]: fc.constant(`registry.example.com/custom/${lang}-init:1`),
        [`${PREFIX}${lang}-lib.config.v1`]: libConfigArbitrary,
      },
      { requiredKeys: [] },
    ),
  );
  const targets = [...containerNames, 'no-such-container'];
  const perContainer = fc.array(
    fc
      .tuple(fc.constantFrom(...targets), fc.constantFrom(...LANGUAGES), fc.constantFrom('version', 'custom-image'))
      .map(([c, lang, kind]) => [`${PREFIX}${c}.${lang}-lib.${kind}`, kind === 'version' ? 'v9.9.9' : `registry.example.com/custom/${lang}:c`] as const),
    { maxLength: 2 },
  );
  const global = fc.record(
    {
      [`${PREFIX}all-lib.version`]: fc.constantFrom('latest', 'v1.0.0'),
      [`${PREFIX}all-lib.config.v1`]: libConfigArbitrary,
      // Annotation keys are case-sensitive: this one never matches.
      [`${PREFIX}Java-lib.version`]: fc.constant('v1.0.0'),
    },
    { requiredKeys: [] },
  );
  return fc.tuple(fc.tuple(...perLanguage.map((a) => sometimes(25, a))), perContainer, sometimes(20, global)).map(([languages, containers, all]) => {
    const out: Record<string, string> = {};
    for (const part of languages) Object.assign(out, part ?? {});
    for (const [k, v] of containers) out[k] = v;
    return Object.assign(out, all ?? {});
  });
}

/** Pod annotations: random keys plus library annotations. */
export function podAnnotationsArbitrary(containerNames: readonly string[]): fc.Arbitrary<Record<string, string>> {
  return fc.tuple(randomMetadataArbitrary, sometimes(60, libAnnotationsArbitrary(containerNames))).map(([random, lib]) => ({ ...random, ...(lib ?? {}) }));
}

/** A ReplicaSet name: a Deployment name plus a pod-template-hash, or a suffix SSI cannot strip. */
export const replicaSetNameArbitrary: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('checkout', 'web-api', 'billing'), fc.constantFrom('5d8f7c9b4', '7d9f8b6c5d', '12345', 'ab', 'xyza', 'f00'))
  .map(([d, hash]) => `${d}-${hash}`);

/** An ownerReference as controllers write it. */
export function ownerRef(apiVersion: string, kind: string, name: string): Record<string, unknown> {
  return { apiVersion, kind, name, uid: `uid-${kind.toLowerCase()}-${name}`, controller: true, blockOwnerDeletion: true };
}

type OwnerRefs = Record<string, unknown>[] | undefined;

/** Owner references: none, a ReplicaSet, StatefulSet, Job, DaemonSet, or (rarely) two owners. */
export const ownerReferencesArbitrary: fc.Arbitrary<OwnerRefs> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<OwnerRefs>(undefined) },
  { weight: 4, arbitrary: replicaSetNameArbitrary.map((n): OwnerRefs => [ownerRef('apps/v1', 'ReplicaSet', n)]) },
  { weight: 1, arbitrary: fc.constant<OwnerRefs>([ownerRef('apps/v1', 'StatefulSet', 'db')]) },
  { weight: 1, arbitrary: fc.constant<OwnerRefs>([ownerRef('batch/v1', 'Job', 'nightly-28000000')]) },
  { weight: 1, arbitrary: fc.constant<OwnerRefs>([ownerRef('apps/v1', 'DaemonSet', 'node-agent')]) },
  { weight: 1, arbitrary: fc.constant<OwnerRefs>([ownerRef('apps/v1', 'StatefulSet', 'db'), ownerRef('v1', 'Node', 'node-1')]) },
);
