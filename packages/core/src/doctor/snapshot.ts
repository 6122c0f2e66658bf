import { z } from 'zod';
import { containerSchema, objectMetaSchema, ownerReferenceSchema, podSchema, podSpecSchema } from '../review/pod.js';

// The cluster as the doctor sees it: plain Kubernetes objects, by resource,
// plus what could not be read. The same snapshot comes from a live cluster
// (the CLI lists each resource) or from a `kubectl get -A -o yaml` dump, so
// every check runs the same way on both. Each schema names only the fields a
// check reads; every other field passes through untouched.

const stringMap = z.record(z.string(), z.string());

// YAML parsers may turn a timestamp into a Date; the API's form is the RFC 3339 text.
const timestamp = z.preprocess((v) => (v instanceof Date ? v.toISOString() : v), z.string()).nullish();

const metadataSchema = objectMetaSchema.extend({
  name: z.string().min(1, { error: 'empty name' }),
  creationTimestamp: timestamp,
  ownerReferences: z.array(ownerReferenceSchema).nullish(),
});

const labelSelectorSchema = z.looseObject({
  matchLabels: stringMap.nullish(),
  matchExpressions: z
    .array(z.looseObject({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).nullish() }))
    .nullish(),
});
export type SnapshotSelector = z.infer<typeof labelSelectorSchema>;

const objectSchema = z.looseObject({ apiVersion: z.string().nullish(), kind: z.string().nullish(), metadata: metadataSchema });

const containerPortSchema = z.looseObject({ name: z.string().nullish(), containerPort: z.number(), protocol: z.string().nullish() });
const envFromSchema = z.looseObject({ prefix: z.string().nullish(), configMapRef: z.looseObject({ name: z.string() }).nullish() });
const snapshotContainerSchema = containerSchema.extend({ ports: z.array(containerPortSchema).nullish(), envFrom: z.array(envFromSchema).nullish() });
export type SnapshotContainer = z.infer<typeof snapshotContainerSchema>;
const snapshotPodSpecSchema = podSpecSchema.extend({
  containers: z.array(snapshotContainerSchema).nullish(),
  hostNetwork: z.boolean().nullish(),
});

const podTemplateSchema = z.looseObject({ metadata: objectMetaSchema.nullish(), spec: snapshotPodSpecSchema.nullish() });
export type PodTemplate = z.infer<typeof podTemplateSchema>;

const podObjectSchema = podSchema.extend({
  metadata: metadataSchema,
  spec: snapshotPodSpecSchema.nullish(),
  status: z.looseObject({ phase: z.string().nullish(), podIP: z.string().nullish() }).nullish(),
});

const replicaCounts = z.looseObject({
  replicas: z.number().nullish(),
  readyReplicas: z.number().nullish(),
  availableReplicas: z.number().nullish(),
});

const workloadSchema = objectSchema.extend({
  spec: z.looseObject({ replicas: z.number().nullish(), selector: labelSelectorSchema.nullish(), template: podTemplateSchema.nullish() }).nullish(),
  status: replicaCounts.nullish(),
});

const cronJobSchema = objectSchema.extend({
  spec: z
    .looseObject({
      jobTemplate: z.looseObject({ metadata: objectMetaSchema.nullish(), spec: z.looseObject({ template: podTemplateSchema.nullish() }).nullish() }).nullish(),
    })
    .nullish(),
});

const serviceSchema = objectSchema.extend({
  spec: z
    .looseObject({
      selector: stringMap.nullish(),
      ports: z
        .array(z.looseObject({ name: z.string().nullish(), port: z.number(), targetPort: z.union([z.number(), z.string()]).nullish(), protocol: z.string().nullish() }))
        .nullish(),
    })
    .nullish(),
});

