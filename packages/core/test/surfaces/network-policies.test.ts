// Spec conformance: spec/network-policies.md (§1.2, §1.3, §2.2, §2.3), the Services of
// spec/helm-values.md §1 and spec/datadogagent-crd.md §5. The golden files were written by hand
// from the spec (see golden/README.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  configFromDatadogAgent,
  configFromHelmValues,
  networkPolicies,
  operatorPartOf,
  parseConfig,
  webhookPort,
  webhookService,
  type NetworkPolicyFlavor,
  type SurfaceConfig,
  type SurfaceConfigResult,
} from '@dd-admission/core';
import { parseYamlDocuments } from '@dd-admission/testing';

// These tests state 7.49 facts: they pin the release instead of taking the one the files deploy.
const AT_7_49 = { version: '7.49', origin: 'test' };

const golden = (name: string) => parseYamlDocuments(readFileSync(new URL(`../golden/${name}`, import.meta.url), 'utf8'), name);

function ok(result: SurfaceConfigResult): SurfaceConfig {
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.key}: ${e.message}`).join('\n'));
  return result;
}

const helm = (values: unknown = {}, release = 'datadog', namespace = 'datadog') => ok(configFromHelmValues(values, { release, namespace, agentVersion: AT_7_49 }));
const operator = (resource: unknown) => ok(configFromDatadogAgent(resource, { agentVersion: AT_7_49 }));
const manifests = (s: SurfaceConfig, flavor: NetworkPolicyFlavor) => [...webhookService(s.config, s.deployment), ...networkPolicies(s.config, flavor, s.deployment)];

const DDA = { apiVersion: 'datadoghq.com/v2alpha1', kind: 'DatadogAgent', metadata: { name: 'datadog', namespace: 'datadog-agent' } };
type Obj = Record<string, any>;
const spec = (policy: Obj, description: string) => (policy.specs as Obj[]).find((s) => s.description === description);

describe('golden manifests (hand-written from the spec)', () => {
  const helmValues = golden('helm-values.yaml')[0];
  const dda = golden('datadog-agent.yaml')[0];
  it.each([
    ['helm-kubernetes.yaml', () => manifests(helm(helmValues), 'kubernetes')],
    ['helm-cilium.yaml', () => manifests(helm(helmValues), 'cilium')],
    ['operator-kubernetes.yaml', () => manifests(operator(dda), 'kubernetes')],
    ['operator-cilium.yaml', () => manifests(operator(dda), 'cilium')],
  ])('%s', (file, make) => {
    expect(make()).toEqual(golden(file));
  });
});

describe('Helm chart policies', () => {
  it('the webhook rule follows clusterAgent.admissionController.port, in the policy and the Service targetPort', () => {
    const s = helm({ clusterAgent: { admissionController: { port: 9443 } } });
    const [service, policy] = manifests(s, 'kubernetes') as Obj[];
    expect(service!.spec.ports).toEqual([{ port: 443, targetPort: 9443, name: 'datadog-webhook', protocol: 'TCP' }]);
    expect(policy!.spec.ingress).toContainEqual({ ports: [{ port: 9443 }] });
    const cilium = networkPolicies(s.config, 'cilium', s.deployment)[0] as Obj;
    expect(spec(cilium, 'Ingress from API server for admission controller')!.ingress).toEqual([
      { fromEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '9443', protocol: 'TCP' }] }] },
    ]);
  });

  it('with the Admission Controller disabled: no Service and no webhook rule', () => {
    const s = helm({ clusterAgent: { admissionController: { enabled: false } } });
    expect(webhookService(s.config, s.deployment)).toEqual([]);
    const policy = networkPolicies(s.config, 'kubernetes', s.deployment)[0] as Obj;
    expect(policy.spec.ingress).toHaveLength(2);
    expect(spec(networkPolicies(s.config, 'cilium', s.deployment)[0] as Obj, 'Ingress from API server for admission controller')).toBeUndefined();
  });

  it('names objects after the fullname: release monitoring -> monitoring-datadog', () => {
    const s = helm({}, 'monitoring', 'ops');
    const [service, policy] = manifests(s, 'kubernetes') as Obj[];
    expect(service!.metadata).toMatchObject({ name: 'monitoring-datadog-cluster-agent-admission-controller', namespace: 'ops' });
    expect(service!.spec.selector).toEqual({ app: 'monitoring-datadog-cluster-agent' });
    expect(policy!.metadata.name).toBe('monitoring-datadog-cluster-agent');
    expect(policy!.spec.podSelector).toEqual({ matchLabels: { app: 'monitoring-datadog-cluster-agent' } });
    expect(policy!.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'monitoring-datadog', 'app.kubernetes.io/instance': 'monitoring' });
  });

  it('cilium: podLabels join every selector of the chart rules; agents.useHostNetwork switches "Ingress from agent" to host entities', () => {
    const s = helm({ clusterAgent: { podLabels: { team: 'obs' } }, agents: { useHostNetwork: true } });
    const policy = networkPolicies(s.config, 'cilium', s.deployment)[0] as Obj;
    for (const rule of policy.specs as Obj[]) expect(rule.endpointSelector).toEqual({ matchLabels: { app: 'datadog-cluster-agent', team: 'obs' } });
    expect(spec(policy, 'Ingress from cluster agent')!.ingress[0].fromEndpoints).toEqual([{ matchLabels: { app: 'datadog', team: 'obs' } }]);
    expect(spec(policy, 'Ingress from agent')!.ingress[0]).toEqual({ fromEntities: ['host', 'remote-node'], toPorts: [{ ports: [{ port: '5000', protocol: 'TCP' }, { port: '5005', protocol: 'TCP' }] }] });
  });

  it('cilium: default site datadoghq.com; no "Ingress from agent" without node Agents', () => {
    const s = helm({ agents: { enabled: false } });
    const policy = networkPolicies(s.config, 'cilium', s.deployment)[0] as Obj;
    expect(spec(policy, 'Egress to Datadog intake')!.egress[0].toFQDNs).toEqual([
      { matchName: 'app.datadoghq.com' },
      { matchPattern: '*-app.agent.datadoghq.com' },
      { matchName: 'orchestrator.datadoghq.com' },
      { matchName: 'instrumentation-telemetry-intake.datadoghq.com' },
    ]);
    expect(spec(policy, 'Ingress from agent')).toBeUndefined();
  });

  it('a datadog.yaml-only install gets the chart shapes for release datadog, with its own port and Service name', () => {
    const parsed = parseConfig({ origin: 't', values: { admission_controller: { enabled: true, port: 8001, service_name: 'my-webhook' } } }, { agentVersion: '7.49' });
    if (!parsed.ok) throw new Error('bad config');
    const deployment = { surface: 'config' as const, namespace: 'infra' };
    const [service, policy] = [...webhookService(parsed.config, deployment), ...networkPolicies(parsed.config, 'kubernetes', deployment)] as Obj[];
    expect(service).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'my-webhook', namespace: 'infra' },
      spec: { selector: { app: 'datadog-cluster-agent' }, ports: [{ port: 443, targetPort: 8001, name: 'datadog-webhook', protocol: 'TCP' }] },
    });
    expect(policy!.metadata).toEqual({ name: 'datadog-cluster-agent', namespace: 'infra' });
    expect(policy!.spec.ingress).toContainEqual({ ports: [{ port: 8001 }] });
    expect(webhookPort(parsed.config, deployment)).toBe(8001);
  });
});

describe('Operator policies', () => {
  it('part-of doubles every "-" of the namespace and the name', () => {
    expect(operatorPartOf('datadog-agent', 'datadog')).toBe('datadog--agent-datadog');
    expect(operatorPartOf('ops', 'my-dd')).toBe('ops-my--dd');
  });

  it('the webhook port is always 8000', () => {
    const s = operator({ ...DDA, spec: { override: { clusterAgent: { env: [{ name: 'DD_ADMISSION_CONTROLLER_PORT', value: '9000' }] } } } });
    expect(s.config.admission_controller.port).toBe(9000);
    expect(webhookPort(s.config, s.deployment)).toBe(8000);
    expect((networkPolicies(s.config, 'kubernetes', s.deployment)[0] as Obj).spec.ingress).toContainEqual({ ports: [{ port: 8000 }] });
    expect((webhookService(s.config, s.deployment)[0] as Obj).spec.ports[0].targetPort).toBe(8000);
  });

  it('spec.override.clusterAgent.hostNetwork switches "Ingress from agent" to host entities; no DNS peers without dnsSelectorEndpoints', () => {
    const s = operator({ ...DDA, spec: { override: { clusterAgent: { hostNetwork: true } } } });
    const policy = networkPolicies(s.config, 'cilium', s.deployment)[0] as Obj;
    expect(spec(policy, 'Ingress from agent')!.ingress[0].fromEntities).toEqual(['host', 'remote-node']);
    expect(spec(policy, 'Egress to DNS')!.egress).toEqual([{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }]);
    expect(spec(policy, 'Egress to Datadog intake')!.egress[0].toFQDNs).toEqual([{ matchPattern: '*-app.agent.datadoghq.com' }, { matchName: 'orchestrator.datadoghq.com' }]);
  });

  it('without cluster checks or the Admission Controller, their rules and the Service are absent; serviceName names the Service', () => {
    const off = operator({ ...DDA, spec: { features: { clusterChecks: { enabled: false }, admissionController: { enabled: false } } } });
    expect(webhookService(off.config, off.deployment)).toEqual([]);
    expect((networkPolicies(off.config, 'kubernetes', off.deployment)[0] as Obj).spec.ingress).toHaveLength(2);
    expect((networkPolicies(off.config, 'cilium', off.deployment)[0] as Obj).specs).toHaveLength(7);
    const named = operator({ ...DDA, spec: { features: { admissionController: { serviceName: 'dd-webhook' } } } });
    expect((webhookService(named.config, named.deployment)[0] as Obj).metadata).toEqual({ name: 'dd-webhook', namespace: 'datadog-agent' });
  });

  it('returns fresh objects: editing one rule leaves the others alone', () => {
    const s = operator(DDA);
    const policy = networkPolicies(s.config, 'kubernetes', s.deployment)[0] as Obj;
    policy.spec.podSelector.matchLabels.x = 'y';
    expect(policy.spec.egress[3].to[0].podSelector.matchLabels.x).toBeUndefined();
  });
});
