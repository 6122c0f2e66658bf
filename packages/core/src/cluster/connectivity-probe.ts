import { PROBE_LABEL, PROBE_RECEIVED_ANNOTATION } from '../webhooks/probe-answer.js';
import { formatKubeTime, type ProbeStatus } from './status.js';

// The decisions of the Cluster Agent 7.78 connectivity probe (probe-7.78 §3-§5):
// the object it creates, how a run is classified and logged, its statistics and
// how the status shows them. The adapter owns the timing and the API call.

/** The prefix of the dry-run ConfigMap's generated name. */
export const PROBE_GENERATE_NAME = 'datadog-admission-probe-';
/** The failure of a run whose ConfigMap came back without the webhook's annotation. */
export const PROBE_NOT_ANNOTATED = 'dry-run probe configmap was not annotated by the webhook';
/** The probe logs at most one error line per this period. */
export const PROBE_LOG_INTERVAL_MS = 10 * 60_000;

/** The status text of an enabled probe that has not started yet. */
export const PROBE_WAITING_TEXT = 'Waiting for the admission controller to start...';
/** The status text of an enabled probe on a replica that is not the leader. */
export const PROBE_FOLLOWER_TEXT = 'The probe is only active on the leader instance.';

/** The ConfigMap the probe sends with `dryRun=All` to the resources namespace. */
export function probeConfigMap(namespace: string): { apiVersion: 'v1'; kind: 'ConfigMap'; metadata: { generateName: string; namespace: string; labels: Record<string, string> } } {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: PROBE_GENERATE_NAME, namespace, labels: { [PROBE_LABEL]: 'true' } } };
}

/** How one probe run ended. */
export type ProbeOutcome =
  | { kind: 'success' }
  /** The API server answered 2xx but the object lacks the probe-received annotation: the webhook was not called. */
  | { kind: 'not-annotated' }
  /** 403: the service account may not create ConfigMaps in the namespace; `message` is the API's. */
  | { kind: 'forbidden'; message: string }
  | { kind: 'error'; message: string };

/** The outcome of a 2xx answer: success when the returned object carries the annotation (any value). */
export function outcomeOfAnswer(object: unknown): ProbeOutcome {
  const annotations = (object as { metadata?: { annotations?: unknown } } | null | undefined)?.metadata?.annotations;
  const marked = typeof annotations === 'object' && annotations !== null && Object.hasOwn(annotations, PROBE_RECEIVED_ANNOTATION);
  return marked ? { kind: 'success' } : { kind: 'not-annotated' };
}

/** The probe's statistics, times in epoch milliseconds. */
export interface ProbeStats {
  totalExecutions: number;
  successCount: number;
  failCount: number;
  lastExecutionTime?: number;
  lastExecutionSuccess: boolean;
  lastExecutionError: string;
  lastSuccessTime?: number;
  /** Set by a Forbidden run, cleared by the next run. */
  configError: string;
}

/** Statistics before the first run. */
export const EMPTY_PROBE_STATS: ProbeStats = Object.freeze({ totalExecutions: 0, successCount: 0, failCount: 0, lastExecutionSuccess: false, lastExecutionError: '', configError: '' });

/** The text a failed run records as its error (Go's err.Error()). */
function errorText(outcome: Exclude<ProbeOutcome, { kind: 'success' }>): string {
  return outcome.kind === 'not-annotated' ? PROBE_NOT_ANNOTATED : outcome.message;
}

/** The ConfigError of a Forbidden run. */
export function forbiddenMessage(namespace: string): string {
  return `The cluster agent service account does not have permission to create configmaps in namespace "${namespace}". Grant configmap creation RBAC to enable connectivity probing.`;
}

/** The statistics after a run that ended at `nowMs`. */
export function recordProbeRun(stats: ProbeStats, outcome: ProbeOutcome, namespace: string, nowMs: number): ProbeStats {
  const base = { ...stats, totalExecutions: stats.totalExecutions + 1, lastExecutionTime: nowMs, configError: '' };
  if (outcome.kind === 'success') return { ...base, successCount: stats.successCount + 1, lastExecutionSuccess: true, lastExecutionError: '', lastSuccessTime: nowMs };
  return {
    ...base,
    failCount: stats.failCount + 1,
    lastExecutionSuccess: false,
    lastExecutionError: errorText(outcome),
    configError: outcome.kind === 'forbidden' ? forbiddenMessage(namespace) : '',
  };
}

