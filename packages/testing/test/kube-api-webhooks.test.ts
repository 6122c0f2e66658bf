// The Kubernetes API double runs the registered mutating webhooks on creates, driven by the
// real @kubernetes/client-node: selection by rules and selectors, Service resolution, TLS
// against the CA bundle and the Service's host name, failurePolicy with the API server's
// error text, timeouts (fired by the test, not waited for), reinvocation, and dry runs that
// return the mutated object and store nothing.
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, parseAdmissionReview, reviewWebhook } from '@dd-admission/core';
import { startBlackhole, startKubeApi, type AdmissionReviewBody, type KubeApi, type WebhookNetwork } from '@dd-admission/testing';
import { createTestPki, type TestPki } from './support/pki.js';
import { allow, closedPort, startStubWebhook, type StubWebhook } from './support/stub-webhook.js';

const SERVICE = 'datadog-cluster-agent-admission-controller';
const HOST = `${SERVICE}.datadog.svc`;
const OPT_IN = { 'admission.datadoghq.com/enabled': 'true' };
const CONFIG_URL = `https://${HOST}:443/injectconfig?timeout=10s`;

let pki: TestPki;
let stub: StubWebhook;
let api: KubeApi | undefined;

beforeAll(async () => {
  pki = await createTestPki('webhook CA', [HOST, '127.0.0.1']);
  stub = await startStubWebhook(pki);
  // The cluster agent's config webhook, served by the core, so patches are real ones.
  stub.route('/injectconfig', (review) => ({ json: reviewWebhook(parseAdmissionReview(review), 'config', {}, defaultConfig('7.49')).response }));
});
afterAll(() => stub?.close());
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** The stub's origin, where the cluster agent's Service answers. */
const stubOrigin = () => new URL(stub.url('/')).origin;

/** A double whose network routes the cluster agent's Service to the stub, unless told otherwise. */
async function cluster(network: WebhookNetwork = { serviceAddress: () => stubOrigin() }): Promise<{ api: KubeApi; core: k8s.CoreV1Api }> {
  api = await startKubeApi({ webhooks: network });
  api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'web' } } });
  api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: SERVICE, namespace: 'datadog' }, spec: { ports: [{ name: 'https', port: 443, targetPort: 8000 }] } });
  api.apply({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: SERVICE, namespace: 'datadog' },
    subsets: [{ addresses: [{ ip: '10.0.0.7' }], ports: [{ name: 'https', port: 8000 }] }],
  });
  const kc = new k8s.KubeConfig();
  kc.loadFromString(api.kubeconfig({ token: 'tester' }));
  return { api, core: kc.makeApiClient(k8s.CoreV1Api) };
}

/** One webhook entry of a MutatingWebhookConfiguration, served by the cluster agent's Service. */
function entry(name: string, path: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    clientConfig: { service: { namespace: 'datadog', name: SERVICE, path }, caBundle: Buffer.from(pki.caPem).toString('base64') },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    objectSelector: { matchLabels: OPT_IN },
    failurePolicy: 'Fail',
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    ...more,
  };
}

function register(double: KubeApi, ...webhooks: Record<string, unknown>[]): void {
  double.apply({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'datadog-webhook' }, webhooks });
}

const pod = (labels: Record<string, string> = OPT_IN): k8s.V1Pod => ({
  metadata: { generateName: 'web-', labels },
  spec: { containers: [{ name: 'app', image: 'app:1' }] },
});

const envNames = (p: k8s.V1Pod) => (p.spec?.containers[0]?.env ?? []).map((e) => e.name);

/** What follows `prefix` in an error message; the whole message when it does not start so. */
function causeOf(message: string, prefix: string): string {
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** The HTTP status and Status message of a failed call. */
async function failure(call: Promise<unknown>): Promise<{ code: unknown; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { code?: unknown; body?: unknown };
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: string }) : (e.body as { message?: string });
    return { code: e.code, message: body.message ?? '' };
  }
  throw new Error('the call succeeded');
}

