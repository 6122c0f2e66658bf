// The Kubernetes API double, driven by the real @kubernetes/client-node over HTTP(S) through a kubeconfig.
// Each test gets a fresh double: any one of them runs alone.
import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeApi, type KubeApi } from '@dd-admission/testing';
import { certificate } from './helpers.js';

let api: KubeApi;
let kc: k8s.KubeConfig;

beforeEach(async () => {
  api = await startKubeApi({ historyLimit: 20 });
  kc = new k8s.KubeConfig();
  kc.loadFromString(api.kubeconfig({ token: 'tester', namespace: 'datadog' }));
});

afterEach(async () => {
  await api.close();
});

/** The HTTP status of a failed call (ApiException), or the error's code (ECONNREFUSED). */
async function failure(call: Promise<unknown>): Promise<{ code: unknown; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { code?: unknown; body?: unknown; message: string };
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: string }) : (e.body as { message?: string } | undefined);
    return { code: e.code, message: body?.message ?? e.message };
  }
  throw new Error('the call succeeded');
}

const secret = (name: string, data: Record<string, string> = { 'cert.pem': 'Y2VydA==' }): k8s.V1Secret => ({ metadata: { name, namespace: 'datadog' }, data });

/** Stores the certificate Secret the watch and fault tests read. */
function seedCertificate(): void {
  api.apply({ apiVersion: 'v1', kind: 'Secret', ...secret('webhook-certificate') } as never);
}

describe('Secrets: CRUD, resourceVersion, conflicts', () => {
  it('creates, reads, lists by field selector, replaces, patches and deletes', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const created = await core.createNamespacedSecret({ namespace: 'datadog', body: secret('webhook-certificate') });
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.type).toBe('Opaque');
    await core.createNamespacedSecret({ namespace: 'datadog', body: secret('other') });

    const read = await core.readNamespacedSecret({ name: 'webhook-certificate', namespace: 'datadog' });
    expect(read.data).toEqual({ 'cert.pem': 'Y2VydA==' });
    const listed = await core.listNamespacedSecret({ namespace: 'datadog', fieldSelector: 'metadata.name=webhook-certificate' });
    expect(listed.items.map((s) => s.metadata?.name)).toEqual(['webhook-certificate']);
    expect(Number(listed.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata?.resourceVersion));

    const replaced = await core.replaceNamespacedSecret({ name: 'webhook-certificate', namespace: 'datadog', body: { ...read, data: { 'cert.pem': 'bmV3' } } });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));
    expect(replaced.metadata?.uid).toBe(created.metadata?.uid);

    // The same update again with the old resourceVersion is stale.
    const stale = await failure(core.replaceNamespacedSecret({ name: 'webhook-certificate', namespace: 'datadog', body: { ...read, data: { 'cert.pem': 'b2xk' } } }));
    expect(stale).toEqual({
      code: 409,
      message: 'Operation cannot be fulfilled on secrets "webhook-certificate": the object has been modified; please apply your changes to the latest version and try again',
    });

    // An update that changes nothing keeps the resourceVersion.
    const same = await core.replaceNamespacedSecret({ name: 'webhook-certificate', namespace: 'datadog', body: replaced });
    expect(same.metadata?.resourceVersion).toBe(replaced.metadata?.resourceVersion);

    const patched = await core.patchNamespacedSecret(
      { name: 'webhook-certificate', namespace: 'datadog', body: { metadata: { labels: { a: 'b' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.labels).toEqual({ a: 'b' });
    expect(patched.data).toEqual({ 'cert.pem': 'bmV3' });
    const jsonPatched = await core.patchNamespacedSecret({ name: 'webhook-certificate', namespace: 'datadog', body: [{ op: 'add', path: '/data/key.pem', value: 'a2V5' }] });
    expect(jsonPatched.data).toEqual({ 'cert.pem': 'bmV3', 'key.pem': 'a2V5' });

    expect(await failure(core.createNamespacedSecret({ namespace: 'datadog', body: secret('other') }))).toEqual({ code: 409, message: 'secrets "other" already exists' });
    await core.deleteNamespacedSecret({ name: 'other', namespace: 'datadog' });
    expect(await failure(core.readNamespacedSecret({ name: 'other', namespace: 'datadog' }))).toEqual({ code: 404, message: 'secrets "other" not found' });
  });

  it('rejects what the real API rejects: bad base64, a bad name, a namespace mismatch; merges stringData', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    expect((await failure(core.createNamespacedSecret({ namespace: 'datadog', body: secret('bad', { x: 'not base64!' }) }))).code).toBe(400);
    expect((await failure(core.createNamespacedSecret({ namespace: 'datadog', body: secret('Upper') }))).code).toBe(422);
    expect(await failure(core.createNamespacedSecret({ namespace: 'other', body: secret('mismatch') }))).toEqual({
      code: 400,
      message: 'the namespace of the provided object does not match the namespace sent on the request',
    });
    const s = await core.createNamespacedSecret({ namespace: 'datadog', body: { metadata: { name: 'strings' }, stringData: { a: 'hello' } } });
    expect(s.data).toEqual({ a: 'aGVsbG8=' });
    expect(s.stringData).toBeUndefined();
  });
});

