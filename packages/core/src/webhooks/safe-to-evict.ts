import { note, setAnnotation, type Journal } from './journal.js';

/** The annotation telling the cluster autoscaler which local volumes it may discard when it evicts the pod. */
export const SAFE_TO_EVICT_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes';

/** Adds `volume` to the comma list of the annotation, keeping what is there and never listing a name twice (7.58). */
export function markSafeToEvict(j: Journal, volume: string, reason: string): void {
  const annotations = j.pod.metadata?.annotations ?? {};
  const current = Object.hasOwn(annotations, SAFE_TO_EVICT_ANNOTATION) ? annotations[SAFE_TO_EVICT_ANNOTATION]!.split(',') : [];
  if (current.includes(volume)) return;
  const value = [...current, volume].join(',');
  setAnnotation(j, SAFE_TO_EVICT_ANNOTATION, value);
  note(j, { kind: 'annotation', action: current.length > 0 ? 'combined' : 'added', name: SAFE_TO_EVICT_ANNOTATION, value, reason });
}
