import { readFileSync } from 'node:fs';
import { parseConfig } from '@dd-admission/core';
import { parseYamlDocuments } from '@dd-admission/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { run } from '../src/run.js';
import { fakeIo } from './helpers.js';

// --helm-values / --datadog-agent, `dd-mutate config` and `dd-mutate manifests`, in-process.

async function dd(args: string[], files: Record<string, string>) {
  const { io, out } = fakeIo(files);
  // These tests state 7.49 facts: pinned to that release.
  const status = await run(['node', 'dd-mutate', ...args, '--agent-version', '7.49'], io);
  return { status, ...out };
}

const GOLDEN = (name: string) => readFileSync(new URL(`../../core/test/golden/${name}`, import.meta.url), 'utf8');

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: shop
  labels: {admission.datadoghq.com/enabled: "true"}
spec:
  containers:
  - name: app
    image: app
`;

const DDA = `apiVersion: v1
kind: Secret
metadata: {name: datadog-secret}
---
apiVersion: datadoghq.com/v2alpha1
kind: DatadogAgent
metadata:
  name: datadog
  namespace: datadog-agent
spec:
  features:
    admissionController:
      agentCommunicationMode: service
`;

describe('preview with --helm-values / --datadog-agent', () => {
  it('chart defaults give socket mode, and the explanation names the Helm value', async () => {
    const r = await dd(['pod.yaml', '--helm-values', 'values.yaml', '-o', 'json'], { 'pod.yaml': POD, 'values.yaml': '' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).spec.volumes).toEqual([{ name: 'datadog', hostPath: { path: '/var/run/datadog', type: 'DirectoryOrCreate' } }]);
    expect(r.stderr).toContain('admission_controller.inject_config.mode set by datadog.apm.socketEnabled (default true)');
  });

  it('service mode names the local Service in the release namespace (--agent-namespace), the DatadogAgent in its own', async () => {
    const values = 'datadog:\n  apm:\n    socketEnabled: false\n    useLocalService: true\n';
    const helm = await dd(['pod.yaml', '--helm-values', 'values.yaml', '--release', 'monitoring', '--agent-namespace', 'obs', '-o', 'json'], { 'pod.yaml': POD, 'values.yaml': values });
    expect(JSON.parse(helm.stdout).spec.containers[0].env).toContainEqual({ name: 'DD_AGENT_HOST', value: 'monitoring-datadog.obs.svc.cluster.local' });
    const dda = await dd(['pod.yaml', '--datadog-agent', 'dda.yaml', '-o', 'json'], { 'pod.yaml': POD, 'dda.yaml': DDA });
    expect(JSON.parse(dda.stdout).spec.containers[0].env).toContainEqual({ name: 'DD_AGENT_HOST', value: 'datadog-agent.datadog-agent.svc.cluster.local' });
  });

  it('--config and --set override the values', async () => {
    const r = await dd(['pod.yaml', '--helm-values', 'values.yaml', '--set', 'admission_controller.inject_config.mode=hostip', '-o', 'json'], { 'pod.yaml': POD, 'values.yaml': '{}' });
    expect(JSON.parse(r.stdout).spec.containers[0].env).toContainEqual({ name: 'DD_AGENT_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } });
    expect(r.stderr).toContain('admission_controller.inject_config.mode set by --set');
  });

  it('prints distribution checks with the fix in the values, Pod Security from Namespace documents', async () => {
    const input = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {pod-security.kubernetes.io/enforce: restricted}\n---\n${POD}`;
    const r = await dd(['pod.yaml', '--helm-values', 'values.yaml', '--distribution', 'gke-autopilot', '-o', 'json'], { 'pod.yaml': input, 'values.yaml': '' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('[warn] GKE Autopilot: mode socket (datadog.apm.socketEnabled (default true)) injects hostPath volumes');
    expect(r.stderr).toContain('        fix: set providers.gke.autopilot: true (the chart then derives hostip and uses a gcr.io registry)');
    expect(r.stderr).toContain('[warn] namespace shop enforces Pod Security "restricted"');
  });

  it('an invalid value exits 1 naming the file and the value', async () => {
    const r = await dd(['pod.yaml', '--helm-values', 'values.yaml'], { 'pod.yaml': POD, 'values.yaml': 'datadog:\n  apm:\n    socketEnabled: "yes"\n' });
    expect(r).toMatchObject({ status: 1, stdout: '', stderr: 'dd-mutate: error: values.yaml: datadog.apm.socketEnabled: expected a boolean (true or false), got "yes"\n' });
    const dda = await dd(['pod.yaml', '--datadog-agent', 'dda.yaml'], { 'pod.yaml': POD, 'dda.yaml': 'kind: Secret\n' });
    expect(dda.stderr).toBe('dd-mutate: error: dda.yaml: apiVersion: expected datadoghq.com/v2alpha1, got nothing\ndd-mutate: error: dda.yaml: kind: expected DatadogAgent, got "Secret"\ndd-mutate: error: dda.yaml: metadata: expected a map with name (and namespace), got nothing\n');
  });
});