describe('a pod create goes through the mutating webhooks', () => {
  it('returns and stores the pod as mutated; the webhook is called at the Service host with the timeout', async () => {
    const { api, core } = await cluster();
    register(api, entry('datadog.webhook.config', '/injectconfig'));
    const before = stub.requestsTo('/injectconfig').length;
    const created = await core.createNamespacedPod({ namespace: 'shop', body: pod() });
    expect(envNames(created)).toEqual(['DD_ENTITY_ID', 'DD_AGENT_HOST']);
    expect(created.metadata?.name).toMatch(/^web-/);
    const stored = api.read('v1', 'Pod', created.metadata!.name!, 'shop') as unknown as k8s.V1Pod;
    expect(envNames(stored)).toEqual(['DD_ENTITY_ID', 'DD_AGENT_HOST']);

    const call = stub.requestsTo('/injectconfig').slice(before);
    expect(call).toHaveLength(1);
    expect(call[0]!.url).toBe('/injectconfig?timeout=10s');
    expect(call[0]!.headers.host).toBe(`${HOST}:443`);
    const review = JSON.parse(call[0]!.body) as AdmissionReviewBody;
    expect(review.request).toMatchObject({ namespace: 'shop', operation: 'CREATE', dryRun: false, resource: { resource: 'pods' } });
  });

  it('a dryRun=All create returns the mutated pod, tells the webhook it is a dry run, and stores nothing', async () => {
    const { api, core } = await cluster();
    register(api, entry('datadog.webhook.config', '/injectconfig'));
    const revision = api.store.revision();
    const probe = await core.createNamespacedPod({ namespace: 'shop', body: pod(), dryRun: 'All' });
    expect(envNames(probe)).toEqual(['DD_ENTITY_ID', 'DD_AGENT_HOST']);
    expect(probe.metadata?.resourceVersion).toBeUndefined();
    expect(api.store.list('pods')).toEqual([]);
    expect(api.store.revision()).toBe(revision);
    const review = JSON.parse(stub.requestsTo('/injectconfig').at(-1)!.body) as AdmissionReviewBody;
    expect(review.request.dryRun).toBe(true);
    expect(api.admissions.at(-1)).toMatchObject({ resource: 'pods', namespace: 'shop', dryRun: true });
  });

  it('selects webhooks as the API server does: objectSelector, namespaceSelector (with kubernetes.io/metadata.name) and rules', async () => {
    const { api, core } = await cluster();
    register(
      api,
      entry('by-object', '/injectconfig'),
      entry('by-namespace', '/injectconfig', { objectSelector: {}, namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['shop'] }] } }),
      entry('by-team', '/injectconfig', { objectSelector: {}, namespaceSelector: { matchLabels: { team: 'data' } } }),
      entry('by-rule', '/injectconfig', { objectSelector: {}, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }] }),
      entry('on-update', '/injectconfig', { objectSelector: {}, rules: [{ operations: ['UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] }),
    );
    const plain = await core.createNamespacedPod({ namespace: 'shop', body: pod({ app: 'web' }) });
    expect(envNames(plain)).toEqual([]);
    expect(api.admissions).toEqual([]);
    await core.createNamespacedPod({ namespace: 'shop', body: pod() });
    expect(api.admissions.at(-1)!.result.calls.map((c) => c.webhook)).toEqual(['by-object']);
  });

  it('sends any created object, a ConfigMap here, to the webhooks registered for it', async () => {
    const { api, core } = await cluster();
    stub.route('/configmap', (review) => allow(review, [{ op: 'add', path: '/data/probe', value: 'received' }]));
    register(api, entry('probe', '/configmap', { objectSelector: {}, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: 'Namespaced' }] }));
    const created = await core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'probe' }, data: { a: 'b' } }, dryRun: 'All' });
    expect(created.data).toEqual({ a: 'b', probe: 'received' });
    const review = JSON.parse(stub.requestsTo('/configmap').at(-1)!.body) as AdmissionReviewBody;
    expect(review.request.kind).toEqual({ group: '', version: 'v1', kind: 'ConfigMap' });
    expect(review.request.resource).toEqual({ group: '', version: 'v1', resource: 'configmaps' });
    expect(api.store.list('configmaps')).toEqual([]);
  });

  it('reinvokes an IfNeeded webhook once when a later webhook changed the object', async () => {
    const { api, core } = await cluster();
    stub.route('/first', (review) => (review.request.object.metadata?.annotations?.first ? allow(review) : allow(review, [{ op: 'add', path: '/metadata/annotations', value: { first: 'yes' } }])));
    stub.route('/second', (review) => allow(review, [{ op: 'add', path: '/metadata/labels/second', value: 'yes' }]));
    register(api, entry('first', '/first', { reinvocationPolicy: 'IfNeeded' }), entry('second', '/second'));
    const created = await core.createNamespacedPod({ namespace: 'shop', body: pod() });
    expect(created.metadata?.annotations).toEqual({ first: 'yes' });
    expect(created.metadata?.labels).toEqual({ ...OPT_IN, second: 'yes' });
    const { result } = api.admissions.at(-1)!;
    expect(result.reinvoked).toBe(true);
    expect(result.calls.map((c) => [c.webhook, c.reinvocation])).toEqual([
      ['first', false],
      ['second', false],
      ['first', true],
    ]);
  });
});

