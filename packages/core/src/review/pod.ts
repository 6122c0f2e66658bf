import { z } from 'zod';
import { isNullish, isObj, optArrayOf, optBool, optString, optStringMap } from './shape.js';

/**
 * The parts of a v1 Pod the webhooks read or write, validated loosely: every
 * field the core does not know passes through untouched, so nothing is dropped.
 */
export const envVarSchema = z.looseObject({
  name: z.string(),
  value: z.string().nullish(),
  valueFrom: z.record(z.string(), z.unknown()).nullish(),
});
export type EnvVar = z.infer<typeof envVarSchema>;

export const volumeMountSchema = z.looseObject({
  name: z.string(),
  mountPath: z.string(),
  readOnly: z.boolean().nullish(),
});
export type VolumeMount = z.infer<typeof volumeMountSchema>;

export const containerSchema = z.looseObject({
  name: z.string(),
  image: z.string().nullish(),
  env: z.array(envVarSchema).nullish(),
  volumeMounts: z.array(volumeMountSchema).nullish(),
});
export type Container = z.infer<typeof containerSchema>;

export const volumeSchema = z.looseObject({ name: z.string() });
export type Volume = z.infer<typeof volumeSchema>;

export const ownerReferenceSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string().nullish(),
  controller: z.boolean().nullish(),
});
export type OwnerReference = z.infer<typeof ownerReferenceSchema>;

const stringMap = z.record(z.string(), z.string());

export const objectMetaSchema = z.looseObject({
  name: z.string().nullish(),
  generateName: z.string().nullish(),
  namespace: z.string().nullish(),
  uid: z.string().nullish(),
  labels: stringMap.nullish(),
  annotations: stringMap.nullish(),
  ownerReferences: z.array(ownerReferenceSchema).nullish(),
});
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

export const podSpecSchema = z.looseObject({
  containers: z.array(containerSchema).nullish(),
  initContainers: z.array(containerSchema).nullish(),
  volumes: z.array(volumeSchema).nullish(),
});
export type PodSpec = z.infer<typeof podSpecSchema>;

export const podSchema = z.looseObject({
  apiVersion: z.string().nullish(),
  kind: z.string().nullish(),
  metadata: objectMetaSchema.nullish(),
  spec: podSpecSchema.nullish(),
});
export type Pod = z.infer<typeof podSchema>;

/** Any Kubernetes object the tags webhook may read as a pod owner. */
export const kubeObjectSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: objectMetaSchema,
});
export type KubeObject = z.infer<typeof kubeObjectSchema>;

/** The two container lists of a pod spec, in the order the webhooks visit them. */
export type ContainerList = 'containers' | 'initContainers';

/** Thrown when an object is not a usable Pod; `path` is a dotted path into the object. */
export class InvalidPodError extends Error {
  constructor(
    /** What is wrong, without the path. */
    readonly detail: string,
    readonly path: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = 'InvalidPodError';
  }
}

/** Renders a zod issue path as `spec.containers[0].env[1].name`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

/**
 * Validates that `input` has the pod shape the webhooks rely on; returns it
 * unchanged (no copy). The schema is the authority; `hasPodShape` only answers
 * the common valid case faster (a property test holds it to the schema).
 */
export function parsePod(input: unknown): Pod {
  if (input === null || input === undefined) throw new InvalidPodError('no pod in the request', '');
  if (hasPodShape(input)) return input;
  const result = podSchema.safeParse(input);
  if (result.success) return input as Pod;
  const issue = result.error.issues[0]!;
  throw new InvalidPodError(issue.message, formatIssuePath(issue.path));
}

/** The name the cluster agent's logs use for a pod: its name, else its generateName. */
export function podDisplayName(pod: Pod): string {
  const meta = pod.metadata;
  if (meta?.name) return meta.name;
  if (meta?.generateName) return meta.generateName;
  return '';
}

/** The log phrase the cluster agent uses for a pod: `pod <ns>/<name>`, else `pod with generate name <generateName>`. */
export function podLogName(pod: Pod): string {
  const meta = pod.metadata;
  if (meta?.namespace && meta.name) return `pod ${meta.namespace}/${meta.name}`;
  return `pod with generate name ${meta?.generateName ?? ''}`;
}

const envShape = (e: unknown) => isObj(e) && typeof e.name === 'string' && optString(e.value) && (isNullish(e.valueFrom) || isObj(e.valueFrom));
const mountShape = (m: unknown) => isObj(m) && typeof m.name === 'string' && typeof m.mountPath === 'string' && optBool(m.readOnly);
const containerShape = (c: unknown) =>
  isObj(c) && typeof c.name === 'string' && optString(c.image) && optArrayOf(c.env, envShape) && optArrayOf(c.volumeMounts, mountShape);
const ownerShape = (o: unknown) =>
  isObj(o) && typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof o.name === 'string' && optString(o.uid) && optBool(o.controller);
const volumeShape = (v: unknown) => isObj(v) && typeof v.name === 'string';

/** Fast structural check equivalent to `podSchema` on valid input (never accepts what the schema rejects). */
export function hasPodShape(input: unknown): input is Pod {
  if (!isObj(input) || !optString(input.apiVersion) || !optString(input.kind)) return false;
  const meta = input.metadata;
  if (!isNullish(meta)) {
    if (!isObj(meta)) return false;
    for (const k of ['name', 'generateName', 'namespace', 'uid'] as const) if (!optString(meta[k])) return false;
    if (!optStringMap(meta.labels) || !optStringMap(meta.annotations) || !optArrayOf(meta.ownerReferences, ownerShape)) return false;
  }
  const spec = input.spec;
  if (isNullish(spec)) return true;
  if (!isObj(spec)) return false;
  return optArrayOf(spec.containers, containerShape) && optArrayOf(spec.initContainers, containerShape) && optArrayOf(spec.volumes, volumeShape);
}
