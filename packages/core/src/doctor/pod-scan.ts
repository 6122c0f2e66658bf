import { ENABLED_LABEL } from '../webhooks/labels.js';
import { isRunning, staleJudge, stalePod, tallyStale } from './checks/stale-pods.js';
import type { AgentContext } from './context.js';
import { autopilotAnnotation } from './distribution.js';
import { inScope } from './objects.js';
import type { ClusterSnapshot, PodScan, SnapshotPod, StaleWorkload } from './snapshot.js';

// What the checks read from the pods, gathered one pod at a time: a live read
// feeds each page's pods to a scanner and drops them, so the doctor's memory
// does not grow with the cluster; a dump's pods go through the same scanner.
// Only small tallies are kept: the stale pods by workload, the bare pods that
// carry the enabled label, the first GKE Autopilot annotation.

/** Takes pods one at a time. */
export interface PodScanner {
  add(pod: SnapshotPod): void;
  /** The scan of the pods added so far. */
  result(): PodScan;
}

/** A scanner of the pods of `snapshot`'s cluster, judged with the Cluster Agent, configuration and scope of `context`. */
export function podScanner(snapshot: ClusterSnapshot, context: AgentContext): PodScanner {
  // Without a configuration, or with the admission controller disabled, `stale-pods` is skipped: running pods are only counted.
  const config = context.config?.admission_controller.enabled ? context.config : undefined;
  const judge = config && staleJudge(snapshot, context.agent?.namespace ?? 'default', config);
  const workloads = new Map<string, StaleWorkload>();
  const scan: PodScan = { count: 0, checked: 0, stale: [], labelledBarePods: [] };
  return {
    add(pod) {
      scan.count++;
      const annotation = scan.autopilot ? undefined : autopilotAnnotation(pod);
      if (annotation) scan.autopilot = { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, annotation };
      if (!inScope(context, pod.metadata.namespace)) return;
      const enabled = pod.metadata.labels?.[ENABLED_LABEL];
      if (enabled !== undefined && (pod.metadata.ownerReferences ?? []).length === 0) {
        scan.labelledBarePods.push({ namespace: pod.metadata.namespace, name: pod.metadata.name, enabled });
      }
      if (!isRunning(pod)) return;
      scan.checked++;
      const stale = judge && stalePod(pod, judge);
      if (stale) tallyStale(workloads, stale);
    },
    // Copies of what goes on changing as pods are added (the tallies, the list).
    result: () => ({ ...scan, stale: [...workloads.values()].map((w) => ({ ...w, names: [...w.names] })), labelledBarePods: [...scan.labelledBarePods] }),
  };
}

/** The scan of every pod the snapshot holds (a dump's, or lists read whole). */
export function scanPods(snapshot: ClusterSnapshot, context: AgentContext): PodScan {
  const scanner = podScanner(snapshot, context);
  for (const pod of snapshot.objects.pods) scanner.add(pod);
  return scanner.result();
}