const targetRefSchema = z.looseObject({ kind: z.string().nullish(), name: z.string().nullish(), namespace: z.string().nullish() });
const endpointAddressSchema = z.looseObject({ ip: z.string(), targetRef: targetRefSchema.nullish() });
const endpointsSchema = objectSchema.extend({
  subsets: z
    .array(
      z.looseObject({
        addresses: z.array(endpointAddressSchema).nullish(),
        notReadyAddresses: z.array(endpointAddressSchema).nullish(),
        ports: z.array(z.looseObject({ name: z.string().nullish(), port: z.number() })).nullish(),
      }),
    )
    .nullish(),
});

const endpointSliceSchema = objectSchema.extend({
  endpoints: z
    .array(
      z.looseObject({
        addresses: z.array(z.string()),
        conditions: z.looseObject({ ready: z.boolean().nullish() }).nullish(),
        targetRef: targetRefSchema.nullish(),
      }),
    )
    .nullish(),
  ports: z.array(z.looseObject({ name: z.string().nullish(), port: z.number().nullish() })).nullish(),
});

/** The keys of the webhook Secret the doctor reads; everything else is dropped when the snapshot is made. */
export const READ_SECRET_KEYS = ['cert.pem'] as const;

// Only cert.pem survives: a snapshot (and the JSON report) never carries private keys,
// nor the last-applied annotation, which would repeat every key of the Secret.
const secretSchema = objectSchema
  .extend({ type: z.string().nullish(), data: stringMap.nullish() })
  .transform((s) => ({
    apiVersion: s.apiVersion,
    kind: s.kind,
    metadata: { name: s.metadata.name, namespace: s.metadata.namespace, creationTimestamp: s.metadata.creationTimestamp },
    type: s.type,
    data: Object.fromEntries(READ_SECRET_KEYS.filter((k) => s.data?.[k] !== undefined).map((k) => [k, s.data![k]!])),
  }));

const configMapSchema = objectSchema.extend({ data: stringMap.nullish() });

const policyPortSchema = z.looseObject({ protocol: z.string().nullish(), port: z.union([z.number(), z.string()]).nullish(), endPort: z.number().nullish() });
const policyPeerSchema = z.looseObject({
  podSelector: labelSelectorSchema.nullish(),
  namespaceSelector: labelSelectorSchema.nullish(),
  ipBlock: z.looseObject({ cidr: z.string(), except: z.array(z.string()).nullish() }).nullish(),
});
const networkPolicySchema = objectSchema.extend({
  spec: z.looseObject({
    podSelector: labelSelectorSchema.nullish(),
    policyTypes: z.array(z.string()).nullish(),
    ingress: z.array(z.looseObject({ from: z.array(policyPeerSchema).nullish(), ports: z.array(policyPortSchema).nullish() })).nullish(),
  }),
});

const nodeSchema = objectSchema.extend({
  spec: z.looseObject({ providerID: z.string().nullish() }).nullish(),
  status: z
    .looseObject({
      nodeInfo: z.looseObject({ kubeletVersion: z.string().nullish() }).nullish(),
      addresses: z.array(z.looseObject({ type: z.string(), address: z.string() })).nullish(),
    })
    .nullish(),
});

const serviceReferenceSchema = z.looseObject({ namespace: z.string(), name: z.string(), path: z.string().nullish(), port: z.number().nullish() });
const mutatingWebhookSchema = z.looseObject({
  name: z.string(),
  clientConfig: z.looseObject({ service: serviceReferenceSchema.nullish(), url: z.string().nullish(), caBundle: z.string().nullish() }),
  failurePolicy: z.string().nullish(),
  timeoutSeconds: z.number().nullish(),
  reinvocationPolicy: z.string().nullish(),
  namespaceSelector: labelSelectorSchema.nullish(),
  objectSelector: labelSelectorSchema.nullish(),
});
const webhookConfigurationSchema = objectSchema.extend({ webhooks: z.array(mutatingWebhookSchema).nullish() });

