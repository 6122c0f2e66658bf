import type { Check, CheckInput } from '../check.js';
import type { ClusterAgent } from '../cluster-agent.js';
import { fromProblems, verdict, type Problem } from '../finding.js';
import { qualifiedName, selects } from '../objects.js';
import type { SnapshotNetworkPolicy } from '../snapshot.js';

// `network-policy`: NetworkPolicies that select the Cluster Agent's pods
// isolate them for ingress; unless one of their rules admits the admission
// port from outside the pod network (where the API server calls from), the
// webhook calls are dropped. CiliumNetworkPolicies are not evaluated: the
// check says what to verify by hand.

export const networkPolicyCheck: Check = {
  id: 'network-policy',
  category: 'network',
  anchor: 'network-policies',
  reads: ['networkpolicies'],
  run: assess,
};

type Rule = NonNullable<SnapshotNetworkPolicy['spec']['ingress']>[number];

const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);

function assess({ snapshot, context, config }: CheckInput) {
  const agent = context.agent;
  if (!agent) return verdict('skip', 'no Cluster Agent found (see cluster-agent): no pods to check policies against');
  const port = config.admission_controller.port;
  const template = agent.deployment.spec?.template;
  if (template?.spec?.hostNetwork) {
    return verdict('ok', `the Cluster Agent uses the host network: NetworkPolicies do not apply to its pods (most CNIs), port ${port} is the node's`);
  }
  const labels = template?.metadata?.labels ?? {};
  const isolating = snapshot.objects.networkpolicies.filter(
    (p) => p.metadata.namespace === agent.namespace && selects(p.spec.podSelector ?? {}, labels) && appliesToIngress(p),
  );
  const problems: Problem[] = [];
  if (isolating.length > 0) problems.push(...policyProblems(isolating, agent, port));
  const cilium = [...snapshot.objects.ciliumnetworkpolicies.filter((p) => p.metadata.namespace === agent.namespace), ...snapshot.objects.ciliumclusterwidenetworkpolicies];
  if (cilium.length > 0) {
    problems.push({
      status: 'warn',
      summary: `${cilium.length} Cilium network polic${cilium.length === 1 ? 'y' : 'ies'} (${cilium.map(qualifiedName).join(', ')}) not evaluated: verify by hand that the Cluster Agent is reachable on TCP ${port}`,
      details: [
        `a policy whose endpointSelector matches ${JSON.stringify(agent.deployment.spec?.selector?.matchLabels ?? labels)} must allow ingress on TCP ${port} from the entities kube-apiserver, remote-node and host (where the API server's calls come from)`,
        'the Helm chart and the Operator create such a policy with networkPolicy.create: true and flavor: cilium',
      ],
    });
  }
  const ok = isolating.length === 0 ? `no NetworkPolicy isolates the Cluster Agent's pods` : `${isolating.map(qualifiedName).join(', ')} admit${isolating.length === 1 ? 's' : ''} TCP ${port} from anywhere`;
  return fromProblems(problems, verdict('ok', ok));
}

function appliesToIngress(p: SnapshotNetworkPolicy): boolean {
  // Without policyTypes, a policy always restricts ingress (and egress only when it has egress rules).
  return p.spec.policyTypes ? p.spec.policyTypes.includes('Ingress') : true;
}

function policyProblems(policies: readonly SnapshotNetworkPolicy[], agent: ClusterAgent, port: number): Problem[] {
  const rules = policies.flatMap((p) => p.spec.ingress ?? []).filter((r) => admitsPort(r, agent, port));
  if (rules.some((r) => sources(r) === 'anywhere')) return [];
  const names = policies.map(qualifiedName).join(', ');
  const cidrs = rules.flatMap((r) => (sources(r) === 'cidrs' ? (r.from ?? []).flatMap((peer) => (peer.ipBlock ? [peer.ipBlock.cidr] : [])) : []));
  if (cidrs.length > 0) {
    return [
      {
        status: 'warn',
        summary: `${names} admit TCP ${port} to the Cluster Agent only from ${cidrs.join(', ')}: verify the control plane's addresses are inside`,
        details: ['the API server calls the webhook from the control plane, outside the pod network: a pod or namespace selector never matches it'],
      },
    ];
  }
  return [
    {
      status: 'fail',
      summary: `${names} isolate${policies.length === 1 ? 's' : ''} the Cluster Agent's pods and no rule admits TCP ${port} from outside the pod network: the API server's webhook calls are dropped`,
      details: ['a rule with only podSelector or namespaceSelector peers does not match the API server, which is not a pod'],
      fix: allowWebhookPolicy(agent, port),
    },
  ];
}

/** Whether a rule admits TCP `port`: no ports (all), the number, a range holding it, or the container port's name. */
function admitsPort(rule: Rule, agent: ClusterAgent, port: number): boolean {
  const ports = rule.ports ?? [];
  if (ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== 'TCP') return false;
    if (p.port === undefined || p.port === null) return true;
    if (typeof p.port === 'string') return agent.container.ports?.some((c) => c.name === p.port && c.containerPort === port) ?? false;
    return p.port === port || (p.endPort !== undefined && p.endPort !== null && p.port <= port && port <= p.endPort);
  });
}

/** Who a rule admits: `anywhere` (no peers, or 0.0.0.0/0), `cidrs` (some ipBlock), or `pods` (selectors only). */
function sources(rule: Rule): 'anywhere' | 'cidrs' | 'pods' {
  const from = rule.from ?? [];
  if (from.length === 0) return 'anywhere';
  if (from.some((peer) => peer.ipBlock && ANYWHERE.has(peer.ipBlock.cidr) && (peer.ipBlock.except ?? []).length === 0)) return 'anywhere';
  return from.some((peer) => peer.ipBlock) ? 'cidrs' : 'pods';
}

/** A NetworkPolicy that admits the webhook port to the Cluster Agent from anywhere (policies add up). */
function allowWebhookPolicy(agent: ClusterAgent, port: number): string {
  const matchLabels = agent.deployment.spec?.selector?.matchLabels ?? agent.deployment.spec?.template?.metadata?.labels ?? {};
  const labels = Object.entries(matchLabels).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`);
  return [
    `kubectl apply -n ${agent.namespace} -f - <<'EOF'`,
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${agent.name}-admission-webhook`,
    'spec:',
    '  podSelector:',
    '    matchLabels:',
    ...labels,
    '  policyTypes: [Ingress]',
    '  ingress:',
    `    - ports: [{port: ${port}, protocol: TCP}]`,
    'EOF',
  ].join('\n');
}
