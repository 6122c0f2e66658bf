import { z } from 'zod';

// The part of the API server's v1 Pod validation (k8s.io/kubernetes
// pkg/apis/core/validation) that a mutating webhook can break by adding env
// vars, volumes, mounts or containers. Field paths and messages follow the API
// server's style (`spec.containers[0].env[1].valueFrom: Invalid value: ...`)
// so a failure reads like the rejection a user would get from `kubectl apply`.

/** One validation failure: the field path and what is wrong with it. */
export interface PodValidationError {
  path: string;
  message: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Label = z
  .string({ error: 'Required value' })
  .min(1, { error: 'Required value', abort: true })
  .max(63, { error: 'Invalid value: must be no more than 63 characters', abort: true })
  .regex(DNS1123_LABEL, { error: 'Invalid value: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "-", and must start and end with an alphanumeric character' });

const requiredString = z.string({ error: 'Required value' }).min(1, { error: 'Required value', abort: true });

// Since Kubernetes 1.30 env names may be any printable ASCII except "=".
const envName = requiredString.regex(/^[\x20-\x3c\x3e-\x7e]+$/, { error: 'Invalid value: must consist of printable ASCII characters except "="' });

const keyRef = z.looseObject({ key: requiredString, name: z.string().nullish(), optional: z.boolean().nullish() });

/** The env var sources the API server knows; exactly one must be set. */
const ENV_SOURCES = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const;

/** Pod fields an env var may reference (the API server's downward-API list for env). */
const ENV_FIELD_PATHS = new Set([
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);
const SUBSCRIPTED_FIELD_PATH = /^metadata\.(labels|annotations)\['[^']+'\]$/;

const fieldPath = requiredString.refine((p) => ENV_FIELD_PATHS.has(p) || SUBSCRIPTED_FIELD_PATH.test(p), {
  error: (i) => `Unsupported value: ${JSON.stringify(i.input)}`,
});

const envVarSource = z.looseObject({
  fieldRef: z.looseObject({ fieldPath, apiVersion: z.string().nullish() }).nullish(),
  resourceFieldRef: z.looseObject({ resource: requiredString, containerName: z.string().nullish() }).nullish(),
  configMapKeyRef: keyRef.nullish(),
  secretKeyRef: keyRef.nullish(),
});

const envVar = z.looseObject({
  name: envName,
  value: z.string({ error: 'Invalid value: must be a string' }).nullish(),
  valueFrom: envVarSource.nullish(),
});

const volumeMount = z.looseObject({
  name: requiredString,
  mountPath: requiredString,
  readOnly: z.boolean({ error: 'Invalid value: must be a boolean' }).nullish(),
});

const container = z.looseObject({
  name: dns1123Label,
  image: requiredString,
  env: z.array(envVar).nullish(),
  volumeMounts: z.array(volumeMount).nullish(),
});

const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'] as const;

/** Volume sources this validation knows; a volume with none is defaulted to emptyDir by the API server. */
const VOLUME_SOURCES = ['emptyDir', 'hostPath', 'configMap', 'secret', 'persistentVolumeClaim', 'projected', 'downwardAPI', 'csi', 'ephemeral', 'nfs'] as const;

const volume = z.looseObject({
  name: dns1123Label,
  hostPath: z
    .looseObject({
      path: requiredString,
      type: z.enum(HOST_PATH_TYPES, { error: 'Unsupported value' }).nullish(),
    })
    .nullish(),
});

const podShape = z.looseObject({
  metadata: z.looseObject({}).nullish(),
  spec: z.looseObject(
    {
      containers: z.array(container, { error: 'Required value' }).min(1, { error: 'Required value' }),
      initContainers: z.array(container).nullish(),
      volumes: z.array(volume).nullish(),
    },
    { error: 'Required value' },
  ),
});

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function field(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/** Validates `pod` like the API server would after the webhooks ran; empty when valid. */
export function validatePod(pod: unknown): PodValidationError[] {
  const errors: PodValidationError[] = [];
  const parsed = podShape.safeParse(pod);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors.push({ path: field(issue.path), message: issue.message });
  }
  // The cross-field rules run on whatever shape there is, so one bad field does not hide the others.
  const spec = isObject(pod) && isObject(pod.spec) ? pod.spec : {};
  errors.push(...containerNameErrors(spec), ...volumeErrors(spec), ...envErrors(spec), ...mountErrors(spec));
  return errors;
}

function containerLists(spec: Obj): [string, Obj[]][] {
  return (['initContainers', 'containers'] as const).map((key) => [key, list(spec[key]).filter(isObject)]);
}

/** Container names are unique across containers and init containers. */
function containerNameErrors(spec: Obj): PodValidationError[] {
  const errors: PodValidationError[] = [];
  const seen = new Set<string>();
  for (const [key, containers] of containerLists(spec)) {
    containers.forEach((c, i) => {
      if (typeof c.name !== 'string') return;
      if (seen.has(c.name)) errors.push({ path: `spec.${key}[${i}].name`, message: `Duplicate value: "${c.name}"` });
      seen.add(c.name);
    });
  }
  return errors;
}

/** Volume names are unique; at most one source each. */
function volumeErrors(spec: Obj): PodValidationError[] {
  const errors: PodValidationError[] = [];
  const seen = new Set<string>();
  list(spec.volumes).forEach((v, i) => {
    if (!isObject(v)) return;
    if (typeof v.name === 'string') {
      if (seen.has(v.name)) errors.push({ path: `spec.volumes[${i}].name`, message: `Duplicate value: "${v.name}"` });
      seen.add(v.name);
    }
    const sources = VOLUME_SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
    if (sources.length > 1) {
      errors.push({ path: `spec.volumes[${i}].${sources[1]}`, message: 'Forbidden: may not specify more than 1 volume type' });
    }
  });
  return errors;
}

/** An env var has a value or a valueFrom with exactly one source, not both. */
function envErrors(spec: Obj): PodValidationError[] {
  const errors: PodValidationError[] = [];
  for (const [key, containers] of containerLists(spec)) {
    containers.forEach((c, ci) => {
      list(c.env).forEach((e, ei) => {
        if (!isObject(e) || !isObject(e.valueFrom)) return;
        const at = `spec.${key}[${ci}].env[${ei}].valueFrom`;
        if (typeof e.value === 'string' && e.value !== '') {
          errors.push({ path: at, message: 'Invalid value: may not be specified when `value` is not empty' });
        }
        const from = e.valueFrom;
        const count = ENV_SOURCES.filter((s) => from[s] !== undefined && from[s] !== null).length;
        if (count === 0) errors.push({ path: at, message: `Invalid value: must specify one of: ${ENV_SOURCES.map((s) => '`' + s + '`').join(', ')}` });
        if (count > 1) errors.push({ path: at, message: 'Invalid value: may not have more than one field specified at a time' });
      });
    });
  }
  return errors;
}

/** Every mount names a volume of the pod; mount paths are unique within a container. */
function mountErrors(spec: Obj): PodValidationError[] {
  const errors: PodValidationError[] = [];
  const volumes = new Set(list(spec.volumes).flatMap((v) => (isObject(v) && typeof v.name === 'string' ? [v.name] : [])));
  for (const [key, containers] of containerLists(spec)) {
    containers.forEach((c, ci) => {
      const paths = new Set<string>();
      list(c.volumeMounts).forEach((m, mi) => {
        if (!isObject(m)) return;
        const at = `spec.${key}[${ci}].volumeMounts[${mi}]`;
        if (typeof m.name === 'string' && m.name !== '' && !volumes.has(m.name)) {
          errors.push({ path: `${at}.name`, message: `Not found: "${m.name}"` });
        }
        if (typeof m.mountPath !== 'string' || m.mountPath === '') return;
        if (paths.has(m.mountPath)) errors.push({ path: `${at}.mountPath`, message: `Invalid value: "${m.mountPath}": must be unique` });
        paths.add(m.mountPath);
      });
    });
  }
  return errors;
}

/** `path: message` lines, for assertion messages. */
export function formatPodValidationErrors(errors: readonly PodValidationError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('\n');
}