/** Every resource the doctor reads, with the schema of one object. */
export const snapshotObjectsSchema = z.object({
  mutatingwebhookconfigurations: z.array(webhookConfigurationSchema),
  services: z.array(serviceSchema),
  endpoints: z.array(endpointsSchema),
  endpointslices: z.array(endpointSliceSchema),
  secrets: z.array(secretSchema),
  configmaps: z.array(configMapSchema),
  deployments: z.array(workloadSchema),
  replicasets: z.array(workloadSchema),
  statefulsets: z.array(workloadSchema),
  daemonsets: z.array(workloadSchema),
  jobs: z.array(workloadSchema),
  cronjobs: z.array(cronJobSchema),
  pods: z.array(podObjectSchema),
  networkpolicies: z.array(networkPolicySchema),
  ciliumnetworkpolicies: z.array(objectSchema),
  ciliumclusterwidenetworkpolicies: z.array(objectSchema),
  nodes: z.array(nodeSchema),
  namespaces: z.array(objectSchema),
});
export type SnapshotObjects = z.infer<typeof snapshotObjectsSchema>;
export type SnapshotResource = keyof SnapshotObjects;

export type SnapshotObject = z.infer<typeof objectSchema>;
export type SnapshotPod = z.infer<typeof podObjectSchema>;
export type SnapshotWorkload = z.infer<typeof workloadSchema>;
export type SnapshotCronJob = z.infer<typeof cronJobSchema>;
export type SnapshotService = z.infer<typeof serviceSchema>;
export type SnapshotNetworkPolicy = z.infer<typeof networkPolicySchema>;
export type SnapshotWebhookConfiguration = z.infer<typeof webhookConfigurationSchema>;
export type SnapshotWebhook = z.infer<typeof mutatingWebhookSchema>;

