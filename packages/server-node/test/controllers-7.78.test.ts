// The webhook controller as Cluster Agent 7.78 runs it, against the Kubernetes API double through
// @kubernetes/client-node (spec/7.78/webhooks-7.78.md §1): both configurations written, a disabled
// kind deleted (7.63), one kind's failure logged without blocking the other, validation switched
// off without RBAC to read its configuration.
import { sameWebhooks, validatingWebhookConfiguration, webhookConfiguration } from '@dd-admission/core';
import { describe, expect, it } from 'vitest';
import { startKubeApi, type KubeApi, type KubeObject } from '@dd-admission/testing';
import { controllerConfig, controllerSuite, eventually, MWC, NAMESPACE, startReplica, storedConfiguration, storedSecret, type Replica, type WebhookJson } from './controller-harness.js';

const suite = controllerSuite();
let api: KubeApi;

/** A fresh API double for the test, closed after it. */
async function double(): Promise<KubeApi> {
  api = await startKubeApi();
  suite.api = api;
  return api;
}

const at78 = (values: Record<string, unknown> = {}) => controllerConfig(values, '7.78');

async function replica(values: Record<string, unknown> = {}): Promise<Replica> {
  const r = await startReplica(api, suite.dir, 'replica-a', { config: at78(values) });
  suite.running.push(r);
  return r;
}

function storedValidating(): (KubeObject & { webhooks?: WebhookJson[] }) | undefined {
  return api.read(MWC, 'ValidatingWebhookConfiguration', 'datadog-webhook') as (KubeObject & { webhooks?: WebhookJson[] }) | undefined;
}

const cert = () => storedSecret(api)?.data?.['cert.pem'];

describe('7.78: both configurations', () => {
  it('creates the Mutating configuration with the renamed entries and the Validating one, empty by default', async () => {
    await double();
    const r = await replica();
    const stored = await eventually('both configurations', () => {
      const [mutating, validating] = [storedConfiguration(api), storedValidating()];
      return cert() !== undefined && mutating && validating ? { mutating, validating } : undefined;
    });
    const config = at78();
    expect(sameWebhooks(stored.mutating.webhooks, webhookConfiguration(config, cert()!, { namespace: NAMESPACE }).webhooks!)).toBe(true);
    expect(stored.mutating.webhooks!.map((w) => w.name)).toEqual(['datadog.webhook.agent.config', 'datadog.webhook.standard.tags', 'datadog.webhook.lib.injection']);
    expect(stored.validating.webhooks ?? []).toEqual([]);
    expect(r.logs.some((l) => l.includes('Mutating Webhook datadog-webhook was not found, creating it'))).toBe(true);
    expect(r.logs.some((l) => l.includes('Validating Webhook datadog-webhook was not found, creating it'))).toBe(true);
  });

  it('the admission-events entry is written when enabled, and a manual edit of it is reverted', async () => {
    await double();
    const values = { 'admission_controller.kubernetes_admission_events.enabled': true };
    await replica(values);
    const desired = () => validatingWebhookConfiguration(at78(values), cert()!, { namespace: NAMESPACE }).webhooks!;
    await eventually('the validating entry', () => cert() !== undefined && sameWebhooks(storedValidating()?.webhooks, desired()));
    expect(storedValidating()!.webhooks!.map((w) => w.name)).toEqual(['datadog.webhook.kubernetes.admission.events']);
    const edited = storedValidating()!;
    api.apply({ ...edited, webhooks: edited.webhooks!.map((w) => ({ ...w, failurePolicy: 'Fail' })) });
    await eventually('the edit reverted', () => sameWebhooks(storedValidating()?.webhooks, desired()));
  });
});

describe('7.63: a disabled kind is deleted', () => {
  it('validation.enabled false deletes an existing ValidatingWebhookConfiguration; the mutating one is still written', async () => {
    await double();
    api.apply(validatingWebhookConfiguration(at78(), undefined, { namespace: NAMESPACE }) as never);
    const r = await replica({ 'admission_controller.validation.enabled': false });
    await eventually('the validating configuration deleted', () => storedConfiguration(api) && storedValidating() === undefined);
    expect(r.logs.some((l) => l.includes('Deleting Validating Webhook datadog-webhook: admission_controller.validation.enabled is false'))).toBe(true);
  });

  it('mutation.enabled false deletes the MutatingWebhookConfiguration and writes the validating one', async () => {
    await double();
    api.apply(webhookConfiguration(at78(), undefined, { namespace: NAMESPACE }) as never);
    await replica({ 'admission_controller.mutation.enabled': false });
    await eventually('the mutating configuration deleted', () => storedValidating() && storedConfiguration(api) === undefined);
  });
});

describe("one kind's failure does not block the other", () => {
  it('a refused create of the Validating configuration is logged as the agent does; the Mutating one is written; a retry creates it', async () => {
    await double();
    const removeFault = api.faults.add({ match: { methods: ['POST'], resources: ['validatingwebhookconfigurations'] }, action: { kind: 'status', code: 500, message: 'etcd is unhappy' } });
    const r = await replica();
    await eventually('the mutating configuration', () => storedConfiguration(api));
    await eventually('the failure line', () => r.logs.some((l) => l.includes('Failed to create Validating Webhook datadog-webhook: etcd is unhappy (HTTP 500)')));
    expect(storedValidating()).toBeUndefined();
    removeFault();
    await eventually('the validating configuration, on a retry', () => storedValidating());
  });

  it('without RBAC on validatingwebhookconfigurations, validation is switched off with a warning and the mutating configuration is managed', async () => {
    await double();
    api.faults.add({ match: { resources: ['validatingwebhookconfigurations'] }, action: { kind: 'status', code: 403, message: 'validatingwebhookconfigurations is forbidden' } });
    const r = await replica();
    await eventually('the mutating configuration', () => storedConfiguration(api));
    expect(r.logs.some((l) => l.includes('Validating Webhook Informer not synced: disabling validation webhook controller'))).toBe(true);
    expect(r.logs.filter((l) => l.includes('Failed to'))).toEqual([]);
  });
});
