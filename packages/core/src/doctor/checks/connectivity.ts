import type { AdmissionConfig } from '../../config/schema.js';
import { podSchema, type Pod } from '../../review/pod.js';
import { mutate } from '../../webhooks/mutate.js';
import type { Check, CheckInput } from '../check.js';
import type { ClusterAgent } from '../cluster-agent.js';
import type { DoctorContext } from '../context.js';
import { verdict, type Finding, type Verdict } from '../finding.js';
import { restartAgent, settingFix } from '../fixes.js';
import { findNamed, listSome, shellQuote } from '../objects.js';
import { probePod, type ProbeResult } from '../probe.js';
import type { ClusterSnapshot } from '../snapshot.js';
import { datadogEntries } from '../webhook-entries.js';

// `connectivity`: what the API server did with the probe pod. Mutated: the
// webhook path works end to end (and what came back is compared with what the
// configuration read predicts). Not mutated: with failurePolicy Ignore the API
// server hides the failure, so the time tells — close to timeoutSeconds means
// the control plane cannot reach the Cluster Agent; fast means another check
// explains it. Rejected (failurePolicy Fail): the API server's error text,
// classified. The CLI runs the probe; this module only reads its result.

export const connectivityCheck: Check = {
  id: 'connectivity',
  category: 'end-to-end',
  anchor: 'verifying-injection',
  reads: [],
  run: assess,
};

/** What an API server error on the probe means. */
export type ProbeFailure = 'timeout' | 'refused' | 'certificate' | 'no-endpoints' | 'service-missing' | 'forbidden' | 'other';

const FAILURE_PATTERNS: readonly [ProbeFailure, RegExp][] = [
  ['timeout', /context deadline exceeded|Client\.Timeout|i\/o timeout|timed out|deadline/i],
  ['refused', /connection refused/i],
  ['certificate', /x509:|certificate signed by unknown authority|tls:/i],
  ['no-endpoints', /no endpoints available/i],
  ['service-missing', /service "[^"]*" not found|services "[^"]*" not found/i],
];

/** Classifies the API server's error text for a webhook call (or a refused create). */
export function classifyProbeError(message: string): ProbeFailure {
  for (const [kind, pattern] of FAILURE_PATTERNS) if (pattern.test(message)) return kind;
  return /forbidden/i.test(message) && !/webhook/i.test(message) ? 'forbidden' : 'other';
}

/** A probe taking this share of the webhooks' timeout counts as timed out. */
const TIMEOUT_SHARE = 0.8;

function assess({ snapshot, context, config, earlier }: CheckInput): Verdict {
  const probe = context.probe;
  if (!probe) {
    const why = context.probeSkipped ?? (snapshot.source === 'dump' ? 'a dump cannot be probed: the probe is a dry-run create through the live API server' : 'no probe was run');
    return verdict('skip', why);
  }
  const sent = probePod(probe.namespace);
  const timeoutMs = webhookTimeoutMs(snapshot, config);
  const elapsed = `${Math.round(probe.elapsedMs)} ms`;
  if (probe.outcome === 'rejected') return rejected(probe, context, config, earlier, timeoutMs);
  const returned = podSchema.safeParse(probe.pod);
  if (!returned.success) return verdict('fail', `the dry-run create in ${probe.namespace} returned something that is not a pod`, [JSON.stringify(probe.pod).slice(0, 200)]);
  const expected = additions(sent, predict(snapshot, context, config, sent).pod);
  const got = additions(sent, returned.data as Pod).filter((item) => expected.includes(item) || /^(env DD_|volume datadog|init container datadog)/i.test(item));
  if (expected.length === 0) {
    return verdict('skip', `the configuration read injects nothing into an opted-in pod in namespace ${probe.namespace}, so the probe cannot tell whether the webhook was called`, [
      'probe another namespace (-n), one the webhooks select',
    ]);
  }
  if (got.length === 0) return notMutated(probe, context, config, earlier, timeoutMs);
  if (sameItems(got, expected)) return verdict('ok', `the API server called the webhook: the probe pod came back with ${listSome(got, 4)} (${elapsed})`, [`probe: dry-run Pod create in ${probe.namespace}`]);
  return verdict(
    'warn',
    `the probe pod came back with ${listSome(got, 4)}, but the configuration read from the cluster predicts ${listSome(expected, 4)}: another Cluster Agent version or configuration is serving the webhook`,
    [`injected: ${got.join(', ')}`, `predicted: ${expected.join(', ')}`, `emulated Cluster Agent ${context.agentConfig.version.version} (${context.agentConfig.version.origin})`],
  );
}

