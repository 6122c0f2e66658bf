import { ownerCacheKey, ownerResource, type KubeObject, type OwnerReference, type Pod } from '@dd-admission/core';
import type { OwnerLookup } from './owner-lookup.js';

/** A fetch that failed: the core's owner cache key and why. */
export interface OwnerFetchFailure {
  key: string;
  message: string;
}

/** The owners fetched for one pod; `failure` when one could not be had (the core then fails open). */
export interface PodOwners {
  owners: KubeObject[];
  failure?: OwnerFetchFailure;
}

/**
 * Fetches what the tags webhook reads (tags-injection spec §3): the pod's first
 * owner and, when that is a ReplicaSet with an owner, the ReplicaSet's first owner.
 */
export async function fetchPodOwners(pod: Pod, namespace: string, lookup: OwnerLookup, dryRun: boolean): Promise<PodOwners> {
  const first = pod.metadata?.ownerReferences?.[0];
  if (!first) return { owners: [] };
  const owner = await fetchOne(first, namespace, lookup, dryRun);
  if ('failure' in owner) return { owners: [], failure: owner.failure };
  const next = owner.object.metadata.ownerReferences?.[0];
  if (owner.object.kind !== 'ReplicaSet' || !next) return { owners: [owner.object] };
  const parent = await fetchOne(next, namespace, lookup, dryRun);
  if ('failure' in parent) return { owners: [owner.object], failure: parent.failure };
  return { owners: [owner.object, parent.object] };
}

async function fetchOne(
  ref: OwnerReference,
  namespace: string,
  lookup: OwnerLookup,
  dryRun: boolean,
): Promise<{ object: KubeObject } | { failure: OwnerFetchFailure }> {
  const resource = ownerResource(ref, namespace);
  try {
    return { object: await lookup.get(resource, { dryRun }) };
  } catch (error) {
    return { failure: { key: ownerCacheKey(resource), message: errorText(error) } };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
