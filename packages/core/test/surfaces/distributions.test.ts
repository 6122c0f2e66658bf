// Spec conformance: spec/distributions.md — each check, with its fix in the user's own surface.
import { describe, expect, it } from 'vitest';
import {
  configFromDatadogAgent,
  configFromHelmValues,
  distributionChecks,
  layerConfig,
  parseConfig,
  type Distribution,
  type DistributionFinding,
  type SurfaceConfig,
  type SurfaceConfigResult,
} from '@dd-admission/core';

// These tests state 7.49 facts: they pin the release instead of taking the one the files deploy.
const AT_7_49 = { version: '7.49', origin: 'test' };

function ok(result: SurfaceConfigResult): SurfaceConfig {
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.key}: ${e.message}`).join('\n'));
  return result;
}
const DDA = (spec: object = {}, annotations: Record<string, string> = {}) => ({
  apiVersion: 'datadoghq.com/v2alpha1',
  kind: 'DatadogAgent',
  metadata: { name: 'datadog', namespace: 'datadog', annotations },
  spec,
});
const checks = (s: SurfaceConfig, distributions: Distribution[] = [], namespaces = {}) => distributionChecks({ ...s, distributions, namespaces });
const helmChecks = (values: object, distributions: Distribution[] = [], namespaces = {}) => checks(ok(configFromHelmValues(values, { agentVersion: AT_7_49 })), distributions, namespaces);
const ddaChecks = (resource: object, distributions: Distribution[] = [], namespaces = {}) => checks(ok(configFromDatadogAgent(resource, { agentVersion: AT_7_49 })), distributions, namespaces);
const configChecks = (values: object, distributions: Distribution[] = [], namespaces = {}) => {
  const r = parseConfig({ origin: 'datadog.yaml', values }, { agentVersion: '7.49' });
  if (!r.ok) throw new Error('bad config');
  return distributionChecks({ ...r, deployment: { surface: 'config', namespace: 'default' }, distributions, namespaces });
};
const about = (findings: DistributionFinding[], topic: DistributionFinding['topic']) => findings.filter((f) => f.topic === topic);

describe('GKE Autopilot: socket mode injects hostPath volumes, which Autopilot forbids', () => {
  it('Helm: declared Autopilot without providers.gke.autopilot -> set providers.gke.autopilot: true', () => {
    const [f] = about(helmChecks({}, ['gke-autopilot']), 'gke-autopilot');
    expect(f).toMatchObject({ level: 'warning', fix: 'set providers.gke.autopilot: true (the chart then derives hostip and uses a gcr.io registry)' });
    expect(f!.message).toContain('mode socket (datadog.apm.socketEnabled (default true))');
  });
  it('Helm: providers.gke.autopilot alone derives hostip: nothing to say', () => {
    expect(helmChecks({ providers: { gke: { autopilot: true } } })).toEqual([]);
  });
  it('Helm: Autopilot with configMode socket (or CSI) -> set clusterAgent.admissionController.configMode: hostip', () => {
    const [f] = helmChecks({ providers: { gke: { autopilot: true } }, clusterAgent: { admissionController: { configMode: 'socket' } } });
    expect(f).toMatchObject({ topic: 'gke-autopilot', fix: 'set clusterAgent.admissionController.configMode: hostip' });
    expect(about(helmChecks({ providers: { gke: { autopilot: true } }, datadog: { csi: { enabled: true } } }), 'gke-autopilot')[0]?.fix).toBe('set clusterAgent.admissionController.configMode: hostip');
  });
  it('DatadogAgent: declared Autopilot without the annotation -> annotate', () => {
    const [f] = about(ddaChecks(DDA(), ['gke-autopilot']), 'gke-autopilot');
    expect(f?.fix).toBe('annotate the DatadogAgent with agent.datadoghq.com/cluster-provider: gke-autopilot (the Operator then derives hostip and moves APM and DogStatsD to host ports)');
  });
  it('DatadogAgent: the annotation with agentCommunicationMode socket -> agentCommunicationMode: hostip', () => {
    const [f] = ddaChecks(DDA({ features: { admissionController: { agentCommunicationMode: 'socket' } } }, { 'agent.datadoghq.com/cluster-provider': 'gke-autopilot' }));
    expect(f).toMatchObject({ topic: 'gke-autopilot', fix: 'set spec.features.admissionController.agentCommunicationMode: hostip' });
  });
  it('datadog.yaml: set admission_controller.inject_config.mode: hostip', () => {
    const [f] = configChecks({ admission_controller: { enabled: true, inject_config: { mode: 'socket' } } }, ['gke-autopilot']);
    expect(f?.fix).toBe('set admission_controller.inject_config.mode: hostip (now set by datadog.yaml)');
  });
  it('a mode layered by --set is fixed where it was set', () => {
    const s = ok(layerConfig(ok(configFromHelmValues({ providers: { gke: { autopilot: true } } }, { agentVersion: AT_7_49 })), [{ origin: '--set', values: { DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE: 'socket' } }]));
    expect(checks(s)[0]?.fix).toBe('set admission_controller.inject_config.mode: hostip (now set by --set (DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE))');
  });
  it('a mode from the user env of the Cluster Agent is fixed there', () => {
    const [f] = helmChecks({ providers: { gke: { autopilot: true } }, clusterAgent: { env: [{ name: 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE', value: 'socket' }] } });
    expect(f?.fix).toBe('remove DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE from clusterAgent.env[0], or set it to hostip');
  });
});

describe('OpenShift: socket mode hostPath volumes are refused by the SCCs of application pods', () => {
  it('Helm (SCC switches name OpenShift) -> portEnabled + socketEnabled: false, or configMode', () => {
    const [f] = helmChecks({ agents: { podSecurity: { securityContextConstraints: { create: true } } } });
    expect(f).toMatchObject({
      level: 'warning',
      topic: 'openshift',
      fix: 'set datadog.apm.portEnabled: true and datadog.apm.socketEnabled: false (the chart then derives hostip), or clusterAgent.admissionController.configMode: hostip',
    });
  });
  it('Helm with the documented settings: nothing to say', () => {
    expect(helmChecks({ datadog: { apm: { portEnabled: true, socketEnabled: false } } }, ['openshift'])).toEqual([]);
  });
  it('DatadogAgent -> APM host port on, APM and DogStatsD sockets off', () => {
    const [f] = ddaChecks(DDA(), ['openshift']);
    expect(f?.fix).toBe(
      'set spec.features.apm.hostPortConfig.enabled: true, spec.features.apm.unixDomainSocketConfig.enabled: false and spec.features.dogstatsd.unixDomainSocketConfig.enabled: false (the Operator then sets no mode: hostip), or spec.features.admissionController.agentCommunicationMode: hostip',
    );
    const documented = { features: { apm: { hostPortConfig: { enabled: true }, unixDomainSocketConfig: { enabled: false } }, dogstatsd: { unixDomainSocketConfig: { enabled: false } } } };
    expect(ddaChecks(DDA(documented), ['openshift'])).toEqual([]);
  });
  it('an OperatorHub service account names OpenShift', () => {
    expect(about(ddaChecks(DDA({ override: { clusterAgent: { serviceAccountName: 'datadog-agent-scc' } } })), 'openshift')).toHaveLength(1);
  });
});

describe('Pod Security: a namespace enforcing baseline or restricted refuses hostPath volumes', () => {
  const ns = (level: string) => ({ shop: { 'pod-security.kubernetes.io/enforce': level } });
  it.each(['baseline', 'restricted'])('%s with socket mode -> warning naming the namespace', (level) => {
    const [f] = helmChecks({}, [], ns(level));
    expect(f).toMatchObject({ level: 'warning', topic: 'pod-security' });
    expect(f!.message).toContain(`namespace shop enforces Pod Security "${level}"`);
    expect(f!.fix).toBe('set clusterAgent.admissionController.configMode: hostip; or label the pods of namespace shop admission.datadoghq.com/config.mode: hostip');
  });
  it('privileged, or hostip mode: nothing to say', () => {
    expect(helmChecks({}, [], ns('privileged'))).toEqual([]);
    expect(helmChecks({ datadog: { apm: { socketEnabled: false, portEnabled: true } } }, [], ns('restricted'))).toEqual([]);
  });
});

describe('AKS: the webhook needs the AKS selectors', () => {
  it('Helm -> providers.aks.enabled: true', () => {
    expect(helmChecks({}, ['aks'])[0]).toMatchObject({ level: 'warning', topic: 'aks', fix: 'set providers.aks.enabled: true' });
    expect(about(helmChecks({ providers: { aks: { enabled: true } } }), 'aks')).toEqual([]);
  });
  it('DatadogAgent -> declared AKS adds them; a user override to false is named', () => {
    expect(about(ddaChecks(DDA({}, { 'agent.datadoghq.com/cluster-provider': 'aks' })), 'aks')).toEqual([]);
    const off = DDA({ override: { clusterAgent: { env: [{ name: 'DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS', value: 'false' }] } } }, { 'agent.datadoghq.com/cluster-provider': 'aks' });
    expect(about(ddaChecks(off), 'aks')[0]?.fix).toBe('remove DD_ADMISSION_CONTROLLER_ADD_AKS_SELECTORS from spec.override.clusterAgent.env[0], or set it to "true"');
  });
  it('datadog.yaml -> admission_controller.add_aks_selectors: true', () => {
    expect(configChecks({ admission_controller: { enabled: true } }, ['aks'])[0]?.fix).toBe('set admission_controller.add_aks_selectors: true');
  });
});

describe('port 8000 reachability notes (outside the tools)', () => {
  it('EKS: security-group rule for TCP 8000 from the cluster security group', () => {
    const [f] = helmChecks({}, ['eks']);
    expect(f).toMatchObject({ level: 'note', topic: 'eks' });
    expect(f!.fix).toContain('TCP 8000 (or a range containing it) from the cluster security group');
  });
  it('EKS follows clusterAgent.admissionController.port', () => {
    expect(helmChecks({ clusterAgent: { admissionController: { port: 9443 } } }, ['eks'])[0]!.fix).toContain('TCP 9443');
  });
  it('GKE private: firewall TCP 8000 from the control plane CIDR (gke-<CLUSTER_NAME>-master)', () => {
    const [f] = helmChecks({}, ['gke-private']);
    expect(f!.fix).toBe("allow ingress TCP 8000 from the control plane's CIDR (masterIpv4CidrBlock) to the nodes: edit the firewall rule gke-<CLUSTER_NAME>-master or add one");
  });
  it('Rancher on private GKE: TCP 8000 and 9443', () => {
    expect(helmChecks({}, ['rancher-gke-private'])[0]!.fix).toContain('TCP 8000 and 9443');
  });
  it('Rancher on EKS: host networking (Helm clusterAgent.useHostNetwork; the Operator also needs dnsPolicy) and the SG rule', () => {
    const helm = helmChecks({}, ['rancher-eks']);
    expect(helm.map((f) => f.level)).toEqual(['warning', 'note']);
    expect(helm[0]!.fix).toBe('set clusterAgent.useHostNetwork: true (the chart also sets dnsPolicy: ClusterFirstWithHostNet)');
    expect(helmChecks({ clusterAgent: { useHostNetwork: true } }, ['rancher-eks']).map((f) => f.level)).toEqual(['note']);
    const dda = ddaChecks(DDA({ override: { clusterAgent: { hostNetwork: true } } }), ['rancher-eks']);
    expect(dda[0]!.fix).toBe('set spec.override.clusterAgent.dnsPolicy: ClusterFirstWithHostNet');
  });
  it('nothing when the Admission Controller is off', () => {
    expect(helmChecks({ clusterAgent: { admissionController: { enabled: false } } }, ['eks', 'gke-autopilot', 'aks'])).toEqual([]);
  });
});

describe('the install disagreeing with itself', () => {
  it('Helm: a port or Service name set through clusterAgent.env no longer matches the chart Service', () => {
    const findings = helmChecks({ clusterAgent: { envDict: { DD_ADMISSION_CONTROLLER_PORT: '9000', DD_ADMISSION_CONTROLLER_SERVICE_NAME: 'x' } } });
    expect(findings.map((f) => f.topic)).toEqual(['deployment', 'deployment']);
    expect(findings[0]!.message).toContain('listens on port 9000');
    expect(findings[1]!.message).toContain('creates datadog-cluster-agent-admission-controller');
  });
});
