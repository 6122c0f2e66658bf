import type { AdmissionConfig } from '../../config/schema.js';
import { isLegacyCluster } from '../../webhooks/selection.js';
import { mutate } from '../../webhooks/mutate.js';
import type { MutationEvent } from '../../webhooks/report.js';
import type { Check, CheckInput } from '../check.js';
import type { DoctorContext } from '../context.js';
import { verdict } from '../finding.js';
import { findNamed, listSome } from '../objects.js';
import type { ClusterSnapshot, SnapshotPod, StaleWorkload } from '../snapshot.js';
import { ownerIndex, podOwners, restartTarget, type OwnerIndex } from '../workloads.js';

// `stale-pods`: the webhook only acts when a pod is created, so pods created
// before it existed, before its configuration last changed, or while it was
// unreachable run without what it injects. The core itself finds them: run on
// a stored pod with its owners, it yields an empty patch exactly when the pod
// is up to date (idempotence). Pods are judged one at a time as they are read
// (see pod-scan.ts) and only their workload's tally is kept.

export const stalePodsCheck: Check = {
  id: 'stale-pods',
  category: 'workloads',
  anchor: 'existing-pods-are-not-updated',
  reads: ['pods'],
  run: assess,
};

/** A running pod the webhook would change today: what the check reports of it. */
export interface StalePod {
  /** As the pod says (`''` when it does not). */
  namespace: string;
  name: string;
  creationTimestamp: string;
  /** What the webhook would add or change. */
  events: MutationEvent[];
  /** The workload to restart (undefined for a pod nothing owns). */
  owner: { kind: string; name: string } | undefined;
}

/** What judging a pod reads from the snapshot, looked up once for all pods. */
export interface StaleJudge {
  config: AdmissionConfig;
  agentNamespace: string;
  owners: OwnerIndex;
  namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  legacy: boolean;
}

