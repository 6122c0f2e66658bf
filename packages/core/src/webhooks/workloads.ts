import type { Operation } from 'fast-json-patch';
import { ENABLED_LABEL, CONFIG_MODE_LABEL, STANDARD_TAG_LABELS } from './labels.js';
import { toPointer } from './json-pointer.js';
import type { KubeObject, ObjectMeta, Pod } from '../review/pod.js';

/** Where each workload kind keeps its pod template. */
export const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** A document seen as the pod the webhook would receive for it. */
export interface PodView {
  /** `Pod`, or the workload kind. */
  kind: string;
  /** The pod as the API server would send it to the webhook. */
  pod: Pod;
  /** Owner objects the tags webhook would fetch, as the cluster would hold them. */
  owners: KubeObject[];
  /** Path of the pod template inside the document; empty for a Pod. */
  templatePath: readonly string[];
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function getIn(root: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), root);
}

/** Whether `kind` is a Pod or a workload with a pod template. */
export function isPodBearing(kind: unknown): boolean {
  return kind === 'Pod' || (typeof kind === 'string' && Object.hasOwn(POD_TEMPLATE_PATHS, kind));
}

/** Thrown when a document cannot be turned into a pod; `path` is a dotted path into the document. */
export class InvalidDocumentError extends Error {
  constructor(
    /** What is wrong, without the path. */
    readonly detail: string,
    readonly path: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = 'InvalidDocumentError';
  }
}

/**
 * The pod the webhook would see for a Pod or a workload: a workload's pod template
 * with the owner chain its controller creates (Deployment -> ReplicaSet -> pod,
 * CronJob -> Job -> pod), so the tags webhook reads owner labels as in the cluster.
 */
export function podView(doc: Obj, defaultNamespace: string): PodView {
  const kind = doc.kind;
  const meta = (isObject(doc.metadata) ? doc.metadata : {}) as ObjectMeta;
  const namespace = meta.namespace || defaultNamespace;
  if (kind === 'Pod') {
    const pod = { ...doc, metadata: { ...meta, namespace } } as Pod;
    return { kind: 'Pod', pod, owners: [], templatePath: [] };
  }
  if (typeof kind !== 'string' || !Object.hasOwn(POD_TEMPLATE_PATHS, kind)) {
    throw new InvalidDocumentError(`kind ${JSON.stringify(kind)} has no pod template`, 'kind');
  }
  const templatePath = POD_TEMPLATE_PATHS[kind]!;
  const template = getIn(doc, templatePath);
  if (!isObject(template)) throw new InvalidDocumentError('missing pod template', templatePath.join('.'));
  const workload = { ...doc, metadata: { ...meta, namespace } } as KubeObject;
  const chain = ownerChain(workload, template);
  const templateMeta = (isObject(template.metadata) ? template.metadata : {}) as ObjectMeta;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...templateMeta,
      generateName: `${chain.direct.metadata.name ?? 'pod'}-`,
      namespace,
      ownerReferences: [ownerRef(chain.direct)],
    },
    spec: template.spec as Pod['spec'],
  };
  return { kind, pod, owners: chain.owners, templatePath };
}

function ownerRef(o: KubeObject) {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name ?? '', controller: true, blockOwnerDeletion: true };
}

