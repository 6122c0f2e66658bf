import { formatConfigIssue } from '../../config/parse.js';
import type { AdmissionConfig } from '../../config/schema.js';
import type { CheckInfo } from '../check.js';
import { setting, type DoctorContext } from '../context.js';
import { fromProblems, verdict, type Problem, type Verdict } from '../finding.js';
import { settingFix } from '../fixes.js';
import type { ClusterSnapshot } from '../snapshot.js';
import { describeInstaller, type ClusterAgent } from '../cluster-agent.js';

// `cluster-agent`: the Deployment behind the webhook — found, ready, which
// version, admission controller enabled, injection mode and where it comes
// from. Every other check waits on this one: it runs even when the
// configuration does not parse.

export const clusterAgentInfo: CheckInfo = { id: 'cluster-agent', category: 'cluster-agent', anchor: 'the-cluster-agent', reads: ['deployments', 'pods'] };

/** The Admission Controller switched on, in each surface. */
const ENABLE_ADMISSION_CONTROLLER = {
  helm: ['clusterAgent.admissionController.enabled=true'],
  operator: { features: { admissionController: { enabled: true } } },
  env: ['DD_ADMISSION_CONTROLLER_ENABLED=true'],
};

/** The verdict on the Cluster Agent itself. */
export function assessClusterAgent(snapshot: ClusterSnapshot, context: DoctorContext): Verdict {
  const agent = context.agent;
  if (!agent) return notFound(snapshot, context);
  const evidence = agentEvidence(agent, context);
  const read = context.agentConfig.result;
  if (!read.ok) {
    return verdict(
      'fail',
      `the Cluster Agent's configuration does not parse (${read.errors.length} error${read.errors.length > 1 ? 's' : ''})`,
      [...read.errors.map(formatConfigIssue), ...evidence],
      `correct the values named above where they are set (${describeInstaller(agent.installer)})`,
    );
  }
  const problems = [...readiness(agent), ...enabled(context, read.config)];
  const ac = read.config.admission_controller;
  const ok = verdict(
    'ok',
    `Cluster Agent ${context.agentConfig.version.version} in ${agent.namespace}/${agent.name}: ${readyText(agent)} ready, admission controller enabled, mode ${ac.inject_config.mode}`,
    evidence,
  );
  return fromProblems(problems, ok, evidence);
}

function notFound(snapshot: ClusterSnapshot, context: DoctorContext): Verdict {
  const where = context.agentNamespace ? ` in namespace ${context.agentNamespace}` : '';
  const details = [
    'looked for the Deployment behind the Service a Datadog webhook names, then for a Deployment with a cluster-agent container',
    `${snapshot.objects.deployments.length} Deployment(s) in the ${snapshot.source === 'dump' ? 'dump' : 'cluster'}`,
  ];
  return verdict(
    'fail',
    `no Cluster Agent Deployment found${where}`,
    details,
    'install the Cluster Agent with the Admission Controller (helm upgrade --install datadog datadog/datadog -n datadog --reuse-values --set clusterAgent.enabled=true --set clusterAgent.admissionController.enabled=true), or point the doctor at it with --agent-namespace',
  );
}

function readyText(agent: ClusterAgent): string {
  return `${agent.deployment.status?.readyReplicas ?? 0}/${agent.deployment.spec?.replicas ?? 1}`;
}

function readiness(agent: ClusterAgent): Problem[] {
  const ready = agent.deployment.status?.readyReplicas ?? 0;
  const desired = agent.deployment.spec?.replicas ?? 1;
  if (ready >= desired) return [];
  const notReady = agent.pods.filter((p) => p.status?.phase !== 'Running').map((p) => `${p.metadata.name} (${p.status?.phase ?? 'no status'})`);
  return [
    {
      status: ready === 0 ? 'fail' : 'warn',
      summary: `${readyText(agent)} Cluster Agent replicas ready${ready === 0 ? ': nothing serves the webhook' : ''}`,
      details: notReady.length > 0 ? [`pods not running: ${notReady.join(', ')}`] : [],
      fix: `kubectl describe deployment/${agent.name} -n ${agent.namespace}; kubectl logs deployment/${agent.name} -n ${agent.namespace} -c ${agent.container.name}`,
    },
  ];
}

function enabled(context: DoctorContext, config: AdmissionConfig): Problem[] {
  if (config.admission_controller.enabled) return [];
  return [
    {
      status: 'fail',
      summary: `the admission controller is disabled: ${setting(context, 'admission_controller.enabled', false)}`,
      fix: settingFix(context.agent, ENABLE_ADMISSION_CONTROLLER),
    },
  ];
}

function agentEvidence(agent: ClusterAgent, context: DoctorContext): string[] {
  const version = context.agentConfig.version;
  const lines = [
    `found as ${agent.foundVia}: ${agent.namespace}/${agent.name} (${describeInstaller(agent.installer)})`,
    `image ${agent.container.image ?? '(none)'}: emulating Cluster Agent ${version.version} (${version.origin})${version.note ? `; ${version.note}` : ''}`,
  ];
  if (context.config) {
    const ac = context.config.admission_controller;
    lines.push(
      setting(context, 'admission_controller.enabled', ac.enabled),
      setting(context, 'admission_controller.inject_config.mode', ac.inject_config.mode),
      setting(context, 'admission_controller.mutate_unlabelled', ac.mutate_unlabelled),
    );
  }
  return [...lines, ...context.agentConfig.notes];
}