/** Kind and API version of each resource: dumps are sorted by kind, live items (which carry neither) get them. */
export const SNAPSHOT_RESOURCES: Readonly<Record<SnapshotResource, { kind: string; apiVersion: string }>> = {
  mutatingwebhookconfigurations: { kind: 'MutatingWebhookConfiguration', apiVersion: 'admissionregistration.k8s.io/v1' },
  services: { kind: 'Service', apiVersion: 'v1' },
  endpoints: { kind: 'Endpoints', apiVersion: 'v1' },
  endpointslices: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1' },
  secrets: { kind: 'Secret', apiVersion: 'v1' },
  configmaps: { kind: 'ConfigMap', apiVersion: 'v1' },
  deployments: { kind: 'Deployment', apiVersion: 'apps/v1' },
  replicasets: { kind: 'ReplicaSet', apiVersion: 'apps/v1' },
  statefulsets: { kind: 'StatefulSet', apiVersion: 'apps/v1' },
  daemonsets: { kind: 'DaemonSet', apiVersion: 'apps/v1' },
  jobs: { kind: 'Job', apiVersion: 'batch/v1' },
  cronjobs: { kind: 'CronJob', apiVersion: 'batch/v1' },
  pods: { kind: 'Pod', apiVersion: 'v1' },
  networkpolicies: { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1' },
  ciliumnetworkpolicies: { kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2' },
  ciliumclusterwidenetworkpolicies: { kind: 'CiliumClusterwideNetworkPolicy', apiVersion: 'cilium.io/v2' },
  nodes: { kind: 'Node', apiVersion: 'v1' },
  namespaces: { kind: 'Namespace', apiVersion: 'v1' },
};

/** The API group of a resource (`''` for the core group). */
export function resourceGroup(resource: SnapshotResource): string {
  const apiVersion = SNAPSHOT_RESOURCES[resource].apiVersion;
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The resources, in the order the CLI lists them. */
export const SNAPSHOT_RESOURCE_NAMES = Object.keys(SNAPSHOT_RESOURCES) as SnapshotResource[];

/** A resource the snapshot could not read (RBAC, or an API the cluster does not serve). */
export const unreadableSchema = z.object({
  resource: z.enum(SNAPSHOT_RESOURCE_NAMES as [SnapshotResource, ...SnapshotResource[]]),
  /** The verb that was refused: `list`, or `get` for a single object. */
  verb: z.string(),
  /** The API's answer, for the details. */
  message: z.string(),
});
export type Unreadable = z.infer<typeof unreadableSchema>;

/** An object the snapshot left out because it does not have the shape its kind needs. */
export const malformedObjectSchema = z.object({
  /** Position of the document in the input (0-based), or of the object in its resource's list when live. */
  index: z.number(),
  /** Position inside a List document, when it came from one. */
  item: z.number().optional(),
  kind: z.string(),
  name: z.string().optional(),
  message: z.string(),
});
export type MalformedObject = z.infer<typeof malformedObjectSchema>;

/** The API server's version as `/version` reports it. */
export const serverVersionSchema = z.object({ major: z.string(), minor: z.string(), gitVersion: z.string() });
export type ServerVersion = z.infer<typeof serverVersionSchema>;

/** Running pods of one workload the webhook would change today: what `stale-pods` reports of them, not the pods. */
export const staleWorkloadSchema = z.object({
  namespace: z.string(),
  /** The workload to restart; absent for a pod nothing owns. */
  owner: z.object({ kind: z.string(), name: z.string() }).optional(),
  /** How many of its pods are stale. */
  count: z.number(),
  /** Their names in the order read: the first few, or all of them when the fix names each pod. */
  names: z.array(z.string()),
  /** What the webhook would add to the first one: `env DD_AGENT_HOST, DD_ENTITY_ID (config); env DD_ENV (tags)`. */
  injects: z.string(),
  /** The newest creation time among them (RFC 3339), `''` when none says. */
  newest: z.string(),
});
export type StaleWorkload = z.infer<typeof staleWorkloadSchema>;

/** What the checks read from every pod, gathered one pod at a time so that no pod needs to be kept. */
export const podScanSchema = z.object({
  /** Pods read. */
  count: z.number(),
  /** Running pods in scope, checked against what the webhook injects today. */
  checked: z.number(),
  /** The stale ones, by the workload to restart, in the order first met. */
  stale: z.array(staleWorkloadSchema),
  /** Pods in scope that nothing owns and that carry the enabled label (the label checks read them as workloads). */
  labelledBarePods: z.array(z.object({ namespace: z.string().nullish(), name: z.string(), enabled: z.string() })),
  /** The first pod with an `autopilot.gke.io/` annotation (`shop/web-1`), a sign of GKE Autopilot. */
  autopilot: z.object({ pod: z.string(), annotation: z.string() }).optional(),
});
export type PodScan = z.infer<typeof podScanSchema>;

/** What the doctor knows about one cluster. */
export const clusterSnapshotSchema = z.object({
  /** `live`: read through the API now; `dump`: from `kubectl get -o yaml` output. */
  source: z.enum(['live', 'dump']),
  /** Only when live (a dump does not carry it). */
  serverVersion: serverVersionSchema.optional(),
  /** API groups the server serves; only when live. */
  apiGroups: z.array(z.string()).optional(),
  objects: snapshotObjectsSchema,
  unreadable: z.array(unreadableSchema),
  /** Documents of kinds the doctor does not read, counted by kind. */
  ignoredKinds: z.record(z.string(), z.number()),
  malformed: z.array(malformedObjectSchema),
  /**
   * Set when the pods were scanned as they were read (live, page by page, with the
   * options the doctor runs with): `objects.pods` then holds only the pods finding
   * the Cluster Agent reads. Absent, `objects.pods` holds every pod read (live with
   * the list of every pod refused: those finding the Cluster Agent read in its
   * namespace) and the doctor scans them itself.
   */
  podScan: podScanSchema.optional(),
});
export type ClusterSnapshot = z.infer<typeof clusterSnapshotSchema>;

/** The not-readable marker for `resource`, if it could not be read. */
export function unreadable(snapshot: ClusterSnapshot, resource: SnapshotResource): Unreadable | undefined {
  return snapshot.unreadable.find((u) => u.resource === resource);
}

/** `list pods`, `list mutatingwebhookconfigurations.admissionregistration.k8s.io`: what a Role must grant. */
export function permissionFor(u: Pick<Unreadable, 'resource' | 'verb'>): string {
  const group = resourceGroup(u.resource);
  return `${u.verb} ${u.resource}${group ? `.${group}` : ''}`;
}