describe('MutatingWebhookConfigurations: v1 with defaults, v1beta1 404 unless served', () => {
  const webhook = {
    name: 'datadog.webhook.config',
    clientConfig: { service: { namespace: 'datadog', name: 'svc', path: '/injectconfig' }, caBundle: 'Y2E=' },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
  };

  it('stores v1 with the API server defaults, and validates', async () => {
    const admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
    const created = await admission.createMutatingWebhookConfiguration({ body: { metadata: { name: 'datadog-webhook' }, webhooks: [webhook] } });
    expect(created.webhooks?.[0]).toMatchObject({
      failurePolicy: 'Fail',
      matchPolicy: 'Equivalent',
      namespaceSelector: {},
      objectSelector: {},
      timeoutSeconds: 10,
      reinvocationPolicy: 'Never',
      rules: [{ scope: '*' }],
      clientConfig: { service: { port: 443 } },
    });
    const invalid = await failure(admission.createMutatingWebhookConfiguration({ body: { metadata: { name: 'x' }, webhooks: [{ ...webhook, sideEffects: undefined as never }] } }));
    expect(invalid.code).toBe(422);
    expect(invalid.message).toContain('webhooks[0].sideEffects: Required value');
  });

  it('answers 404 for v1beta1 on a 1.22+ cluster, serves it when asked to', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const probe = await failure(objects.list('admissionregistration.k8s.io/v1beta1', 'MutatingWebhookConfiguration'));
    expect(probe).toEqual({ code: 404, message: 'the server could not find the requested resource' });

    const legacy = await startKubeApi({ admissionVersions: ['v1', 'v1beta1'] });
    try {
      const lkc = new k8s.KubeConfig();
      lkc.loadFromString(legacy.kubeconfig());
      const lobjects = k8s.KubernetesObjectApi.makeApiClient(lkc);
      await lobjects.create({ apiVersion: 'admissionregistration.k8s.io/v1beta1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'h' }, webhooks: [webhook] } as k8s.KubernetesObject);
      const v1 = await lkc.makeApiClient(k8s.AdmissionregistrationV1Api).readMutatingWebhookConfiguration({ name: 'h' });
      expect(v1.webhooks?.[0]?.name).toBe('datadog.webhook.config');
      const list = await lobjects.list('admissionregistration.k8s.io/v1beta1', 'MutatingWebhookConfiguration');
      expect(list.items.map((i) => i.metadata?.name)).toEqual(['h']);
    } finally {
      await legacy.close();
    }
  });
});

describe('Leases', () => {
  it('takes MicroTime (six fraction digits) and refuses a plain Date', async () => {
    const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
    const now = new k8s.V1MicroTime(Date.parse('2024-05-01T10:00:00.123Z'));
    const lease = await coordination.createNamespacedLease({
      namespace: 'datadog',
      body: { metadata: { name: 'datadog-leader-election' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: now, acquireTime: now } },
    });
    expect(lease.spec?.renewTime).toBe('2024-05-01T10:00:00.123000Z');
    const plain = await failure(
      coordination.createNamespacedLease({ namespace: 'datadog', body: { metadata: { name: 'plain' }, spec: { holderIdentity: 'b', renewTime: new Date() as k8s.V1MicroTime } } }),
    );
    expect(plain.code).toBe(400);
    expect(plain.message).toContain('MicroTime');
  });
});

describe('the other resources the webhook and the controllers read', () => {
  it('Pods, Services, Endpoints, ReplicaSets, Deployments, Jobs and NetworkPolicies: create, get, list, delete', async () => {
    const ns = 'shop';
    const meta = (name: string) => ({ name, namespace: ns, labels: { app: 'web' } });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const batch = kc.makeApiClient(k8s.BatchV1Api);
    const net = kc.makeApiClient(k8s.NetworkingV1Api);
    const spec = { containers: [{ name: 'app', image: 'app:1' }] };
    const template = { metadata: { labels: { app: 'web' } }, spec };
    await core.createNamespacedPod({ namespace: ns, body: { metadata: meta('web-0'), spec } });
    await core.createNamespacedService({ namespace: ns, body: { metadata: meta('web'), spec: { ports: [{ port: 443 }] } } });
    await core.createNamespacedEndpoints({ namespace: ns, body: { metadata: meta('web') } });
    await apps.createNamespacedReplicaSet({ namespace: ns, body: { metadata: meta('web-1'), spec: { selector: { matchLabels: { app: 'web' } }, template } } });
    await apps.createNamespacedDeployment({ namespace: ns, body: { metadata: meta('web'), spec: { selector: { matchLabels: { app: 'web' } }, template } } });
    await batch.createNamespacedJob({ namespace: ns, body: { metadata: meta('once'), spec: { template: { spec: { ...spec, restartPolicy: 'Never' } } } } });
    await net.createNamespacedNetworkPolicy({ namespace: ns, body: { metadata: meta('allow'), spec: { podSelector: {} } } });

    expect((await apps.readNamespacedReplicaSet({ name: 'web-1', namespace: ns })).kind).toBe('ReplicaSet');
    expect((await apps.readNamespacedDeployment({ name: 'web', namespace: ns })).apiVersion).toBe('apps/v1');
    expect((await batch.readNamespacedJob({ name: 'once', namespace: ns })).metadata?.name).toBe('once');
    expect((await net.listNamespacedNetworkPolicy({ namespace: ns })).items).toHaveLength(1);
    expect((await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' })).items).toHaveLength(1);
    expect((await core.listNamespacedPod({ namespace: ns, labelSelector: 'app notin (web)' })).items).toHaveLength(0);
    expect((await core.listPodForAllNamespaces()).items.map((p) => p.metadata?.name)).toEqual(['web-0']);
    expect((await core.readNamespacedEndpoints({ name: 'web', namespace: ns })).metadata?.name).toBe('web');
    expect((await core.deleteNamespacedPod({ name: 'web-0', namespace: ns })).metadata?.name).toBe('web-0');
    expect((await apps.deleteNamespacedDeployment({ name: 'web', namespace: ns })).status).toBe('Success');
    expect((await failure(core.createNamespacedPod({ namespace: ns, body: { metadata: meta('empty'), spec: { containers: [] } } }))).code).toBe(422);
  });
});

describe('watch=true', () => {
  /** Collects watch events until `count` arrived (bounded by 5 s). */
  async function events(path: string, query: Record<string, string>, count: number, act: () => Promise<void>): Promise<{ type: string; name: string; rv: string }[]> {
    const seen: { type: string; name: string; rv: string }[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const controller = await new k8s.Watch(kc).watch(
      path,
      query,
      (type, object: k8s.KubernetesObject) => {
        seen.push({ type, name: object.metadata?.name ?? '', rv: object.metadata?.resourceVersion ?? '' });
        if (seen.length >= count) done();
      },
      () => done(),
    );
    await act();
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    controller.abort();
    return seen;
  }

  it('streams ADDED, MODIFIED and DELETED for the selected object only, and resumes from a resourceVersion', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const start = (await core.listNamespacedSecret({ namespace: 'datadog' })).metadata!.resourceVersion!;
    const seen = await events('/api/v1/namespaces/datadog/secrets', { fieldSelector: 'metadata.name=watched', resourceVersion: start }, 3, async () => {
      await core.createNamespacedSecret({ namespace: 'datadog', body: secret('unrelated') });
      const s = await core.createNamespacedSecret({ namespace: 'datadog', body: secret('watched') });
      await core.replaceNamespacedSecret({ name: 'watched', namespace: 'datadog', body: { ...s, data: { 'cert.pem': 'bmV3' } } });
      await core.deleteNamespacedSecret({ name: 'watched', namespace: 'datadog' });
    });
    expect(seen.map((e) => [e.type, e.name])).toEqual([
      ['ADDED', 'watched'],
      ['MODIFIED', 'watched'],
      ['DELETED', 'watched'],
    ]);

    // Resuming after the first event replays the rest.
    const replay = await events('/api/v1/namespaces/datadog/secrets', { fieldSelector: 'metadata.name=watched', resourceVersion: seen[0]!.rv }, 2, async () => {});
    expect(replay.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
  });

  it('without a resourceVersion starts with ADDED for what exists; a compacted one gets 410 Expired', async () => {
    seedCertificate();
    // More writes than the history keeps (20): resourceVersion 1 is compacted away.
    for (let i = 0; i < 25; i++) api.apply({ apiVersion: 'v1', kind: 'Secret', ...secret('churn', { i: Buffer.from(String(i)).toString('base64') }) } as never);
    const initial = await events('/api/v1/namespaces/datadog/secrets', { fieldSelector: 'metadata.name=webhook-certificate' }, 1, async () => {});
    expect(initial.map((e) => [e.type, e.name])).toEqual([['ADDED', 'webhook-certificate']]);
    const expired = await events('/api/v1/namespaces/datadog/secrets', { resourceVersion: '1' }, 1, async () => {});
    expect(expired.map((e) => e.type)).toEqual(['ERROR']);
  });

  it('closeWatches ends open streams (the client sees the end and can watch again)', async () => {
    let ended!: () => void;
    const end = new Promise<void>((resolve) => (ended = resolve));
    const controller = await new k8s.Watch(kc).watch('/api/v1/namespaces/datadog/secrets', {}, () => {}, () => ended());
    api.closeWatches();
    await end;
    const again = await new k8s.Watch(kc).watch('/api/v1/namespaces/datadog/secrets', {}, () => {}, () => {});
    again.abort();
    controller.abort();
  });
});

describe('fault injection', () => {
  it('5xx for matching requests, a limited number of times', async () => {
    seedCertificate();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    api.faults.add({ match: { resources: ['secrets'], methods: ['GET'] }, action: { kind: 'status', code: 503 }, times: 2 });
    expect((await failure(core.readNamespacedSecret({ name: 'webhook-certificate', namespace: 'datadog' }))).code).toBe(503);
    expect((await failure(core.readNamespacedSecret({ name: 'webhook-certificate', namespace: 'datadog' }))).code).toBe(503);
    expect((await core.readNamespacedSecret({ name: 'webhook-certificate', namespace: 'datadog' })).metadata?.name).toBe('webhook-certificate');
  });

  it('slow answers and cut connections', async () => {
    seedCertificate();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    let release!: () => void;
    api.faults.add({ match: { resources: ['secrets'] }, action: { kind: 'hold', until: new Promise<void>((resolve) => (release = resolve)) }, times: 1 });
    let settled = false;
    const slow = core.readNamespacedSecret({ name: 'webhook-certificate', namespace: 'datadog' }).finally(() => (settled = true));
    // Other requests are answered while the slow one still waits (the fault holds one request, not the server).
    for (let i = 0; i < 3; i++) expect((await core.listNamespacedPod({ namespace: 'datadog' })).items).toEqual([]);
    expect(settled).toBe(false);
    release();
    expect((await slow).metadata?.name).toBe('webhook-certificate');
    api.faults.add({ action: { kind: 'reset' }, times: 1 });
    expect((await failure(core.readNamespacedSecret({ name: 'webhook-certificate', namespace: 'datadog' }))).message).toMatch(/socket hang up|ECONNRESET/);
  });

  it('refuses connections until told to accept them again, on the same port', async () => {
    seedCertificate();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await api.refuseConnections();
    const refused = await failure(core.readNamespacedSecret({ name: 'webhook-certificate', namespace: 'datadog' }));
    expect(refused.message).toContain('ECONNREFUSED');
    await api.acceptConnections();
    expect((await core.readNamespacedSecret({ name: 'webhook-certificate', namespace: 'datadog' })).metadata?.name).toBe('webhook-certificate');
  });

  it('records who did what', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const created = await core.createNamespacedSecret({ namespace: 'datadog', body: secret('recorded') });
    await core.replaceNamespacedSecret({ name: 'recorded', namespace: 'datadog', body: { ...created, data: { 'cert.pem': 'bmV3' } } });
    const writes = api.requests.filter((r) => r.verb === 'update' && r.resource === 'secrets');
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((r) => r.user === 'tester')).toBe(true);
  });
});

describe('HTTPS', () => {
  it('serves TLS with the kubeconfig carrying the CA; /version and discovery', async () => {
    const material = await certificate('kube-api');
    const secure = await startKubeApi({ tls: { cert: material.cert, key: material.key }, serverVersion: { major: '1', minor: '14+' } });
    try {
      const skc = new k8s.KubeConfig();
      skc.loadFromString(secure.kubeconfig());
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const version = await skc.makeApiClient(k8s.VersionApi).getCode();
      expect([version.major, version.minor]).toEqual(['1', '14+']);
      const resources = await skc.makeApiClient(k8s.CoordinationApi).getAPIGroup();
      expect(resources.name).toBe('coordination.k8s.io');
    } finally {
      await secure.close();
    }
  });
});