describe('a webhook that cannot be called: the API server text under Fail, the pod unmutated under Ignore', () => {
  const cases: { name: string; cause: RegExp; network?: () => Promise<WebhookNetwork>; arrange?: (api: KubeApi) => void }[] = [
    { name: 'the Service is missing', cause: /^service "datadog-cluster-agent-admission-controller" not found$/, arrange: (a) => void a.remove('v1', 'Service', SERVICE, 'datadog') },
    {
      name: 'the Service has no ready endpoint',
      cause: /^no endpoints available for service "datadog-cluster-agent-admission-controller"$/,
      arrange: (a) => void a.apply({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: SERVICE, namespace: 'datadog' }, subsets: [{ notReadyAddresses: [{ ip: '10.0.0.7' }], ports: [{ name: 'https', port: 8000 }] }] }),
    },
    { name: 'the network has no route to the endpoint', cause: /^dial tcp 10\.0\.0\.7:8000: connect: connection refused$/, network: async () => ({}) },
    {
      name: 'nothing listens on the port',
      cause: /^dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/,
      network: async () => {
        const port = await closedPort();
        return { serviceAddress: () => `https://127.0.0.1:${port}` };
      },
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const { api, core } = await cluster(c.network ? await c.network() : undefined);
      c.arrange?.(api);
      register(api, entry('datadog.webhook.config', '/injectconfig'));
      const failed = await failure(core.createNamespacedPod({ namespace: 'shop', body: pod() }));
      expect(failed.code).toBe(500);
      expect(causeOf(failed.message, `Internal error occurred: failed calling webhook "datadog.webhook.config": failed to call webhook: Post "${CONFIG_URL}": `)).toMatch(c.cause);
      expect(api.store.list('pods')).toEqual([]);

      register(api, entry('datadog.webhook.config', '/injectconfig', { failurePolicy: 'Ignore' }));
      const admitted = await core.createNamespacedPod({ namespace: 'shop', body: pod() });
      expect(envNames(admitted)).toEqual([]);
      const [ignored] = api.admissions.at(-1)!.result.failedOpen;
      expect(causeOf(ignored!.error, `failed calling webhook "datadog.webhook.config": failed to call webhook: Post "${CONFIG_URL}": `)).toMatch(c.cause);
    });
  }

  it('a CA bundle that does not sign the certificate: x509 unknown authority', async () => {
    const { api, core } = await cluster();
    const other = await createTestPki('another CA');
    register(api, entry('datadog.webhook.config', '/injectconfig', { clientConfig: { service: { namespace: 'datadog', name: SERVICE, path: '/injectconfig' }, caBundle: Buffer.from(other.caPem).toString('base64') } }));
    expect(await failure(core.createNamespacedPod({ namespace: 'shop', body: pod() }))).toEqual({
      code: 500,
      message: `Internal error occurred: failed calling webhook "datadog.webhook.config": failed to call webhook: Post "${CONFIG_URL}": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    });
  });

  it('a certificate without the Service host name: x509 names the names it is valid for', async () => {
    const localPki = await createTestPki('local CA', ['127.0.0.1', 'localhost']);
    const localOnly = await startStubWebhook(localPki);
    try {
      const { api, core } = await cluster({ serviceAddress: () => new URL(localOnly.url('/')).origin });
      const clientConfig = { service: { namespace: 'datadog', name: SERVICE, path: '/injectconfig' }, caBundle: Buffer.from(localPki.caPem).toString('base64') };
      register(api, entry('datadog.webhook.config', '/injectconfig', { clientConfig }));
      expect((await failure(core.createNamespacedPod({ namespace: 'shop', body: pod() }))).message).toBe(
        `Internal error occurred: failed calling webhook "datadog.webhook.config": failed to call webhook: Post "${CONFIG_URL}": tls: failed to verify certificate: x509: certificate is valid for localhost, not ${HOST}`,
      );
    } finally {
      await localOnly.close();
    }
  });

  it('a blackholed address waits out timeoutSeconds: the create is held until the deadline fires, then context deadline exceeded', async () => {
    const hole = await startBlackhole();
    const asked: number[] = [];
    const deadline = new AbortController();
    try {
      const { api, core } = await cluster({
        serviceAddress: () => hole.url,
        deadline: (seconds) => {
          asked.push(seconds);
          return deadline.signal;
        },
      });
      register(api, entry('datadog.webhook.config', '/injectconfig', { timeoutSeconds: 7 }));
      let settled = false;
      const creating = failure(core.createNamespacedPod({ namespace: 'shop', body: pod() })).finally(() => (settled = true));
      await hole.connected();
      expect(settled).toBe(false);
      expect(asked).toEqual([7]);
      deadline.abort();
      expect(await creating).toEqual({
        code: 500,
        message: `Internal error occurred: failed calling webhook "datadog.webhook.config": failed to call webhook: Post "https://${HOST}:443/injectconfig?timeout=7s": context deadline exceeded`,
      });
    } finally {
      await hole.close();
    }
  });
});
