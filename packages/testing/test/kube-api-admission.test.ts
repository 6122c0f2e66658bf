// The API double runs the registered mutating webhooks on creates (dry runs included), as
// kube-apiserver does: entries whose rules match the CREATE, through the dispatcher harness.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookClients, startKubeApi, type AdmissionReviewBody, type KubeApi, type WebhookClients } from '@dd-admission/testing';
import { createTestPki, type TestPki } from './support/pki.js';
import { allow, startStubWebhook, type StubWebhook } from './support/stub-webhook.js';

let pki: TestPki;
let stub: StubWebhook;
let clients: WebhookClients;
let api: KubeApi;

beforeAll(async () => {
  pki = await createTestPki();
  stub = await startStubWebhook(pki);
  clients = createWebhookClients();
  stub.route('/mark', (review: AdmissionReviewBody) => allow(review, [{ op: 'add', path: '/metadata/annotations', value: { marked: review.request.resource.resource } }]));
  stub.route('/deny', (review: AdmissionReviewBody) => ({ json: { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: false, status: { message: 'no' } } } }));
});
afterAll(async () => {
  await clients.close();
  await stub.close();
});
afterEach(async () => {
  await api?.close();
});

async function double(): Promise<KubeApi> {
  api = await startKubeApi({ admission: { serviceUrl: (s) => stub.url(s.path), clients } });
  return api;
}

/** A MutatingWebhookConfiguration with one entry for CREATE of `resources`, served by the stub at `path`. */
function configuration(name: string, path: string, resources: string[], extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name },
    webhooks: [
      {
        name: `${name}.example.com`,
        clientConfig: { service: { namespace: 'datadog', name: 'hooks', path }, caBundle: Buffer.from(pki.caPem).toString('base64') },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources }],
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        failurePolicy: 'Fail',
        ...extra,
      },
    ],
  };
}

async function post(path: string, body: object): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'probe-', labels: { probe: 'true' } } };

describe('mutating admission on creates', () => {
  it('a dry-run create is sent to the matching webhook, comes back mutated, and nothing is stored', async () => {
    await double();
    api.apply(configuration('marker', '/mark', ['configmaps']) as never);
    const before = stub.requestsTo('/mark').length;
    const answer = await post('/api/v1/namespaces/datadog/configmaps?dryRun=All', configMap);
    expect(answer.status).toBe(201);
    expect(answer.json.metadata.annotations).toEqual({ marked: 'configmaps' });
    expect(api.store.list('configmaps')).toEqual([]);
    const sent = JSON.parse(stub.requestsTo('/mark').at(before)!.body) as AdmissionReviewBody;
    expect(sent.request).toMatchObject({ kind: { group: '', version: 'v1', kind: 'ConfigMap' }, resource: { resource: 'configmaps' }, namespace: 'datadog', dryRun: true, operation: 'CREATE' });
  });

  it('a webhook registered for other resources is not called; an object selector that does not match skips it', async () => {
    await double();
    api.apply(configuration('pods-only', '/mark', ['pods']) as never);
    api.apply(configuration('selective', '/mark', ['configmaps'], { objectSelector: { matchLabels: { other: 'x' } } }) as never);
    const before = stub.requestsTo('/mark').length;
    const answer = await post('/api/v1/namespaces/datadog/configmaps?dryRun=All', configMap);
    expect(answer.json.metadata.annotations).toBeUndefined();
    expect(stub.requestsTo('/mark').length).toBe(before);
  });

  it('a denial fails the create with the webhook named, as the API server answers', async () => {
    await double();
    api.apply(configuration('denier', '/deny', ['configmaps']) as never);
    const answer = await post('/api/v1/namespaces/datadog/configmaps', configMap);
    expect(answer.status).toBe(400);
    expect(answer.json.message).toBe('admission webhook "denier.example.com" denied the request: no');
  });

  it('without the admission option the double calls no webhook', async () => {
    api = await startKubeApi();
    api.apply(configuration('marker', '/mark', ['configmaps']) as never);
    const answer = await post('/api/v1/namespaces/datadog/configmaps?dryRun=All', configMap);
    expect(answer.json.metadata.annotations).toBeUndefined();
  });
});
