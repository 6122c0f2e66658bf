// Spec conformance: spec/7.78/status-7.78.md §1 (keys), §2 (layout and its variants), §3.2 (the probe
// block, Form B) and §3.3 (probe values), compared line by line with the spec's example blocks.
import { describe, expect, it } from 'vitest';
import {
  admissionStatus,
  EMPTY_PROBE_STATS,
  fnv1Digest,
  parseAgentVersion,
  probeStatus,
  recordProbeRun,
  renderStatus,
  validatingWebhookConfiguration,
  webhookConfiguration,
  type StatusInput,
} from '@dd-admission/core';
import { configAt } from '../helpers.js';

const CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const CERT_B64 = Buffer.from(CERT_PEM).toString('base64');
const DIGEST = fnv1Digest(new TextEncoder().encode(CERT_PEM));
const NOT_AFTER = Date.parse('2027-03-05T13:06:11Z');
const CREATED = '2026-03-05T12:00:00Z';
const V778 = parseAgentVersion('7.78');

/** A 7.78 cluster installed with default keys in `datadog`, the probe on or off. */
function cluster(values: Record<string, unknown> = {}, overrides: Partial<StatusInput> = {}): StatusInput {
  const config = configAt('7.78', values);
  const options = { namespace: 'datadog' };
  const stored = <T extends object>(o: T) => ({ ok: true as const, object: { ...o, metadata: { name: 'datadog-webhook', creationTimestamp: CREATED } } });
  return {
    agentVersion: V778,
    enabled: true,
    webhookName: 'datadog-webhook',
    namespace: 'datadog',
    secretName: 'webhook-certificate',
    webhookConfiguration: stored(webhookConfiguration(config, CERT_B64, options)),
    validatingWebhookConfiguration: stored(validatingWebhookConfiguration(config, CERT_B64, options)),
    secret: { ok: true, object: { metadata: { name: 'webhook-certificate', namespace: 'datadog', creationTimestamp: CREATED }, data: { 'cert.pem': CERT_B64 } } },
    certificateNotAfter: NOT_AFTER,
    nowNs: BigInt(NOT_AFTER - 3_600_000) * 1_000_000n,
    ...overrides,
  };
}

function lines(input: StatusInput): string[] {
  return renderStatus(admissionStatus(input)).split('\n');
}

function expectLines(actual: string[], expected: string[]): void {
  expect(actual.length, actual.join('\n')).toBe(expected.length);
  actual.forEach((line, i) => expect(`${i + 1}: ${line}`).toBe(`${i + 1}: ${expected[i]}`));
}

const OBJECT_SELECTOR = '&LabelSelector{MatchLabels:map[string]string{admission.datadoghq.com/enabled: true,},MatchExpressions:[]LabelSelectorRequirement{},}';
const POD_RULE = 'Operations: [CREATE] - APIGroups: [] - APIVersions: [v1] - Resources: [pods]';
const block = (name: string, path: string, selector = OBJECT_SELECTOR, rule = POD_RULE) => [
  '      ---------',
  `        Name: ${name}`,
  `        CA bundle digest: ${DIGEST}`,
  `        Object selector: ${selector}`,
  `        Rule 1: ${rule}`,
  `        Service: datadog/datadog-admission-controller - Port: 443 - Path: ${path}`,
];
const SECRET = [
  '',
  '    Secret info',
  '    -----------',
  '    Secret name: webhook-certificate',
  '    Secret namespace: datadog',
  `    Created at: ${CREATED}`,
  `    CA bundle digest: ${DIGEST}`,
  '    Duration before certificate expiration: 1h0m0s',
];
const HEAD = ['Admission Controller', '====================', '', '    Webhooks info', '    -------------'];

