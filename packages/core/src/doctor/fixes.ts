import type { ClusterAgent } from './cluster-agent.js';
import { CLUSTER_AGENT_CONTAINER } from './cluster-agent.js';
import { shellQuote } from './objects.js';

// A configuration change, written for whoever manages the Cluster Agent:
// `helm upgrade --set` for a chart install, `kubectl patch datadogagent` for the
// Operator, `kubectl set env` on the Deployment otherwise.

/** One setting in each surface; a setting the chart or the Operator has no field for is set as an env var of the Cluster Agent. */
export interface SettingChange {
  /** Helm values, `--set` form (`clusterAgent.admissionController.configMode=hostip`). */
  helm?: readonly string[];
  /** The DatadogAgent `spec` fragment to merge. */
  operator?: Record<string, unknown>;
  /** The Cluster Agent env vars, `NAME=value`. */
  env: readonly string[];
}

/** The command that applies `change` to this Cluster Agent's installer. */
export function settingFix(agent: ClusterAgent | undefined, change: SettingChange): string {
  const namespace = agent?.namespace ?? '<namespace>';
  const installer = agent?.installer ?? { kind: 'manifests' };
  const entries = change.env.map((e) => `{name: ${e.slice(0, e.indexOf('='))}, value: "${e.slice(e.indexOf('=') + 1)}"}`).join(', ');
  if (installer.kind === 'helm') {
    if (!change.helm) return `add ${entries} to clusterAgent.env in the values of release ${installer.release}, then: helm upgrade ${installer.release} datadog/datadog -n ${namespace} --reuse-values -f <values.yaml>`;
    return `helm upgrade ${installer.release} datadog/datadog -n ${namespace} --reuse-values ${change.helm.map((v) => `--set ${shellQuote(v)}`).join(' ')}`;
  }
  if (installer.kind === 'operator') {
    if (!change.operator) return `add ${entries} to spec.override.clusterAgent.env: kubectl edit datadogagent ${installer.datadogAgent} -n ${namespace}`;
    return `kubectl patch datadogagent ${installer.datadogAgent} -n ${namespace} --type merge -p ${shellQuote(JSON.stringify({ spec: change.operator }))}`;
  }
  return `kubectl set env deployment/${agent?.name ?? '<cluster-agent>'} -n ${namespace} -c ${CLUSTER_AGENT_CONTAINER} ${change.env.map(shellQuote).join(' ')}`;
}

/** `kubectl rollout restart deployment/<cluster agent>`: the Cluster Agent rewrites its webhooks and Secret on start. */
export function restartAgent(agent: ClusterAgent | undefined): string {
  return `kubectl rollout restart deployment/${agent?.name ?? '<cluster-agent>'} -n ${agent?.namespace ?? '<namespace>'}`;
}
