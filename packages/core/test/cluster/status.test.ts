// Spec conformance: spec/controllers.md §5 (agent status, "Admission Controller" section) and the
// troubleshooting guide's example output (reference/admission-controller-troubleshooting.ja.txt).
import { agentStatusExample } from '@dd-admission/testing';
import { describe, expect, it } from 'vitest';
import {
  parseAgentVersion,
  admissionStatus,
  fnv1Digest,
  formatGoDuration,
  formatGoList,
  formatLabelSelector,
  renderStatus,
  webhookConfiguration,
  type StatusInput,
} from '@dd-admission/core';
import { config } from '../helpers.js';

/** The troubleshooting guide's example, verbatim (between its `...` lines). */
const GUIDE_EXAMPLE = agentStatusExample();

const CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const CERT_B64 = Buffer.from(CERT_PEM).toString('base64');
const DIGEST = fnv1Digest(new TextEncoder().encode(CERT_PEM));
const NOT_AFTER = Date.parse('2024-09-24T22:27:07Z');
const LEFT_NS = (8643n * 3600n + 34n * 60n + 2n) * 1_000_000_000n + 557_676_864n;

/** A cluster configured with default keys in `default`, as in the guide. */
function guideCluster(overrides: Partial<StatusInput> = {}): StatusInput {
  const configuration = webhookConfiguration(config(), CERT_B64, { namespace: 'default' });
  return {
    enabled: true,
    webhookName: 'datadog-webhook',
    namespace: 'default',
    secretName: 'webhook-certificate',
    webhookConfiguration: { ok: true, object: { ...configuration, metadata: { name: 'datadog-webhook', creationTimestamp: '2023-09-25T22:32:07Z' } } },
    secret: {
      ok: true,
      object: { metadata: { name: 'webhook-certificate', namespace: 'default', creationTimestamp: '2023-09-25T22:32:07Z' }, data: { 'cert.pem': CERT_B64, 'key.pem': 'a2V5' } },
    },
    certificateNotAfter: NOT_AFTER,
    nowNs: BigInt(NOT_AFTER) * 1_000_000n - LEFT_NS,
    // The guide's layout is the 7.49 one (7.78's: status-7.78.test.ts).
    agentVersion: parseAgentVersion('7.49'),
    ...overrides,
  };
}

