import type { Check, CheckInfo } from './check.js';
import { aksSelectorsCheck } from './checks/aks-selectors.js';
import { certificateCheck } from './checks/certificate.js';
import { assessClusterAgent, clusterAgentInfo } from './checks/cluster-agent.js';
import { connectivityCheck } from './checks/connectivity.js';
import { failurePolicyCheck } from './checks/failure-policy.js';
import { injectionModeCheck } from './checks/injection-mode.js';
import { networkPolicyCheck } from './checks/network-policy.js';
import { optInCheck } from './checks/opt-in.js';
import { stalePodsCheck } from './checks/stale-pods.js';
import { webhookConfigurationCheck } from './checks/webhook-configuration.js';
import { webhookServiceCheck } from './checks/webhook-service.js';
import { workloadLabelsCheck } from './checks/workload-labels.js';
import type { DoctorContext } from './context.js';
import { TROUBLESHOOTING_PAGE, verdict, type Finding, type Verdict } from './finding.js';
import { permissionFor, unreadable, type ClusterSnapshot } from './snapshot.js';

// The checks in the order they run and are shown. `cluster-agent` comes first
// and runs whatever it finds; the others need the Cluster Agent's
// configuration parsed and the admission controller enabled, and say so
// (skip) when they do not have it.

/** The checks that run once the configuration is known, in order. */
const GATED_CHECKS: readonly Check[] = [
  webhookConfigurationCheck,
  webhookServiceCheck,
  certificateCheck,
  failurePolicyCheck,
  injectionModeCheck,
  aksSelectorsCheck,
  networkPolicyCheck,
  workloadLabelsCheck,
  optInCheck,
  stalePodsCheck,
  connectivityCheck,
];

/** Every check's id, category and doc anchor, in order. */
export const DOCTOR_CHECKS: readonly CheckInfo[] = [clusterAgentInfo, ...GATED_CHECKS];

/** The stable ids, in order. */
export const DOCTOR_CHECK_IDS: readonly string[] = DOCTOR_CHECKS.map((c) => c.id);

/** Runs every check in order; each sees the findings before it. */
export function runChecks(snapshot: ClusterSnapshot, context: DoctorContext): Finding[] {
  const findings: Finding[] = [finding(clusterAgentInfo, readable(snapshot, clusterAgentInfo) ?? assessClusterAgent(snapshot, context))];
  for (const check of GATED_CHECKS) findings.push(finding(check, runGated(check, snapshot, context, findings)));
  return findings;
}

/** A check's verdict, or `skip` when it lacks a resource, the configuration, or an enabled admission controller. */
function runGated(check: Check, snapshot: ClusterSnapshot, context: DoctorContext, earlier: readonly Finding[]): Verdict {
  const gap = readable(snapshot, check);
  if (gap) return gap;
  const config = context.config;
  if (!config) return verdict('skip', "the Cluster Agent's configuration does not parse (see cluster-agent)");
  if (!config.admission_controller.enabled) {
    return verdict('skip', context.agent ? 'the admission controller is disabled (see cluster-agent)' : 'no Cluster Agent found (see cluster-agent)');
  }
  return check.run({ snapshot, context, config, earlier });
}

function finding(info: CheckInfo, v: Verdict): Finding {
  return { id: info.id, category: info.category, status: v.status, summary: v.summary, details: v.details ?? [], fix: v.fix ?? null, doc: `${TROUBLESHOOTING_PAGE}#${info.anchor}` };
}

/** `skip` naming the permission when a resource the check needs could not be read. */
function readable(snapshot: ClusterSnapshot, info: CheckInfo): Verdict | undefined {
  const gaps = info.reads.flatMap((r) => unreadable(snapshot, r) ?? []);
  if (gaps.length === 0) return undefined;
  return verdict('skip', `not readable: needs ${gaps.map(permissionFor).join(', ')}`, gaps.map((g) => `${g.resource}: ${g.message}`));
}