/** The object that directly owns the pods of a workload, and every object in the chain. */
function ownerChain(workload: KubeObject, template: Obj): { direct: KubeObject; owners: KubeObject[] } {
  const name = workload.metadata.name ?? '';
  const namespace = workload.metadata.namespace;
  const templateLabels = (isObject(template.metadata) ? (template.metadata as ObjectMeta).labels : undefined) ?? {};
  if (workload.kind === 'Deployment') {
    const hash = podTemplateHash(template);
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${name}-${hash}`, namespace, labels: { ...templateLabels, 'pod-template-hash': hash }, ownerReferences: [ownerRef(workload)] },
    };
    return { direct: rs, owners: [rs, workload] };
  }
  if (workload.kind === 'CronJob') {
    const jobTemplate = getIn(workload, ['spec', 'jobTemplate']);
    const jobMeta = (isObject(jobTemplate) && isObject(jobTemplate.metadata) ? jobTemplate.metadata : {}) as ObjectMeta;
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: `${name}-28000000`, namespace, labels: { ...(jobMeta.labels ?? {}) }, ownerReferences: [ownerRef(workload)] },
    };
    return { direct: job, owners: [job, workload] };
  }
  return { direct: workload, owners: [workload] };
}

const SAFE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** A pod-template-hash like the Deployment controller's (FNV-1a of the template, safe-encoded). */
export function podTemplateHash(template: unknown): string {
  let h = 0x811c9dc5;
  const text = JSON.stringify(template) ?? '';
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return [...String(h)].map((c) => SAFE_CHARS[c.charCodeAt(0) % SAFE_CHARS.length]).join('');
}

/**
 * The document with the mutated pod written back: the pod's spec, and its
 * annotations when a webhook changed them (safe-to-evict, 7.58+), into the Pod or
 * the workload's pod template. Nothing else of the pod's metadata is written back.
 */
export function documentWithPod(doc: Obj, view: PodView, pod: Pod): Obj {
  const annotations = pod.metadata?.annotations;
  // Edits copy what they touch, so unchanged annotations are the very object the view read.
  const withAnnotations = (target: Obj): Obj =>
    annotations === view.pod.metadata?.annotations ? target : { ...target, metadata: { ...(isObject(target.metadata) ? target.metadata : {}), annotations } };
  if (view.templatePath.length === 0) return { ...withAnnotations(doc), spec: pod.spec };
  return setIn(doc, view.templatePath, { ...withAnnotations(getIn(doc, view.templatePath) as Obj), spec: pod.spec });
}

function setIn(root: Obj, path: readonly string[], value: unknown): Obj {
  const [head, ...rest] = path;
  if (head === undefined) return value as Obj;
  return { ...root, [head]: rest.length === 0 ? value : setIn((root[head] as Obj) ?? {}, rest, value) };
}

/** The pod patch re-rooted at the document's pod template (the core changes the pod's spec and annotations only). */
export function documentPatch(patch: readonly Operation[], view: PodView): Operation[] {
  if (view.templatePath.length === 0) return [...patch];
  const prefix = toPointer(view.templatePath);
  return patch.map((op) => ({ ...op, path: prefix + op.path }));
}

/**
 * Labels and annotations the webhook reads from the pod but that sit on the
 * workload's own metadata instead of its pod template: the most common reason
 * "nothing was injected".
 */
export function misplacedMetadata(doc: Obj, view: PodView): string[] {
  if (view.templatePath.length === 0) return [];
  const kind = view.kind;
  const own = (isObject(doc.metadata) ? doc.metadata : {}) as ObjectMeta;
  const tpl = view.pod.metadata ?? {};
  const where = `${view.templatePath.join('.')}.metadata`;
  const out: string[] = [];
  const ownLabels = own.labels ?? {};
  const podLabels = tpl.labels ?? {};
  for (const key of [ENABLED_LABEL, CONFIG_MODE_LABEL]) {
    if (Object.hasOwn(ownLabels, key) && !Object.hasOwn(podLabels, key)) {
      out.push(`label ${key} is on the ${kind}'s metadata, but the webhook reads the pod's labels: move it to ${where}.labels`);
    }
  }
  const podAnnotations = tpl.annotations ?? {};
  for (const key of Object.keys(own.annotations ?? {})) {
    if (key.startsWith('admission.datadoghq.com/') && !Object.hasOwn(podAnnotations, key)) {
      out.push(`annotation ${key} is on the ${kind}'s metadata, but the webhook reads the pod's annotations: move it to ${where}.annotations`);
    }
  }
  out.push(...misplacedTagLabels(kind, ownLabels, podLabels, view, where));
  return out;
}

function misplacedTagLabels(kind: string, ownLabels: Record<string, string>, podLabels: Record<string, string>, view: PodView, where: string): string[] {
  const onOwner = STANDARD_TAG_LABELS.filter(({ label }) => Object.hasOwn(ownLabels, label) && !Object.hasOwn(podLabels, label)).map((t) => t.label);
  if (onOwner.length === 0) return [];
  const onPod = STANDARD_TAG_LABELS.filter(({ label }) => Object.hasOwn(podLabels, label)).map((t) => t.label);
  if (onPod.length > 0) {
    return [
      `${onOwner.join(', ')} ${onOwner.length > 1 ? 'are' : 'is'} on the ${kind}'s metadata but ignored: the pod template has ${onPod.join(', ')}, and when any standard tag label is on the pod, owner labels are not read. Put all of them in ${where}.labels`,
    ];
  }
  if (kind === 'CronJob') {
    const job = view.owners[0];
    const jobLabels = job?.metadata.labels ?? {};
    const missing = onOwner.filter((l) => !Object.hasOwn(jobLabels, l));
    if (missing.length > 0) {
      return [
        `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} on the CronJob's metadata, but the webhook reads the Job's labels (it does not follow a Job to its CronJob): move ${missing.length > 1 ? 'them' : 'it'} to ${where}.labels or spec.jobTemplate.metadata.labels`,
      ];
    }
  }
  return [];
}
