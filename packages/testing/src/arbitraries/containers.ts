import fc from 'fast-check';
import { envListArbitrary } from './env.js';
import { compact, dnsLabelArbitrary, imageArbitrary, MOUNT_PATHS, sometimes, unknownValueArbitrary } from './values.js';

/** A generated volume (plain JSON). */
export type VolumeEntry = Record<string, unknown> & { name: string };
/** A generated container (plain JSON). */
export type ContainerEntry = Record<string, unknown> & { name: string };

const volumeSourceArbitrary: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constantFrom<Record<string, unknown>>({ emptyDir: {} }, { emptyDir: { medium: 'Memory' } }),
  fc
    .record({ path: fc.constantFrom('/var/log', '/var/run/datadog', '/opt/data'), type: fc.constantFrom('Directory', 'DirectoryOrCreate', '') }, { requiredKeys: ['path'] })
    .map((hostPath) => ({ hostPath })),
  fc.constantFrom('app-config', 'feature-flags').map((name) => ({ configMap: { name } })),
);

/** A volume name: common names, sometimes the names the webhooks use themselves. */
const volumeNameArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('data', 'cache', 'config', 'logs', 'tmp') },
  { weight: 2, arbitrary: fc.constant('datadog') },
  { weight: 1, arbitrary: fc.constant('datadog-auto-instrumentation') },
  { weight: 2, arbitrary: dnsLabelArbitrary },
);

/** Up to four volumes with distinct names. */
export const volumesArbitrary: fc.Arbitrary<VolumeEntry[]> = fc.uniqueArray(
  fc.tuple(volumeNameArbitrary, volumeSourceArbitrary).map(([name, source]) => ({ name, ...source })),
  { selector: (v) => v.name, maxLength: 4 },
);

const mountPathArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...MOUNT_PATHS.filter((p) => p !== '/datadog-lib')) },
  { weight: 1, arbitrary: fc.constant('/datadog-lib') },
);

/** Mounts of existing volumes only, with distinct mount paths (a valid container). */
export function volumeMountsArbitrary(volumeNames: readonly string[]): fc.Arbitrary<Record<string, unknown>[] | undefined> {
  if (volumeNames.length === 0) return fc.constant(undefined);
  const mount = fc.record(
    { name: fc.constantFrom(...volumeNames), mountPath: mountPathArbitrary, readOnly: fc.boolean() },
    { requiredKeys: ['name', 'mountPath'] },
  );
  return sometimes(70, fc.uniqueArray(mount, { selector: (m) => m.mountPath, minLength: 1, maxLength: 3 }));
}

/**
 * A container named `name` whose mounts refer to `volumeNames`. Init containers
 * sometimes carry `restartPolicy: Always` (native sidecars), a field the core does not model.
 */
export function containerArbitrary(name: string, volumeNames: readonly string[], init: boolean): fc.Arbitrary<ContainerEntry> {
  return fc
    .record({
      image: imageArbitrary,
      env: envListArbitrary,
      volumeMounts: volumeMountsArbitrary(volumeNames),
      ports: sometimes(30, fc.constant([{ containerPort: 8080, protocol: 'TCP' }])),
      // Sizes on both sides of the init containers' 50m / 100Mi floor (lib-injection-7.78.md §6).
      resources: sometimes(
        25,
        fc.constantFrom<Record<string, unknown>>(
          { limits: { memory: '128Mi' } },
          { limits: { cpu: '25m', memory: '50Mi' }, requests: { cpu: '25m' } },
          { requests: { cpu: '0.1', memory: '200Mi' } },
        ),
      ),
      restartPolicy: init ? sometimes(30, fc.constant('Always')) : fc.constant(undefined),
      future: sometimes(20, unknownValueArbitrary),
    })
    .map(({ future, ...fields }) => compact({ name, ...fields, 'x-future': future }) as ContainerEntry);
}
