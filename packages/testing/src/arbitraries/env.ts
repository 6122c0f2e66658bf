import fc from 'fast-check';
import { envNameArbitrary, envValueArbitrary } from './values.js';

/** A generated env entry (plain JSON, as it would arrive in an AdmissionReview). */
export type EnvEntry = Record<string, unknown> & { name: string };

const fieldRefArbitrary = fc.record(
  {
    fieldPath: fc.constantFrom('metadata.name', 'metadata.namespace', 'status.podIP', 'spec.nodeName', "metadata.labels['app']"),
    apiVersion: fc.constant('v1'),
  },
  { requiredKeys: ['fieldPath'] },
);

const keyRefArbitrary = (names: readonly string[]) =>
  fc.record(
    { name: fc.constantFrom(...names), key: fc.constantFrom('password', 'token', 'url'), optional: fc.boolean() },
    { requiredKeys: ['name', 'key'] },
  );

/** A `valueFrom` with exactly one source: fieldRef, secretKeyRef or configMapKeyRef. */
export const valueFromArbitrary: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fieldRefArbitrary.map((fieldRef) => ({ fieldRef })),
  keyRefArbitrary(['db-credentials', 'api-token']).map((secretKeyRef) => ({ secretKeyRef })),
  keyRefArbitrary(['app-config']).map((configMapKeyRef) => ({ configMapKeyRef })),
);

/** One env entry: a literal value, an empty value (written three ways), or a valueFrom. */
export const envEntryArbitrary: fc.Arbitrary<EnvEntry> = fc
  .tuple(
    envNameArbitrary,
    fc.oneof(
      { weight: 5, arbitrary: envValueArbitrary.map((value) => ({ value })) },
      { weight: 1, arbitrary: fc.constant({ value: '' }) },
      { weight: 1, arbitrary: fc.constant({}) },
      { weight: 3, arbitrary: valueFromArbitrary.map((valueFrom) => ({ valueFrom })) },
      // The API server accepts an empty value next to a valueFrom.
      { weight: 1, arbitrary: valueFromArbitrary.map((valueFrom) => ({ value: '', valueFrom })) },
    ),
  )
  .map(([name, body]) => ({ name, ...body }));

/** A container's `env`: absent, null, empty, or up to five entries with distinct names. */
export const envListArbitrary: fc.Arbitrary<EnvEntry[] | null | undefined> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant<EnvEntry[]>([]) },
  { weight: 6, arbitrary: fc.uniqueArray(envEntryArbitrary, { selector: (e) => e.name, minLength: 1, maxLength: 5 }) },
);