describe('dd-mutate config', () => {
  const VALUES = 'providers:\n  gke:\n    autopilot: true\ndatadog:\n  apm:\n    portEnabled: true\n';

  it('prints the configuration with each origin, and the chart env with what 7.49 does not read', async () => {
    const r = await dd(['config', '--helm-values', 'values.yaml', '-n', 'datadog'], { 'values.yaml': VALUES });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('    mode: hostip # datadog.apm.portEnabled, providers.gke.autopilot (Autopilot: no APM socket without datadog.csi.enabled)\n');
    expect(r.stdout).toContain('  port: 8000 # clusterAgent.admissionController.port (default 8000)\n');
    expect(r.stdout).toContain('kube_resources_namespace: datadog # Helm release namespace\n');
    expect(r.stdout).toContain('#   DD_CLOUD_PROVIDER_METADATA=["gcp"]  <- providers.gke.autopilot  [not read by the 7.49 admission controller]');
    expect(r.stderr).toBe('');
  });

  it('its YAML is a --config file giving the same configuration', async () => {
    const r = await dd(['config', '--helm-values', 'values.yaml'], { 'values.yaml': VALUES });
    const json = await dd(['config', '--helm-values', 'values.yaml', '-o', 'json'], { 'values.yaml': VALUES });
    const reparsed = parseConfig({ origin: 'out.yaml', values: parse(r.stdout) }, { agentVersion: '7.49' });
    expect(reparsed.ok && reparsed.config).toEqual(JSON.parse(json.stdout).config);
  });

  it('-o json: config, origins, env, unread, warnings, findings', async () => {
    const r = await dd(['config', '--datadog-agent', 'dda.yaml', '--distribution', 'openshift', '-o', 'json'], { 'dda.yaml': DDA });
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['source', 'config', 'origins', 'env', 'unread', 'warnings', 'findings']);
    expect(out.source).toBe('DatadogAgent dda.yaml');
    expect(out.config.admission_controller.inject_config.mode).toBe('service');
    expect(out.origins['admission_controller.inject_config.mode']).toBe('spec.features.admissionController.agentCommunicationMode');
    expect(out.findings).toEqual([]);
  });

  it('with only --set, or nothing: the Cluster Agent defaults', async () => {
    const r = await dd(['config', '--set', 'DD_ADMISSION_CONTROLLER_ENABLED=true'], {});
    expect(r.stdout).toContain('  enabled: true # --set (DD_ADMISSION_CONTROLLER_ENABLED)\n');
    expect(r.stdout).toContain('    mode: hostip # default\n');
  });
});

describe('dd-mutate manifests', () => {
  it.each([
    ['helm-values.yaml', '--helm-values', 'kubernetes', 'helm-kubernetes.yaml'],
    ['helm-values.yaml', '--helm-values', 'cilium', 'helm-cilium.yaml'],
    ['datadog-agent.yaml', '--datadog-agent', 'kubernetes', 'operator-kubernetes.yaml'],
    ['datadog-agent.yaml', '--datadog-agent', 'cilium', 'operator-cilium.yaml'],
  ])('%s %s, %s: the golden manifests', async (input, flag, flavor, golden) => {
    const r = await dd(['manifests', '--network-policy', flavor, flag, input, '-n', 'datadog'], { [input]: GOLDEN(input) });
    expect(r.status).toBe(0);
    expect(parseYamlDocuments(r.stdout, 'stdout')).toEqual(parseYamlDocuments(GOLDEN(golden), golden));
  });

  it('says when the install would not create the policy, or creates another flavor', async () => {
    const off = await dd(['manifests', '--network-policy', 'cilium', '--helm-values', 'v.yaml'], { 'v.yaml': '' });
    expect(off.stderr).toContain('[note] datadog.networkPolicy.create is not true: your install creates no network policy; set datadog.networkPolicy.create: true and datadog.networkPolicy.flavor: cilium');
    const other = await dd(['manifests', '--network-policy', 'cilium', '--datadog-agent', 'd.yaml'], { 'd.yaml': GOLDEN('datadog-agent.yaml') });
    expect(other.stderr).toContain('[note] your install creates the "kubernetes" flavor (spec.global.networkPolicy.flavor), not cilium');
  });

  it('without --network-policy: only the Service; without a surface: the chart shapes, with a note', async () => {
    const r = await dd(['manifests', '-o', 'json'], {});
    const list = JSON.parse(r.stdout);
    expect(list.items).toEqual([]);
    expect(r.stderr).toContain('no --helm-values or --datadog-agent');
    expect(r.stderr).toContain('the Admission Controller is disabled');
    const on = await dd(['manifests', '--set', 'admission_controller.enabled=true', '-n', 'infra'], {});
    expect(parseYamlDocuments(on.stdout, 'stdout')).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'datadog-admission-controller', namespace: 'infra' },
        spec: { selector: { app: 'datadog-cluster-agent' }, ports: [{ port: 443, targetPort: 8000, name: 'datadog-webhook', protocol: 'TCP' }] },
      },
    ]);
    expect(on.stderr).toContain('no --network-policy: only the Service is printed');
  });

  it('prints the reachability notes of the distribution', async () => {
    const r = await dd(['manifests', '--network-policy', 'kubernetes', '--helm-values', 'v.yaml', '--distribution', 'eks'], { 'v.yaml': '' });
    expect(r.stderr).toContain('[note] EKS: the control plane reaches the webhook on the Cluster Agent pod, TCP 8000');
  });
});

describe('a file named like a subcommand', () => {
  it('./config previews the file', async () => {
    const r = await dd(['./config', '-o', 'json'], { './config': POD });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).metadata.name).toBe('p');
  });
});
