import type { KubeObject, OwnerReference } from '../review/pod.js';

/** Where an owner reference points, as the tags webhook fetches it (tags-injection spec §3). */
export interface OwnerResource {
  group: string;
  version: string;
  /** Lower-cased kind + "s" (`ReplicaSet` -> `replicasets`). */
  resource: string;
  kind: string;
  name: string;
  namespace: string;
}

/** The resource an owner reference names, in `namespace`. */
export function ownerResource(ref: OwnerReference, namespace: string): OwnerResource {
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  const version = slash < 0 ? ref.apiVersion : ref.apiVersion.slice(slash + 1);
  return { group, version, resource: ref.kind.toLowerCase() + 's', kind: ref.kind, name: ref.name, namespace };
}

/** The cluster agent's owner cache key: `<ns>/<name>/<group>/<version>, Resource=<resource>`. */
export function ownerCacheKey(r: OwnerResource): string {
  return `${r.namespace}/${r.name}/${r.group}/${r.version}, Resource=${r.resource}`;
}

/** Finds the object an owner reference names among the objects the adapter supplied. */
export function findOwner(owners: readonly KubeObject[], r: OwnerResource): KubeObject | undefined {
  return owners.find(
    (o) =>
      o.kind === r.kind &&
      o.metadata.name === r.name &&
      apiGroup(o.apiVersion) === r.group &&
      (!o.metadata.namespace || o.metadata.namespace === r.namespace),
  );
}

function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Describes an owner for messages: `ReplicaSet web-5d8f7c9b4 in namespace shop`. */
export function describeOwner(r: OwnerResource): string {
  return `${r.kind} ${r.name} in namespace ${r.namespace}`;
}
