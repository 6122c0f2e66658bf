// `dd-mutate manifests` and the webhook configurations (spec/7.78/webhooks-7.78.md §1): from 7.61 the
// Cluster Agent writes a Mutating and a Validating configuration; manifests prints both, with notes.
import { parseConfig, type AdmissionConfig } from '@dd-admission/core';
import { describe, expect, it } from 'vitest';
import { configurationManifests } from '../src/manifests-command.js';

function at(agentVersion: string, values: Record<string, unknown> = {}): AdmissionConfig {
  const r = parseConfig({ origin: 'test', values: { 'admission_controller.enabled': true, ...values } }, { agentVersion });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

const DEPLOYMENT = { surface: 'config', namespace: 'datadog' } as const;

describe('manifests: the webhook configurations', () => {
  it('7.78: the MutatingWebhookConfiguration then the ValidatingWebhookConfiguration, in the agent namespace, without caBundle', () => {
    const { objects, notes } = configurationManifests(at('7.78'), DEPLOYMENT);
    expect(objects.map((o) => (o as { kind: string }).kind)).toEqual(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
    const [mutating, validating] = objects as { metadata: { name: string }; webhooks: { name: string; clientConfig: Record<string, unknown> }[] }[];
    expect(mutating!.webhooks.map((w) => w.name)).toEqual(['datadog.webhook.agent.config', 'datadog.webhook.standard.tags', 'datadog.webhook.lib.injection']);
    expect(mutating!.webhooks[0]!.clientConfig).toEqual({ service: { namespace: 'datadog', name: 'datadog-admission-controller', port: 443, path: '/injectconfig' } });
    expect(validating).toEqual({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'datadog-webhook' }, webhooks: [] });
    expect(notes).toEqual(['the webhook configurations carry no caBundle: the Cluster Agent fills it in from its certificate Secret']);
  });

  it('the probe entry is printed with its note; a disabled kind is not printed and the note says it is deleted', () => {
    const { objects, notes } = configurationManifests(at('7.78', { 'admission_controller.probe.enabled': true, 'admission_controller.validation.enabled': false }), DEPLOYMENT);
    expect(objects.map((o) => (o as { kind: string }).kind)).toEqual(['MutatingWebhookConfiguration']);
    expect(notes.slice(1)).toEqual([
      'the datadog.webhook.probe entry is a proposal: its path (/probe) and selectors are not established for Cluster Agent 7.78 (the probe works with any path, as the webhook answers probe objects everywhere)',
      'admission_controller.validation.enabled is false: the Cluster Agent deletes its ValidatingWebhookConfiguration datadog-webhook',
    ]);
  });

  it('nothing for 7.49 or 7.60 (one configuration, as manifests always printed), nor with the admission controller off', () => {
    expect(configurationManifests(at('7.49'), DEPLOYMENT)).toEqual({ objects: [], notes: [] });
    expect(configurationManifests(at('7.60'), DEPLOYMENT)).toEqual({ objects: [], notes: [] });
    expect(configurationManifests(at('7.78', { 'admission_controller.enabled': false }), DEPLOYMENT)).toEqual({ objects: [], notes: [] });
  });
});