function predict(snapshot: ClusterSnapshot, context: DoctorContext, config: AdmissionConfig, sent: Pod) {
  const namespace = sent.metadata?.namespace ?? 'default';
  const namespaceLabels = findNamed(snapshot.objects.namespaces, undefined, namespace)?.metadata.labels ?? { 'kubernetes.io/metadata.name': namespace };
  return mutate(sent, { namespace, agentNamespace: context.agent?.namespace ?? 'default', namespaceLabels }, config);
}

/** The largest timeout of the Datadog entries (what a call waits before the API server gives up), in ms. */
function webhookTimeoutMs(snapshot: ClusterSnapshot, config: AdmissionConfig): number {
  const configuration = findNamed(snapshot.objects.mutatingwebhookconfigurations, undefined, config.admission_controller.webhook_name);
  const timeouts = datadogEntries(configuration, config).map((e) => e.timeoutSeconds ?? config.admission_controller.timeout_seconds);
  return Math.max(config.admission_controller.timeout_seconds, ...timeouts) * 1000;
}

/** What `after` has that `before` lacks: env vars per container, volumes, init containers. */
export function additions(before: Pod, after: Pod): string[] {
  const out: string[] = [];
  const containers = (p: Pod) => [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])];
  for (const c of containers(after)) {
    const old = containers(before).find((b) => b.name === c.name);
    const had = new Set((old?.env ?? []).map((e) => e.name));
    for (const e of c.env ?? []) if (!had.has(e.name)) out.push(`env ${e.name} (${c.name})`);
  }
  const volumes = new Set((before.spec?.volumes ?? []).map((v) => v.name));
  for (const v of after.spec?.volumes ?? []) if (!volumes.has(v.name)) out.push(`volume ${v.name}`);
  const inits = new Set((before.spec?.initContainers ?? []).map((c) => c.name));
  for (const c of after.spec?.initContainers ?? []) if (!inits.has(c.name)) out.push(`init container ${c.name}`);
  return out.sort();
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The earlier findings that explain a failed probe. */
function related(earlier: readonly Finding[], ids: readonly string[]): Finding[] {
  return earlier.filter((f) => ids.includes(f.id) && (f.status === 'fail' || f.status === 'warn'));
}

const PATH_CHECKS = ['cluster-agent', 'webhook-configuration', 'webhook-service', 'certificate', 'network-policy'];

function notMutated(probe: ProbeResult, context: DoctorContext, config: AdmissionConfig, earlier: readonly Finding[], timeoutMs: number): Verdict {
  const elapsed = `${Math.round(probe.elapsedMs)} ms`;
  if (probe.elapsedMs >= TIMEOUT_SHARE * timeoutMs) return unreachable(context, config, earlier, `the probe pod came back unmutated after ${elapsed}`, timeoutMs);
  const causes = related(earlier, PATH_CHECKS);
  const details = [`the API server answered in ${elapsed}, well within the webhooks' ${timeoutMs / 1000}s timeout: the call failed fast or was never made (failurePolicy Ignore hides which)`];
  if (causes.length > 0) {
    return verdict('fail', `the probe pod came back unmutated: ${causes.map((c) => c.id).join(', ')} explain${causes.length === 1 ? 's' : ''} why`, [
      ...details,
      ...causes.map((c) => `see ${c.id}: ${c.summary}`),
    ]);
  }
  return verdict(
    'fail',
    `the probe pod came back unmutated in ${elapsed}, and no other check explains it`,
    [...details, `the webhooks may not select namespace ${probe.namespace} (7.73+ excludes kube-system and the Cluster Agent's namespace)`],
    `kubectl get --raw /metrics | grep apiserver_admission_webhook_rejection_count   # and the API server's logs: "Failed calling webhook"`,
  );
}

