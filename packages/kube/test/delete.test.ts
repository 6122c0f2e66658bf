// The delete verb and the ValidatingWebhookConfiguration resource (the 7.63 controller deletes a disabled kind).
import { startKubeApi, type KubeApi } from '@dd-admission/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isNotFound, KubeApiError, RESOURCES, type KubeClient } from '../src/index.js';
import { clientOf, rejection, scratch } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
let api: KubeApi;
let client: KubeClient;

beforeAll(async () => {
  ({ dir, remove } = await scratch());
});
afterAll(() => remove());
beforeEach(async () => {
  api = await startKubeApi();
  client = await clientOf(api, dir);
});
afterEach(() => api.close());

describe('delete', () => {
  it('removes a cluster-scoped ValidatingWebhookConfiguration; a second delete is a 404', async () => {
    await client.create(RESOURCES.validatingWebhookConfigurations, { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'datadog-webhook' }, webhooks: [] });
    expect(await client.find(RESOURCES.validatingWebhookConfigurations, 'datadog-webhook')).toBeDefined();
    await client.delete(RESOURCES.validatingWebhookConfigurations, 'datadog-webhook');
    expect(await client.find(RESOURCES.validatingWebhookConfigurations, 'datadog-webhook')).toBeUndefined();
    const again = await rejection(client.delete(RESOURCES.validatingWebhookConfigurations, 'datadog-webhook'));
    expect(again).toBeInstanceOf(KubeApiError);
    expect(isNotFound(again)).toBe(true);
  });

  it('removes a namespaced object from the namespace given', async () => {
    await client.create(RESOURCES.configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'datadog' } });
    await client.delete(RESOURCES.configMaps, 'c', { namespace: 'datadog' });
    expect(api.read('v1', 'ConfigMap', 'c', 'datadog')).toBeUndefined();
    expect(api.requests.at(-1)).toMatchObject({ verb: 'delete', status: 200 });
  });
});