describe('7.78 layout (§2): Validating, then Mutating, then the Secret and the probe', () => {
  it('a default install: the Validating configuration with no entries, the mutating webhooks sorted by name, the probe disabled', () => {
    expectLines(lines(cluster()), [
      ...HEAD,
      '      ValidatingWebhookConfigurations name: datadog-webhook',
      `      Created at: ${CREATED}`,
      '      MutatingWebhookConfigurations name: datadog-webhook',
      `      Created at: ${CREATED}`,
      ...block('datadog.webhook.agent.config', '/injectconfig'),
      ...block('datadog.webhook.lib.injection', '/injectlib'),
      ...block('datadog.webhook.standard.tags', '/injecttags'),
      ...SECRET,
      '',
      '    Connectivity Probe',
      '    ------------------',
      '    Enabled: false',
      '',
    ]);
  });

  it('admission events and the probe on: the validating block, and datadog.webhook.probe among the mutating ones with its ConfigMap rule', () => {
    const out = lines(cluster({ 'admission_controller.kubernetes_admission_events.enabled': true, 'admission_controller.probe.enabled': true }));
    const probeSelector = '&LabelSelector{MatchLabels:map[string]string{admission.datadoghq.com/probe: true,},MatchExpressions:[]LabelSelectorRequirement{},}';
    expect(out.slice(5, 20)).toEqual([
      '      ValidatingWebhookConfigurations name: datadog-webhook',
      `      Created at: ${CREATED}`,
      ...block('datadog.webhook.kubernetes.admission.events', '/kubernetes-admission-events', OBJECT_SELECTOR, 'Operations: [*] - APIGroups: [apps] - APIVersions: [v1] - Resources: [deployments]'),
      '      MutatingWebhookConfigurations name: datadog-webhook',
      `      Created at: ${CREATED}`,
      ...block('datadog.webhook.agent.config', '/injectconfig').slice(0, 5),
    ]);
    expect(out).toContain('        Name: datadog.webhook.probe');
    expect(out).toContain('        Rule 1: Operations: [CREATE] - APIGroups: [] - APIVersions: [v1] - Resources: [configmaps]');
    expect(out).toContain(`        Object selector: ${probeSelector}`);
    expect(out.indexOf('        Name: datadog.webhook.probe')).toBeLessThan(out.indexOf('        Name: datadog.webhook.standard.tags'));
  });

  it('the agent keys (-o json): ValidatingWebhooks and MutatingWebhooks replace Webhooks; Probe is new', () => {
    const status = admissionStatus(cluster());
    expect(Object.keys(status)).toEqual(['WebhookName', 'SecretName', 'ValidatingWebhooks', 'MutatingWebhooks', 'Secret', 'Probe']);
    expect(status.ValidatingWebhooks).toEqual({ Name: 'datadog-webhook', CreatedAt: CREATED, Webhooks: {} });
    expect(Object.keys(status.MutatingWebhooks!.Webhooks)).toEqual(['datadog.webhook.agent.config', 'datadog.webhook.standard.tags', 'datadog.webhook.lib.injection']);
  });
});

describe('7.78 variants (§2 table)', () => {
  const notFound = (kind: string) => `${kind}webhookconfigurations.admissionregistration.k8s.io "datadog-webhook" not found`;

  it('Validating GET failed (validation.enabled=false deleted it): its name and the error in place of its block', () => {
    const out = lines(cluster({}, { validatingWebhookConfiguration: { ok: false, error: notFound('validating') } }));
    expect(out.slice(5, 9)).toEqual([
      '      ValidatingWebhookConfigurations name: datadog-webhook',
      `      Error: ${notFound('validating')}`,
      '      MutatingWebhookConfigurations name: datadog-webhook',
      `      Created at: ${CREATED}`,
    ]);
  });

  it('Mutating GET failed: same form with MutatingWebhookConfigurations name:', () => {
    const out = lines(cluster({}, { webhookConfiguration: { ok: false, error: notFound('mutating') } }));
    expect(out.slice(5, 10)).toEqual([
      '      ValidatingWebhookConfigurations name: datadog-webhook',
      `      Created at: ${CREATED}`,
      '      MutatingWebhookConfigurations name: datadog-webhook',
      `      Error: ${notFound('mutating')}`,
      '',
    ]);
  });

  it('Secret GET failed: Secret name: <ns>/<name> then Error:', () => {
    const out = lines(cluster({}, { secret: { ok: false, error: 'secrets "webhook-certificate" not found' } }));
    const at = out.indexOf('    Secret info');
    expect(out.slice(at, at + 4)).toEqual(['    Secret info', '    -----------', '    Secret name: datadog/webhook-certificate', '    Error: secrets "webhook-certificate" not found']);
  });

  it('admission controller disabled: the single Disabled line, no probe block', () => {
    expect(lines(cluster({}, { enabled: false }))).toEqual([
      'Admission Controller',
      '====================',
      '',
      '    Disabled: The admission controller is not enabled on the Cluster Agent',
      '',
    ]);
  });

  it('API client error: the single Error line', () => {
    expect(renderStatus({ Error: 'unable to load in-cluster configuration' }).split('\n')).toEqual([
      'Admission Controller',
      '====================',
      '',
      '    Error: unable to load in-cluster configuration',
      '',
    ]);
  });

  it('7.49 keeps its layout: the Webhooks key, no Validating part, no probe block', () => {
    const status = admissionStatus(cluster({}, { agentVersion: parseAgentVersion('7.49') }));
    expect(Object.keys(status)).toEqual(['WebhookName', 'SecretName', 'Webhooks', 'Secret']);
    expect(renderStatus(status)).not.toContain('Validating');
  });
});

