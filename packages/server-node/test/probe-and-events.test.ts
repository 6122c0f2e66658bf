// Spec conformance, end to end through the real HTTPS server: probe-7.78.md §3.4 (a probe object is
// answered on every path with the probe-received patch, no mutator runs) and webhooks-7.78.md §3
// (the /kubernetes-admission-events validating webhook answers allowed and is counted; no Datadog
// event is sent).
import { afterAll, describe, expect, it } from 'vitest';
import { webhookTemplates, type AdmissionConfig, type Pod } from '@dd-admission/core';
import { dispatch, type WebhookRegistration } from '@dd-admission/testing';
import { config, metricValue, patchOf, review, send, startServer, type TestServer } from './helpers.js';

const configAt = (agentVersion: string, values: Record<string, unknown> = {}): AdmissionConfig => config(values, agentVersion);

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serverAt(version: string, values: Record<string, unknown> = {}): Promise<TestServer> {
  const server = await startServer({ config: configAt(version, values), logLevel: 'debug' });
  servers.push(server);
  return server;
}

const PROBE_PATCH = [{ op: 'add', path: '/metadata/annotations', value: { 'admission.datadoghq.com/probe-received': 'true' } }];

/** The review of the probe's dry-run ConfigMap create, as the API server sends it. */
function configMapReview(apiVersion: string, labels: Record<string, string>): object {
  return {
    apiVersion,
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${Math.random().toString(16).slice(2)}`,
      kind: { group: '', version: 'v1', kind: 'ConfigMap' },
      resource: { group: '', version: 'v1', resource: 'configmaps' },
      namespace: 'datadog',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:datadog:datadog-cluster-agent' },
      object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'datadog-admission-probe-', namespace: 'datadog', labels } },
      dryRun: true,
    },
  };
}

async function metrics(t: TestServer): Promise<string> {
  return (await send(t, '/metrics', { method: 'GET', contentType: null })).text;
}

describe('7.78: probe objects are answered on every path (§3.4)', () => {
  const paths = ['/probe', '/injectconfig', '/injecttags', '/injectlib', '/kubernetes-admission-events'];

  it('allowed, with exactly the probe-received patch, in v1 and v1beta1; counted', async () => {
    const t = await serverAt('7.78');
    for (const path of paths) {
      for (const version of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']) {
        const body = configMapReview(version, { 'admission.datadoghq.com/probe': 'true' });
        const answer = await review(t, path, body);
        expect(answer.apiVersion, path).toBe(version);
        expect(answer.response.uid).toBe((body as { request: { uid: string } }).request.uid);
        expect(answer.response.allowed).toBe(true);
        expect(answer.response.patchType).toBe('JSONPatch');
        expect(patchOf(answer), path).toEqual(PROBE_PATCH);
      }
    }
    expect(metricValue(await metrics(t), 'admission_webhooks_probe_answers')).toBe(paths.length * 2);
    expect(t.logs.some((l) => l.includes('Answered the connectivity probe object ConfigMap datadog/datadog-admission-probe- on the probe path: probe-received'))).toBe(true);
  });

  it('an object without the label, or with another value, is handled normally: on /probe, allowed and unchanged', async () => {
    const t = await serverAt('7.78');
    for (const labels of [{}, { 'admission.datadoghq.com/probe': 'false' }, { 'admission.datadoghq.com/probe': 'True' }] as Record<string, string>[]) {
      const answer = await review(t, '/probe', configMapReview('admission.k8s.io/v1', labels));
      expect(answer.response).toEqual({ uid: expect.any(String), allowed: true });
    }
    expect(metricValue(await metrics(t), 'admission_webhooks_probe_answers')).toBe(0);
  });

  it('through the dispatcher: a labelled pod that is also a probe object gets the annotation and nothing else', async () => {
    const t = await serverAt('7.78');
    const cfg = configAt('7.78');
    const webhooks: WebhookRegistration[] = webhookTemplates(cfg, { namespace: 'datadog' }).map((w) => ({
      name: w.name,
      url: `${t.base}${w.clientConfig.service!.path}`,
      caBundle: Buffer.from(t.ca).toString('base64'),
      failurePolicy: 'Ignore',
      reinvocationPolicy: 'IfNeeded',
      ...(w.objectSelector ? { objectSelector: w.objectSelector } : {}),
      ...(w.namespaceSelector ? { namespaceSelector: w.namespaceSelector } : {}),
    }));
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { 'admission.datadoghq.com/enabled': 'true', 'admission.datadoghq.com/probe': 'true' } },
      spec: { containers: [{ name: 'app', image: 'app:1' }] },
    };
    const result = await dispatch(pod, { namespace: 'shop', webhooks });
    expect(result.allowed).toBe(true);
    expect(result.failedOpen).toEqual([]);
    expect(result.pod.metadata?.annotations).toEqual({ 'admission.datadoghq.com/probe-received': 'true' });
    expect(result.pod.spec).toEqual(pod.spec);
  });
});

describe('7.78: /kubernetes-admission-events (§3)', () => {
  it('a Deployment change is allowed, never patched, and counted as a validation of a validating webhook', async () => {
    const t = await serverAt('7.78', { 'admission_controller.kubernetes_admission_events.enabled': true });
    const body = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'u-events',
        kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
        resource: { group: 'apps', version: 'v1', resource: 'deployments' },
        namespace: 'shop',
        name: 'web',
        operation: 'UPDATE',
        userInfo: { username: 'jane@example.com' },
        object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } },
      },
    };
    expect((await review(t, '/kubernetes-admission-events', body)).response).toEqual({ uid: 'u-events', allowed: true });
    const text = await metrics(t);
    expect(metricValue(text, 'admission_webhooks_validation_attempts', { webhook_name: 'kubernetes_admission_events', status: 'success', validated: 'true' })).toBe(1);
    expect(metricValue(text, 'admission_webhooks_webhooks_received', { webhook_name: 'kubernetes_admission_events', webhook_type: 'validating' })).toBe(1);
    expect(t.logs.some((l) => l.includes('Allowed UPDATE of Deployment shop/web by jane@example.com (no Datadog event is sent)'))).toBe(true);
  });

  it('the path is served whatever kubernetes_admission_events.enabled says, as the agent registers every handler', async () => {
    const t = await serverAt('7.78');
    const answer = await review(t, '/kubernetes-admission-events', configMapReview('admission.k8s.io/v1', {}));
    expect(answer.response.allowed).toBe(true);
  });
});

describe('7.49 serves its three paths only, without the probe short-circuit', () => {
  it('/probe and /kubernetes-admission-events are 404', async () => {
    const t = await serverAt('7.49');
    for (const path of ['/probe', '/kubernetes-admission-events']) {
      expect((await send(t, path, { body: JSON.stringify(configMapReview('admission.k8s.io/v1', {})) })).status, path).toBe(404);
    }
  });

  it('a probe-labelled object on /injectconfig goes to the config webhook (here: not a pod, so it fails open)', async () => {
    const t = await serverAt('7.49');
    const answer = await review(t, '/injectconfig', configMapReview('admission.k8s.io/v1', { 'admission.datadoghq.com/probe': 'true' }));
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.patch).toBeUndefined();
    expect(metricValue(await metrics(t), 'admission_webhooks_probe_answers')).toBe(0);
  });
});
