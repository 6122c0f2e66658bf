import fc from 'fast-check';
import type { Pod } from '@dd-admission/core';
import { containerArbitrary, volumesArbitrary, type ContainerEntry, type VolumeEntry } from './containers.js';
import { ownerReferencesArbitrary, podAnnotationsArbitrary, podLabelsArbitrary } from './metadata.js';
import { compact, containerNameArbitrary, initContainerNameArbitrary, NAMESPACES, sometimes, unknownValueArbitrary } from './values.js';

/** Bounds of a generated pod. */
export interface PodArbitraryOptions {
  /** Most application containers (default 4). */
  maxContainers?: number;
  /** Most init containers (default 3). */
  maxInitContainers?: number;
}

/** How an optional array is written: absent, null, or present (possibly empty). */
type ArrayForm = 'absent' | 'null' | 'present';
const arrayFormArbitrary: fc.Arbitrary<ArrayForm> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<ArrayForm>('absent') },
  { weight: 1, arbitrary: fc.constant<ArrayForm>('null') },
  { weight: 4, arbitrary: fc.constant<ArrayForm>('present') },
);

function writeArray<T>(items: T[], form: ArrayForm): T[] | null | undefined {
  // A non-empty list is always written: its items are referenced elsewhere (mounts, annotations).
  if (items.length > 0 || form === 'present') return items;
  return form === 'null' ? null : undefined;
}

/** Names for containers and init containers, distinct across both lists (the API server requires it). */
function containerNamesArbitrary(maxContainers: number, maxInit: number): fc.Arbitrary<{ containers: string[]; init: string[] }> {
  return fc
    // Pods without containers are invalid (the API server requires one), so they are kept rare.
    .tuple(
      fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 9, arbitrary: fc.integer({ min: Math.min(1, maxContainers), max: maxContainers }) }),
      fc.integer({ min: 0, max: maxInit }),
    )
    .chain(([n, m]) =>
      fc
        .tuple(
          fc.uniqueArray(containerNameArbitrary, { minLength: n, maxLength: n }),
          fc.uniqueArray(initContainerNameArbitrary, { minLength: m, maxLength: m }),
        )
        .map(([containers, init]) => ({ containers, init: init.filter((name) => !containers.includes(name)) })),
    );
}

const metadataExtrasArbitrary = fc.record(
  {
    name: fc.constantFrom('web-0', 'pod-a'),
    generateName: fc.constantFrom('web-5d8f7c9b4-', 'job-'),
    namespace: fc.constantFrom(...NAMESPACES),
    uid: fc.uuid(),
    creationTimestamp: fc.constant(null),
    'x-future': unknownValueArbitrary,
  },
  { requiredKeys: [] },
);

const specExtrasArbitrary = fc.record(
  {
    restartPolicy: fc.constantFrom('Always', 'OnFailure'),
    serviceAccountName: fc.constant('default'),
    nodeSelector: fc.constant({ 'kubernetes.io/os': 'linux' }),
    tolerations: fc.constant([{ key: 'example.com/dedicated', operator: 'Exists' }]),
    'x-future': unknownValueArbitrary,
  },
  { requiredKeys: [] },
);

/**
 * A v1 Pod as the API server would send it to a webhook, valid by construction:
 * 0-4 containers and 0-3 init containers with distinct names, env lists mixing
 * literal, empty and valueFrom entries (often named like injected vars), mounts
 * of existing volumes, labels and annotations with `/` and `~` in their keys plus
 * the keys the webhooks read, owner references, unknown fields at every level,
 * and optional arrays absent or null.
 */
export function podArbitrary(options: PodArbitraryOptions = {}): fc.Arbitrary<Pod> {
  const maxContainers = options.maxContainers ?? 4;
  const maxInit = options.maxInitContainers ?? 3;
  return fc.tuple(containerNamesArbitrary(maxContainers, maxInit), volumesArbitrary).chain(([names, volumes]) => {
    const volumeNames = volumes.map((v) => v.name);
    return fc
      .record({
        containers: fc.tuple(...names.containers.map((n) => containerArbitrary(n, volumeNames, false))),
        initContainers: fc.tuple(...names.init.map((n) => containerArbitrary(n, volumeNames, true))),
        initForm: arrayFormArbitrary,
        volumeForm: arrayFormArbitrary,
        containersForm: fc.constantFrom<ArrayForm>('absent', 'present'),
        onlyContainers: fc.boolean(),
        labels: podLabelsArbitrary,
        annotations: podAnnotationsArbitrary(names.containers),
        ownerReferences: ownerReferencesArbitrary,
        meta: metadataExtrasArbitrary,
        specExtras: specExtrasArbitrary,
        typeMeta: fc.boolean(),
        status: sometimes(20, fc.constant({ phase: 'Pending' })),
        future: sometimes(15, unknownValueArbitrary),
      })
      .map((p) => assemblePod(p, volumes));
  });
}

interface PodParts {
  containers: ContainerEntry[];
  initContainers: ContainerEntry[];
  initForm: ArrayForm;
  volumeForm: ArrayForm;
  containersForm: ArrayForm;
  onlyContainers: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerReferences: Record<string, unknown>[] | undefined;
  meta: Record<string, unknown>;
  specExtras: Record<string, unknown>;
  typeMeta: boolean;
  status: unknown;
  future: unknown;
}

function assemblePod(p: PodParts, volumes: VolumeEntry[]): Pod {
  const containers = writeArray(p.containers, p.containersForm);
  const initContainers = writeArray(p.initContainers, p.initForm);
  const vols = writeArray(volumes, p.volumeForm);
  // "A spec with only containers": nothing else, not even empty lists.
  const spec =
    p.onlyContainers && p.initContainers.length === 0 && volumes.length === 0
      ? compact({ containers })
      : compact({ ...p.specExtras, initContainers, containers, volumes: vols });
  const metadata = compact({
    ...p.meta,
    labels: Object.keys(p.labels).length > 0 ? p.labels : undefined,
    annotations: Object.keys(p.annotations).length > 0 ? p.annotations : undefined,
    ownerReferences: p.ownerReferences,
  });
  const typeMeta = p.typeMeta ? { apiVersion: 'v1', kind: 'Pod' } : {};
  return compact({ ...typeMeta, metadata, spec, status: p.status, 'x-future': p.future }) as Pod;
}
