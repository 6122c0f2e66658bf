import type { KubeObject } from '../review/pod.js';
import { POD_TEMPLATE_PATHS } from '../webhooks/workloads.js';
import { kubectlRef, shellQuote } from './objects.js';
import type { ClusterSnapshot, PodTemplate, SnapshotCronJob, SnapshotObject, SnapshotPod, SnapshotResource, SnapshotWorkload } from './snapshot.js';

// The workloads users write, and the owner chains of the pods they create:
// what the label checks read and what the stale-pod check groups by.

/** The resources the workload checks read: the workloads users write, what they create, and pods. */
export const WORKLOAD_RESOURCES = ['deployments', 'statefulsets', 'daemonsets', 'cronjobs', 'replicasets', 'jobs', 'pods'] as const satisfies readonly SnapshotResource[];

/** A workload with a pod template. */
export type Workload = SnapshotWorkload | SnapshotCronJob;

/** Deployments, StatefulSets, DaemonSets and CronJobs, plus the ReplicaSets and Jobs no controller owns. */
export function userWorkloads(snapshot: ClusterSnapshot): Workload[] {
  const o = snapshot.objects;
  const unowned = (w: SnapshotWorkload) => !(w.metadata.ownerReferences ?? []).some((r) => r.controller);
  return [...o.deployments, ...o.statefulsets, ...o.daemonsets, ...o.cronjobs, ...o.replicasets.filter(unowned), ...o.jobs.filter(unowned)];
}

/** A workload's pod template. */
export function podTemplate(w: Workload): PodTemplate | undefined {
  const template = w.kind === 'CronJob' ? (w as SnapshotCronJob).spec?.jobTemplate?.spec?.template : (w as SnapshotWorkload).spec?.template;
  return template ?? undefined;
}

/** `kubectl patch` merging `metadata` into the workload's pod template. */
export function templatePatchCommand(w: Workload, metadata: Record<string, unknown>): string {
  const path = POD_TEMPLATE_PATHS[w.kind ?? ''] ?? ['spec', 'template'];
  const patch = path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), { metadata });
  return `kubectl patch ${kubectlRef(w.kind ?? '', w.metadata.name, w.metadata.namespace)} --type merge -p ${shellQuote(JSON.stringify(patch))}`;
}

/** Looks objects up by kind, namespace and name. */
export interface OwnerIndex {
  get(kind: string, namespace: string, name: string): SnapshotObject | undefined;
}

/** An index of every object a pod can be owned by (ReplicaSets, Deployments, Jobs, CronJobs, StatefulSets, DaemonSets). */
export function ownerIndex(snapshot: ClusterSnapshot): OwnerIndex {
  const o = snapshot.objects;
  const map = new Map<string, SnapshotObject>();
  for (const obj of [...o.replicasets, ...o.deployments, ...o.jobs, ...o.cronjobs, ...o.statefulsets, ...o.daemonsets]) {
    map.set(`${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, obj);
  }
  return { get: (kind, namespace, name) => map.get(`${kind}/${namespace}/${name}`) };
}

/** The objects a pod's owner references name, and the ones theirs name (ReplicaSet then Deployment, Job then CronJob), as far as the snapshot has them. */
export function podOwners(pod: SnapshotPod, index: OwnerIndex): KubeObject[] {
  const namespace = pod.metadata.namespace ?? '';
  const found: KubeObject[] = [];
  let refs = pod.metadata.ownerReferences ?? [];
  for (let depth = 0; depth < 2 && refs.length > 0; depth++) {
    const level = refs.flatMap((r) => index.get(r.kind, namespace, r.name) ?? []);
    found.push(...(level as KubeObject[]));
    refs = level.flatMap((o) => o.metadata.ownerReferences ?? []);
  }
  return found;
}

/** What a user restarts for this pod: the top of its controller chain (by reference when the snapshot lacks the object); undefined for a pod nothing owns. */
export function restartTarget(pod: SnapshotPod, index: OwnerIndex): { kind: string; name: string } | undefined {
  const namespace = pod.metadata.namespace ?? '';
  let ref = controllerRef(pod.metadata.ownerReferences);
  for (let depth = 0; depth < 2 && ref; depth++) {
    const next = controllerRef(index.get(ref.kind, namespace, ref.name)?.metadata.ownerReferences);
    if (!next) break;
    ref = next;
  }
  return ref ? { kind: ref.kind, name: ref.name } : undefined;
}

function controllerRef<R extends { controller?: boolean | null }>(refs: readonly R[] | null | undefined): R | undefined {
  return refs?.find((r) => r.controller) ?? refs?.[0];
}