/** The lookups judging the pods of `snapshot` needs. */
export function staleJudge(snapshot: ClusterSnapshot, agentNamespace: string, config: AdmissionConfig): StaleJudge {
  const namespaceLabels = new Map(snapshot.objects.namespaces.map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
  return { config, agentNamespace, owners: ownerIndex(snapshot), namespaceLabels, legacy: legacyCluster(snapshot) };
}

/** The pod, when it is running and its mutation today yields a non-empty patch; undefined when it is up to date or done. */
export function stalePod(pod: SnapshotPod, judge: StaleJudge): StalePod | undefined {
  if (!isRunning(pod)) return undefined;
  const namespace = pod.metadata.namespace ?? 'default';
  const result = mutate(
    pod,
    {
      namespace,
      agentNamespace: judge.agentNamespace,
      owners: podOwners(pod, judge.owners),
      namespaceLabels: judge.namespaceLabels.get(namespace) ?? {},
      legacyNamespaceSelector: judge.legacy,
    },
    judge.config,
  );
  if (result.patch.length === 0) return undefined;
  return { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name, creationTimestamp: pod.metadata.creationTimestamp ?? '', events: result.events, owner: restartTarget(pod, judge.owners) };
}

/** Whether the pod still runs (a finished pod is never recreated by a restart). */
export function isRunning(pod: SnapshotPod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** Adds a stale pod to its workload's tally (keyed by namespace and workload, in the order first met). */
export function tallyStale(workloads: Map<string, StaleWorkload>, pod: StalePod): void {
  const key = `${pod.namespace}\n${pod.owner ? `${pod.owner.kind}/${pod.owner.name}` : `Pod/${pod.name}`}`;
  const known = workloads.get(key);
  if (!known) {
    workloads.set(key, { namespace: pod.namespace, ...(pod.owner ? { owner: pod.owner } : {}), count: 1, names: [pod.name], injects: injected(pod.events), newest: pod.creationTimestamp });
    return;
  }
  known.count++;
  if (known.names.length < SHOWN_NAMES || fixNamesEachPod(known.owner)) known.names.push(pod.name);
  if (pod.creationTimestamp > known.newest) known.newest = pod.creationTimestamp;
}

/** Pod names a detail line shows. */
const SHOWN_NAMES = 3;

const RESTARTABLE = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Whether the fix deletes the pods one by one (nothing restartable owns them), and so needs every name. */
function fixNamesEachPod(owner: StaleWorkload['owner']): boolean {
  return !owner || (!RESTARTABLE.has(owner.kind) && owner.kind !== 'CronJob');
}

function legacyCluster(snapshot: ClusterSnapshot): boolean {
  try {
    return snapshot.serverVersion ? isLegacyCluster(snapshot.serverVersion) : false;
  } catch {
    return false; // An unreadable minor version: the Cluster Agent would not start its controllers either.
  }
}

function assess({ snapshot, context, config }: CheckInput) {
  const { checked, stale: workloads } = context.pods;
  const stale = workloads.reduce((sum, w) => sum + w.count, 0);
  if (stale === 0) return verdict('ok', `${checked} running pod${checked === 1 ? '' : 's'} checked: each already has what the webhook injects today`);
  const details = workloads.map(
    (w) =>
      `${workloadRef(w)} in ${w.namespace}: ${w.count} pod${w.count === 1 ? '' : 's'} (${listSome(w.names, SHOWN_NAMES, w.count)}) would get ${w.injects}; ${cause(snapshot, context, config, w.newest)}`,
  );
  return verdict(
    'warn',
    `${stale} running pod${stale === 1 ? '' : 's'} in ${workloads.length} workload${workloads.length === 1 ? '' : 's'} lack${stale === 1 ? 's' : ''} what the webhook injects today: recreate ${stale === 1 ? 'it' : 'them'}`,
    details,
    workloads.map(restartLine).join('\n'),
  );
}

function workloadRef(w: StaleWorkload): string {
  return w.owner ? `${w.owner.kind}/${w.owner.name}` : `Pod/${w.names[0]}`;
}

/** `env DD_AGENT_HOST, DD_ENTITY_ID (config); env DD_ENV (tags)`. */
function injected(events: readonly MutationEvent[]): string {
  const byWebhook = new Map<string, Set<string>>();
  for (const e of events) byWebhook.set(e.webhook, (byWebhook.get(e.webhook) ?? new Set()).add(`${e.kind} ${e.name}`));
  return [...byWebhook].map(([webhook, items]) => `${[...items].join(', ')} (${webhook})`).join('; ') || 'changes';
}

/** Why these pods were missed, from the newest one's creation time: before the webhook, before the running Cluster Agent, or while it was unreachable. */
function cause(snapshot: ClusterSnapshot, context: DoctorContext, config: AdmissionConfig, newest: string): string {
  const webhook = findNamed(snapshot.objects.mutatingwebhookconfigurations, undefined, config.admission_controller.webhook_name)?.metadata.creationTimestamp;
  const agentStart = (context.agent?.pods ?? []).map((p) => p.metadata.creationTimestamp ?? '').filter(Boolean).sort()[0];
  if (!newest) return 'created at an unknown time';
  if (webhook && Date.parse(newest) < Date.parse(webhook)) return `created before the webhook configuration (${webhook})`;
  if (agentStart && Date.parse(newest) < Date.parse(agentStart)) return `created before the running Cluster Agent started (${agentStart}): its configuration may have changed since`;
  return 'created while the webhook was in place: it was unreachable or failed for them (see connectivity)';
}

function restartLine(w: StaleWorkload): string {
  const { namespace, owner } = w;
  if (owner && RESTARTABLE.has(owner.kind)) return `kubectl rollout restart ${owner.kind.toLowerCase()}/${owner.name} -n ${namespace}`;
  if (owner?.kind === 'CronJob') return `# CronJob ${namespace}/${owner.name}: its next Job is mutated; to run one now: kubectl create job --from=cronjob/${owner.name} ${owner.name}-now -n ${namespace}`;
  const recreate = owner ? `# its ${owner.kind} ${owner.name} recreates them` : '# then create them again from their manifests';
  return `kubectl delete pod ${w.names.join(' ')} -n ${namespace}   ${recreate}`;
}
