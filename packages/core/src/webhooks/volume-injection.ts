import type { ContainerList, Volume, VolumeMount } from '../review/pod.js';
import type { AgentVersion } from '../versions/agent-version.js';
import { hasChange } from '../versions/behaviour-changes.js';
import { appendVolume, appendVolumeMount, containersOf, note, setAnnotation, visits, type Journal } from './journal.js';

/** The cluster-autoscaler annotation naming the local volumes it may evict with the pod. */
export const SAFE_TO_EVICT_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes';

const LISTS: readonly ContainerList[] = ['containers', 'initContainers'];

/** A volume a webhook wants in the pod, the mount every container gets, and why. */
export interface PlannedVolume {
  volume: Volume;
  mount: VolumeMount;
  reason: string;
}

/**
 * Mounts the volume in every container and init container that has no mount of
 * that name or path, then appends the volume when a mount was added and the pod
 * has none of that name. Before 7.68 a volume of that name already in the pod
 * stops everything. A scoped journal mounts only in its scope's containers.
 * Returns whether the volume was appended.
 */
export function injectVolume(j: Journal, planned: PlannedVolume, version: AgentVersion): boolean {
  const { volume, mount, reason } = planned;
  const exists = (j.pod.spec?.volumes ?? []).some((v) => v.name === volume.name);
  if (exists && !hasChange(version, 'mounts-when-volume-exists')) return false;
  let mounted = false;
  for (const list of LISTS) {
    const containers = containersOf(j.pod, list);
    for (let i = 0; i < containers.length; i++) {
      if (!visits(j, list, containers[i]!)) continue;
      const mounts = containers[i]!.volumeMounts ?? [];
      if (mounts.some((m) => m.name === mount.name || m.mountPath === mount.mountPath)) continue;
      appendVolumeMount(j, list, i, mount);
      note(j, { kind: 'volumeMount', action: 'added', name: mount.name, container: containers[i]!.name, containerList: list, value: mount.mountPath, reason });
      mounted = true;
    }
  }
  if (!mounted || exists) return false;
  appendVolume(j, volume);
  note(j, { kind: 'volume', action: 'added', name: volume.name, value: describeVolume(volume), reason });
  return true;
}

/** Adds `name` to the safe-to-evict-local-volumes annotation, keeping the names already there (7.58). */
export function markSafeToEvict(j: Journal, name: string): void {
  const annotations = j.pod.metadata?.annotations;
  const current = annotations && Object.hasOwn(annotations, SAFE_TO_EVICT_ANNOTATION) ? annotations[SAFE_TO_EVICT_ANNOTATION]! : '';
  if (current.split(',').includes(name)) return;
  const value = current === '' ? name : `${current},${name}`;
  setAnnotation(j, SAFE_TO_EVICT_ANNOTATION, value);
  note(j, { kind: 'annotation', action: current === '' ? 'added' : 'combined', name: SAFE_TO_EVICT_ANNOTATION, value, reason: `the cluster autoscaler may evict the pod with the local volume ${name}` });
}

function describeVolume(volume: Volume): string {
  const v = volume as { hostPath?: { path?: string; type?: string }; csi?: { driver?: string; volumeAttributes?: Record<string, string> } };
  if (v.hostPath) return `hostPath ${v.hostPath.path ?? ''}${v.hostPath.type && v.hostPath.type !== 'DirectoryOrCreate' ? ` (${v.hostPath.type})` : ''}`;
  if (v.csi) return `csi ${v.csi.driver ?? ''} (type ${v.csi.volumeAttributes?.type ?? ''})`;
  return volume.name;
}