describe('Connectivity Probe block, Form B (§3.2)', () => {
  const probeLines = (input: StatusInput) => {
    const out = lines(input);
    return out.slice(out.indexOf('    Connectivity Probe'), -1);
  };

  it('the follower example of the spec, exactly', () => {
    const follower = probeStatus({ enabled: true, started: true, leader: false, stats: EMPTY_PROBE_STATS });
    expectLines(probeLines(cluster({}, { probe: follower })), ['    Connectivity Probe', '    ------------------', '    Enabled: true', '    The probe is only active on the leader instance.']);
  });

  it('not started yet: the waiting text', () => {
    expect(probeLines(cluster({}, { probe: probeStatus({ enabled: true, started: false }) })).slice(2)).toEqual([
      '    Enabled: true',
      '    Waiting for the admission controller to start...',
    ]);
  });

  it('a configuration error is the only line after Enabled', () => {
    const stats = recordProbeRun(EMPTY_PROBE_STATS, { kind: 'forbidden', message: 'configmaps is forbidden' }, 'datadog', Date.parse('2026-03-05T13:06:11Z'));
    expect(probeLines(cluster({}, { probe: probeStatus({ enabled: true, started: true, leader: true, stats, hint: 'h' }) })).slice(2)).toEqual([
      '    Enabled: true',
      '    Configuration Error: The cluster agent service account does not have permission to create configmaps in namespace "datadog". Grant configmap creation RBAC to enable connectivity probing.',
    ]);
  });

  it('the leader before its first run: Total Executions 0 and Success Rate N/A only', () => {
    const probe = probeStatus({ enabled: true, started: true, leader: true, stats: EMPTY_PROBE_STATS, hint: 'h' });
    expect(probeLines(cluster({}, { probe })).slice(2)).toEqual(['    Enabled: true', '    Total Executions: 0', '    Success Rate: N/A']);
  });

  it('statistics as in the Operator sample (one success in four runs, the last one a success)', () => {
    const at = (t: string) => Date.parse(t);
    let stats = EMPTY_PROBE_STATS;
    for (const t of ['2026-03-05T13:03:11Z', '2026-03-05T13:04:11Z', '2026-03-05T13:05:11Z']) stats = recordProbeRun(stats, { kind: 'not-annotated' }, 'datadog', at(t));
    stats = recordProbeRun(stats, { kind: 'success' }, 'datadog', at('2026-03-05T13:06:11Z'));
    const probe = probeStatus({ enabled: true, started: true, leader: true, stats, hint: 'EKS hint' });
    expect(probeLines(cluster({}, { probe })).slice(2)).toEqual([
      '    Enabled: true',
      '    Total Executions: 4',
      '    Success Rate: 25.0%',
      '    Last Execution: 2026-03-05T13:06:11Z (success)',
      '    Last Successful Probe: 2026-03-05T13:06:11Z',
    ]);
  });

  it('a failed last run shows its error and the hint; never a success: Last Successful Probe N/A', () => {
    const stats = recordProbeRun(EMPTY_PROBE_STATS, { kind: 'not-annotated' }, 'datadog', Date.parse('2026-03-05T13:06:11Z'));
    const hint = "Ensure proper inbound network connectivity to the cluster agent's node on port 8000.";
    const probe = probeStatus({ enabled: true, started: true, leader: true, stats, hint });
    expect(probeLines(cluster({}, { probe })).slice(2)).toEqual([
      '    Enabled: true',
      '    Total Executions: 1',
      '    Success Rate: 0.0%',
      '    Last Execution: 2026-03-05T13:06:11Z (failure)',
      '    Last Error: dry-run probe configmap was not annotated by the webhook',
      '    Last Successful Probe: N/A',
      `    Hint: ${hint}`,
    ]);
  });
});
