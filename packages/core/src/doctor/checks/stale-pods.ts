import type { AdmissionConfig } from '../../config/schema.js';
import { isLegacyCluster } from '../../webhooks/selection.js';
import { mutate } from '../../webhooks/mutate.js';
import type { MutationEvent } from '../../webhooks/report.js';
import type { MutationContext } from '../../webhooks/webhook.js';
import type { Check, CheckInput } from '../check.js';
import { inScope, type DoctorContext } from '../context.js';
import { verdict } from '../finding.js';
import { findNamed, listSome } from '../objects.js';
import type { ClusterSnapshot, SnapshotPod } from '../snapshot.js';
import { ownerIndex, podOwners, restartTarget } from '../workloads.js';

// `stale-pods`: the webhook only acts when a pod is created, so pods created
// before it existed, before its configuration last changed, or while it was
// unreachable run without what it injects. The core itself finds them: run on
// a stored pod with its owners, it yields an empty patch exactly when the pod
// is up to date (idempotence). Grouped by the workload to restart.

export const stalePodsCheck: Check = {
  id: 'stale-pods',
  category: 'workloads',
  anchor: 'existing-pods-are-not-updated',
  reads: ['pods'],
  run: assess,
};

/** A running pod the webhook would change today. */
export interface StalePod {
  pod: SnapshotPod;
  /** What the webhook would add or change. */
  events: MutationEvent[];
  /** The workload to restart (undefined for a pod nothing owns). */
  owner: { kind: string; name: string } | undefined;
}

/** Running pods in scope whose mutation today yields a non-empty patch. */
export function stalePods(snapshot: ClusterSnapshot, context: DoctorContext, config: AdmissionConfig): StalePod[] {
  const index = ownerIndex(snapshot);
  const legacy = legacyCluster(snapshot);
  const out: StalePod[] = [];
  for (const pod of snapshot.objects.pods) {
    if (!isRunning(pod) || !inScope(context, pod.metadata.namespace)) continue;
    const namespace = pod.metadata.namespace ?? 'default';
    const mutation: MutationContext = {
      namespace,
      agentNamespace: context.agent?.namespace ?? 'default',
      owners: podOwners(pod, index),
      namespaceLabels: findNamed(snapshot.objects.namespaces, undefined, namespace)?.metadata.labels ?? {},
      legacyNamespaceSelector: legacy,
    };
    const result = mutate(pod, mutation, config);
    if (result.patch.length > 0) out.push({ pod, events: result.events, owner: restartTarget(pod, index) });
  }
  return out;
}

function isRunning(pod: SnapshotPod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

function legacyCluster(snapshot: ClusterSnapshot): boolean {
  try {
    return snapshot.serverVersion ? isLegacyCluster(snapshot.serverVersion) : false;
  } catch {
    return false; // An unreadable minor version: the Cluster Agent would not start its controllers either.
  }
}

const RESTARTABLE = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

function assess({ snapshot, context, config }: CheckInput) {
  const stale = stalePods(snapshot, context, config);
  const checked = snapshot.objects.pods.filter((p) => isRunning(p) && inScope(context, p.metadata.namespace)).length;
  if (stale.length === 0) return verdict('ok', `${checked} running pod${checked === 1 ? '' : 's'} checked: each already has what the webhook injects today`);
  const groups = new Map<string, StalePod[]>();
  for (const s of stale) {
    const key = `${s.pod.metadata.namespace ?? ''}\n${s.owner ? `${s.owner.kind}/${s.owner.name}` : `Pod/${s.pod.metadata.name}`}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const details: string[] = [];
  const fixes: string[] = [];
  for (const [key, members] of groups) {
    const [namespace, ref] = key.split('\n') as [string, string];
    const names = members.map((m) => m.pod.metadata.name);
    details.push(`${ref} in ${namespace}: ${names.length} pod${names.length === 1 ? '' : 's'} (${listSome(names, 3)}) would get ${injected(members[0]!.events)}; ${cause(snapshot, context, config, members)}`);
    fixes.push(restartLine(namespace, members[0]!.owner, names));
  }
  return verdict(
    'warn',
    `${stale.length} running pod${stale.length === 1 ? '' : 's'} in ${groups.size} workload${groups.size === 1 ? '' : 's'} lack${stale.length === 1 ? 's' : ''} what the webhook injects today: recreate ${stale.length === 1 ? 'it' : 'them'}`,
    details,
    fixes.join('\n'),
  );
}

/** `env DD_AGENT_HOST, DD_ENTITY_ID (config); env DD_ENV (tags)`. */
function injected(events: readonly MutationEvent[]): string {
  const byWebhook = new Map<string, Set<string>>();
  for (const e of events) byWebhook.set(e.webhook, (byWebhook.get(e.webhook) ?? new Set()).add(`${e.kind} ${e.name}`));
  return [...byWebhook].map(([webhook, items]) => `${[...items].join(', ')} (${webhook})`).join('; ') || 'changes';
}

/** Why these pods were missed, from creation times: before the webhook, before the running Cluster Agent, or while it was unreachable. */
function cause(snapshot: ClusterSnapshot, context: DoctorContext, config: AdmissionConfig, members: readonly StalePod[]): string {
  const newest = members.map((m) => m.pod.metadata.creationTimestamp ?? '').sort().at(-1) ?? '';
  const webhook = findNamed(snapshot.objects.mutatingwebhookconfigurations, undefined, config.admission_controller.webhook_name)?.metadata.creationTimestamp;
  const agentStart = (context.agent?.pods ?? []).map((p) => p.metadata.creationTimestamp ?? '').filter(Boolean).sort()[0];
  if (!newest) return 'created at an unknown time';
  if (webhook && Date.parse(newest) < Date.parse(webhook)) return `created before the webhook configuration (${webhook})`;
  if (agentStart && Date.parse(newest) < Date.parse(agentStart)) return `created before the running Cluster Agent started (${agentStart}): its configuration may have changed since`;
  return 'created while the webhook was in place: it was unreachable or failed for them (see connectivity)';
}

function restartLine(namespace: string, owner: { kind: string; name: string } | undefined, pods: readonly string[]): string {
  if (owner && RESTARTABLE.has(owner.kind)) return `kubectl rollout restart ${owner.kind.toLowerCase()}/${owner.name} -n ${namespace}`;
  if (owner?.kind === 'CronJob') return `# CronJob ${namespace}/${owner.name}: its next Job is mutated; to run one now: kubectl create job --from=cronjob/${owner.name} ${owner.name}-now -n ${namespace}`;
  const recreate = owner ? `# its ${owner.kind} ${owner.name} recreates them` : '# then create them again from their manifests';
  return `kubectl delete pod ${pods.join(' ')} -n ${namespace}   ${recreate}`;
}