/** The error line a failed run logs (through the 10-minute limiter); undefined for a success. */
export function probeFailureLine(outcome: ProbeOutcome, namespace: string, hint: string): string | undefined {
  switch (outcome.kind) {
    case 'success':
      return undefined;
    case 'forbidden':
      return `Admission controller probe misconfigured: ${forbiddenMessage(namespace)}`;
    case 'not-annotated':
      return `Admission controller probe failed: the webhook did not handle the probe configmap. This indicates a network connectivity issue between the Kubernetes API server and the cluster agent admission webhook. ${hint}`;
    case 'error':
      return `Admission controller probe failed: ${outcome.message}`;
  }
}

/** The cloud providers the probe has a hint for. */
export type ProbeProvider = 'eks' | 'gke' | 'aks';

const HINTS: Readonly<Record<ProbeProvider, string>> = {
  eks: 'EKS detected: ensure your node security groups allow inbound TCP on port 8000 from the cluster security group.',
  gke: 'GKE detected: if using a private cluster, ensure your firewall rules allow ingress over TCP on port 8000 from the control plane CIDR.',
  aks: 'AKS detected: ensure providers.aks.enabled is set to true in your Helm/Operator configuration.',
};
const DEFAULT_HINT = "Ensure proper inbound network connectivity to the cluster agent's node on port 8000.";

/** The diagnostic hint for a detected provider, the generic one otherwise. */
export function probeHint(provider: ProbeProvider | undefined): string {
  return provider ? HINTS[provider] : DEFAULT_HINT;
}

/** The provider an API server's gitVersion names (`v1.29.4-eks-036c24b`, `v1.30.5-gke.1014001`); AKS versions carry no mark. */
export function providerOfServerVersion(gitVersion: string | undefined): ProbeProvider | undefined {
  if (!gitVersion) return undefined;
  if (/-eks-/.test(gitVersion)) return 'eks';
  if (/-gke\./.test(gitVersion)) return 'gke';
  return undefined;
}

/** Where the probe stands, as the status reads it. */
export type ProbeState =
  | { enabled: false }
  | { enabled: true; started: false }
  | { enabled: true; started: true; leader: boolean; stats: ProbeStats; hint?: string };

/** The probe block of the 7.78 status (status-7.78 §3.2, Form B). */
export function probeStatus(state: ProbeState): ProbeStatus {
  if (!state.enabled) return { Enabled: false };
  if (!state.started) return { Enabled: true, Detail: PROBE_WAITING_TEXT };
  if (!state.leader) return { Enabled: true, Detail: PROBE_FOLLOWER_TEXT };
  const { stats } = state;
  if (stats.configError) return { Enabled: true, Error: stats.configError };
  return {
    Enabled: true,
    HasStats: true,
    TotalExecutions: stats.totalExecutions,
    SuccessCount: stats.successCount,
    FailCount: stats.failCount,
    SuccessRate: successRate(stats),
    LastExecutionTime: timeOrNa(stats.lastExecutionTime),
    LastExecutionSuccess: stats.lastExecutionSuccess,
    LastExecutionError: stats.lastExecutionError,
    LastSuccessTime: timeOrNa(stats.lastSuccessTime),
    ...(state.hint ? { DiagnosticHint: state.hint } : {}),
  };
}

function timeOrNa(ms: number | undefined): string {
  return ms === undefined ? 'N/A' : formatKubeTime(new Date(ms));
}

/** Go's `%.1f%%` of successes / executions × 100 (ties to even), or `N/A` before the first run. */
export function successRate(stats: Pick<ProbeStats, 'totalExecutions' | 'successCount'>): string {
  if (stats.totalExecutions === 0) return 'N/A';
  const rate = (stats.successCount / stats.totalExecutions) * 100;
  // Both round the exact binary value; only an exact tie differs (a fraction of .25 or .75):
  // toFixed rounds it up, Go to the even digit.
  const tie = Number.isInteger(rate * 4) && !Number.isInteger(rate * 2);
  if (!tie) return `${rate.toFixed(1)}%`;
  const down = Math.floor(rate * 10);
  return `${((down % 2 === 0 ? down : down + 1) / 10).toFixed(1)}%`;
}
