// dd-mutate status for Cluster Agent 7.78 against the Kubernetes API double (spec/7.78/status-7.78.md):
// the Validating configuration before the Mutating one, and the probe block from the configuration.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, validatingWebhookConfiguration, webhookConfiguration, type AdmissionConfig } from '@dd-admission/core';
import { startKubeApi, type KubeApi } from '@dd-admission/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runStatus, type StatusIo } from '../src/status-command.js';

const CERT_B64 = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

let dir: string;
let api: KubeApi | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dd-mutate-status-778-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function at78(values: Record<string, unknown> = {}): AdmissionConfig {
  const r = parseConfig({ origin: 'test', values }, { agentVersion: '7.78' });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

/** A cluster where a 7.78 Cluster Agent in `datadog` wrote its objects; `validating` false: that one is absent. */
async function cluster(config: AdmissionConfig, validating = true): Promise<string> {
  api = await startKubeApi({ now: () => Date.parse('2026-03-05T12:00:00Z') });
  api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'webhook-certificate', namespace: 'datadog' }, data: { 'cert.pem': CERT_B64 } });
  api.apply(webhookConfiguration(config, CERT_B64, { namespace: 'datadog' }) as never);
  if (validating) api.apply(validatingWebhookConfiguration(config, CERT_B64, { namespace: 'datadog' }) as never);
  const file = join(dir, `${Math.random().toString(16).slice(2)}.kubeconfig`);
  await writeFile(file, api.kubeconfig({ namespace: 'datadog' }));
  return file;
}

async function status(config: AdmissionConfig, kubeconfig: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const io: StatusIo = { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, env: { HOME: dir }, nowNs: () => 0n };
  const code = await runStatus({ output: 'text', kubeconfig, config }, io);
  return { code, ...out };
}

describe('dd-mutate status, Cluster Agent 7.78', () => {
  it('the Validating configuration (no entries by default), then the Mutating one, the Secret and the probe block', async () => {
    const config = at78();
    const result = await status(config, await cluster(config));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.slice(3, 9)).toEqual([
      '    Webhooks info',
      '    -------------',
      '      ValidatingWebhookConfigurations name: datadog-webhook',
      '      Created at: 2026-03-05T12:00:00Z',
      '      MutatingWebhookConfigurations name: datadog-webhook',
      '      Created at: 2026-03-05T12:00:00Z',
    ]);
    expect(lines.filter((l) => l.startsWith('        Name: '))).toEqual([
      '        Name: datadog.webhook.agent.config',
      '        Name: datadog.webhook.lib.injection',
      '        Name: datadog.webhook.standard.tags',
    ]);
    expect(lines.slice(-5)).toEqual(['', '    Connectivity Probe', '    ------------------', '    Enabled: false', '']);
  });

  it('an enabled probe: Enabled true and the leader text (its statistics are only in the leader)', async () => {
    const config = at78({ 'admission_controller.probe.enabled': true });
    const result = await status(config, await cluster(config));
    expect(result.stdout.split('\n').slice(-4, -1)).toEqual(['    ------------------', '    Enabled: true', '    The probe is only active on the leader instance.']);
  });

  it('a missing ValidatingWebhookConfiguration: the NotFound error in its place, and a problem when validation is on', async () => {
    const config = at78();
    const result = await status(config, await cluster(config, false));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '      ValidatingWebhookConfigurations name: datadog-webhook\n      Error: validatingwebhookconfigurations.admissionregistration.k8s.io "datadog-webhook" not found\n      MutatingWebhookConfigurations name: datadog-webhook\n',
    );
    expect(result.stderr).toContain('dd-mutate: the ValidatingWebhookConfiguration "datadog-webhook" does not exist');
  });

  it('validation.enabled false: the agent deleted it, so its absence is shown but not a problem', async () => {
    const config = at78({ 'admission_controller.validation.enabled': false });
    const result = await status(config, await cluster(config, false));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