describe('renderStatus', () => {
  it('a configured cluster prints the guide example line by line (the digest is that of our certificate)', () => {
    const out = renderStatus(admissionStatus(guideCluster()));
    const expected = GUIDE_EXAMPLE.replaceAll('f24b6c0c40feaad2', DIGEST).split('\n');
    const lines = out.split('\n');
    expect(lines.length).toBe(expected.length);
    lines.forEach((line, i) => expect(`${i + 1}: ${line}`).toBe(`${i + 1}: ${expected[i]}`));
  });

  it('collects the agent keys (the -o json shape)', () => {
    const status = admissionStatus(guideCluster());
    expect(status.WebhookName).toBe('datadog-webhook');
    expect(status.SecretName).toBe('default/webhook-certificate');
    expect(status.Secret).toEqual({
      Name: 'webhook-certificate',
      Namespace: 'default',
      CreatedAt: '2023-09-25T22:32:07Z',
      CABundleDigest: DIGEST,
      CertValidDuration: '8643h34m2.557676864s',
    });
    expect(status.Webhooks!.Webhooks['datadog.webhook.config']).toEqual({
      'CA bundle digest': DIGEST,
      'Object selector': '&LabelSelector{MatchLabels:map[string]string{admission.datadoghq.com/enabled: true,},MatchExpressions:[]LabelSelectorRequirement{},}',
      'Rule 1': 'Operations: [CREATE] - APIGroups: [] - APIVersions: [v1] - Resources: [pods]',
      Service: 'default/datadog-admission-controller - Port: 443 - Path: /injectconfig',
    });
  });

  it('failed GETs print the name and the error', () => {
    const out = renderStatus(
      admissionStatus(
        guideCluster({
          webhookConfiguration: { ok: false, error: 'mutatingwebhookconfigurations.admissionregistration.k8s.io "datadog-webhook" not found' },
          secret: { ok: false, error: 'secrets "webhook-certificate" not found' },
        }),
      ),
    );
    expect(out.split('\n')).toEqual([
      'Admission Controller',
      '====================',
      '',
      '    Webhooks info',
      '    -------------',
      '      MutatingWebhookConfigurations name: datadog-webhook',
      '      Error: mutatingwebhookconfigurations.admissionregistration.k8s.io "datadog-webhook" not found',
      '',
      '    Secret info',
      '    -----------',
      '    Secret name: default/webhook-certificate',
      '    Error: secrets "webhook-certificate" not found',
      '',
    ]);
  });

  it('disabled prints one Disabled line', () => {
    expect(renderStatus(admissionStatus(guideCluster({ enabled: false })))).toBe(
      'Admission Controller\n====================\n\n    Disabled: The admission controller is not enabled on the Cluster Agent\n',
    );
  });

  it('a webhook without port, path or object selector, with several rules; a certificate that does not parse', () => {
    const input = guideCluster({ certificateNotAfter: undefined });
    input.webhookConfiguration = {
      ok: true,
      object: {
        metadata: { name: 'h', creationTimestamp: new Date('2024-01-02T03:04:05.678Z') },
        webhooks: [
          {
            name: 'b.hook',
            clientConfig: { service: { namespace: 'ns', name: 'svc' } },
            rules: [
              { operations: ['CREATE', 'UPDATE'], apiGroups: ['', 'apps'], apiVersions: ['v1'], resources: ['pods', 'deployments'] },
              { operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*'] },
            ],
          },
          { name: 'a.hook', clientConfig: { url: 'https://x' } as never },
        ],
      },
    };
    const lines = renderStatus(admissionStatus(input)).split('\n');
    expect(lines.slice(5, 17)).toEqual([
      '      MutatingWebhookConfigurations name: h',
      '      Created at: 2024-01-02T03:04:05Z',
      '      ---------',
      '        Name: a.hook',
      '        CA bundle digest: cbf29ce484222325',
      '      ---------',
      '        Name: b.hook',
      '        CA bundle digest: cbf29ce484222325',
      '        Rule 1: Operations: [CREATE UPDATE] - APIGroups: [ apps] - APIVersions: [v1] - Resources: [pods deployments]',
      '        Rule 2: Operations: [*] - APIGroups: [*] - APIVersions: [*] - Resources: [*/*]',
      '        Service: ns/svc - Port: None (default 443) - Path: None',
      '',
    ]);
    expect(lines).toContain('    Duration before certificate expiration: 0s');
  });
});

describe('digest, durations, Go printing', () => {
  it('FNV-1 64 (not 1a): published test vectors', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(fnv1Digest(enc(''))).toBe('cbf29ce484222325');
    expect(fnv1Digest(enc('a'))).toBe('af63bd4c8601b7be');
    expect(fnv1Digest(enc('foobar'))).toBe('340d8765a4dda9c2');
  });

  it("Go's Duration.String()", () => {
    const s = 1_000_000_000n;
    expect(
      [0n, 1n, 999n, 1_500n, 1_500_000n, 999_999_999n, s, 61n * s, 3600n * s, 90n * s + 1n, -90n * s, -1_500_000n, LEFT_NS].map(formatGoDuration),
    ).toEqual(['0s', '1ns', '999ns', '1.5µs', '1.5ms', '999.999999ms', '1s', '1m1s', '1h0m0s', '1m30.000000001s', '-1m30s', '-1.5ms', '8643h34m2.557676864s']);
  });

  it("Go's %v of string lists and LabelSelector.String()", () => {
    expect([formatGoList(['']), formatGoList([]), formatGoList(undefined), formatGoList(['a', 'b'])]).toEqual(['[]', '[]', '[]', '[a b]']);
    expect(formatLabelSelector({ matchExpressions: [{ key: 'admission.datadoghq.com/enabled', operator: 'NotIn', values: ['false'] }, { key: 'x', operator: 'Exists' }] })).toBe(
      '&LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:admission.datadoghq.com/enabled,Operator:NotIn,Values:[false],},LabelSelectorRequirement{Key:x,Operator:Exists,Values:[],},},}',
    );
    expect(formatLabelSelector({ matchLabels: { b: '2', a: '1' } })).toBe('&LabelSelector{MatchLabels:map[string]string{a: 1,b: 2,},MatchExpressions:[]LabelSelectorRequirement{},}');
  });
});