function rejected(probe: ProbeResult & { outcome: 'rejected' }, context: DoctorContext, config: AdmissionConfig, earlier: readonly Finding[], timeoutMs: number): Verdict {
  const kind = classifyProbeError(probe.message);
  const said = `the API server said: ${probe.message}`;
  const explain = (ids: readonly string[]) => related(earlier, ids).map((c) => `see ${c.id}: ${c.summary}`);
  switch (kind) {
    case 'forbidden':
      return verdict('skip', `the probe was not allowed: needs create pods in ${probe.namespace}`, [said]);
    case 'timeout':
      return unreachable(context, config, earlier, said, timeoutMs);
    case 'refused':
      return verdict('fail', 'the webhook call was refused: nothing listens where the Service sends it', [said, ...explain(['cluster-agent', 'webhook-service'])], restartAgent(context.agent));
    case 'certificate':
      return verdict('fail', "the API server does not trust the webhook's certificate", [said, ...explain(['certificate'])], restartAgent(context.agent));
    case 'no-endpoints':
      return verdict('fail', 'the webhook Service has no ready endpoint', [said, ...explain(['cluster-agent', 'webhook-service'])]);
    case 'service-missing':
      return verdict('fail', 'the Service the webhooks name does not exist', [said, ...explain(['webhook-configuration', 'webhook-service'])]);
    case 'other':
      return verdict('fail', `the API server refused the probe pod in ${probe.namespace}`, [said, ...explain(PATH_CHECKS)]);
  }
}

/** The control plane cannot reach the Cluster Agent: the fix per distribution, as the troubleshooting guide gives it. */
function unreachable(context: DoctorContext, config: AdmissionConfig, earlier: readonly Finding[], what: string, timeoutMs: number): Verdict {
  const port = config.admission_controller.port;
  const d = context.distribution.distributions;
  const details = [`${what} (the webhooks time out after ${timeoutMs / 1000}s)`, ...related(earlier, ['network-policy']).map((c) => `see ${c.id}: ${c.summary}`)];
  const fixes: string[] = [];
  if (d.includes('rancher') && d.includes('eks')) fixes.push(hostNetworkFix(context.agent));
  if (d.includes('eks')) fixes.push(...eksFix(port));
  if (d.includes('gke')) fixes.push(...gkeFix(port, d.includes('rancher')));
  if (fixes.length === 0) fixes.push(`# allow inbound TCP ${port} from the control plane to the nodes that run the Cluster Agent (firewall or security group)`);
  return verdict('fail', `the API server cannot reach the webhook: the control plane gets no answer from the Cluster Agent on TCP ${port}`, details, fixes.join('\n'));
}

function eksFix(port: number): string[] {
  return [
    '# EKS: let the cluster security group reach the nodes on the webhook port, on every node group\'s security group',
    `CLUSTER_SG=$(aws eks describe-cluster --name <cluster> --query cluster.resourcesVpcConfig.clusterSecurityGroupId --output text)`,
    `aws ec2 authorize-security-group-ingress --group-id <node-group-security-group> --protocol tcp --port ${port} --source-group "$CLUSTER_SG"`,
  ];
}

function gkeFix(port: number, rancher: boolean): string[] {
  const allow = rancher ? `tcp:${port},tcp:9443` : `tcp:${port}`;
  return [
    `# GKE private cluster: let the control plane's CIDR reach the nodes on ${allow} (the gke-<cluster>-master rule does not)`,
    `CIDR=$(gcloud container clusters describe <cluster> --location <location> --format 'value(privateClusterConfig.masterIpv4CidrBlock)')`,
    `gcloud compute firewall-rules create gke-<cluster>-datadog-webhook --network <network> --direction INGRESS --source-ranges "$CIDR" --allow ${allow} --target-tags "$(gcloud compute firewall-rules describe gke-<cluster>-master --format 'value(targetTags.list())')"`,
  ];
}

function hostNetworkFix(agent: ClusterAgent | undefined): string {
  const comment = '# Rancher on EKS: run the Cluster Agent on the host network';
  if (agent?.installer.kind === 'helm') return `${comment}\n${settingFix(agent, { helm: ['clusterAgent.useHostNetwork=true'], env: [] })}`;
  if (agent?.installer.kind === 'operator') {
    return `${comment}\n${settingFix(agent, { operator: { override: { clusterAgent: { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } } }, env: [] })}`;
  }
  const patch = JSON.stringify({ spec: { template: { spec: { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } } } });
  return `${comment}\nkubectl patch deployment/${agent?.name ?? '<cluster-agent>'} -n ${agent?.namespace ?? '<namespace>'} -p ${shellQuote(patch)}`;
}
