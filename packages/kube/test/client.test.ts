// The client's verbs against the Kubernetes API double, over HTTP as against a cluster:
// plain JSON in and out, typed errors with the API's message, paging, dry runs, watches.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { startKubeApi, type KubeApi } from '@dd-admission/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  describeKubeError,
  isAlreadyExists,
  isConflict,
  isExpired,
  isNotFound,
  KubeApiError,
  KubeConnectionError,
  RESOURCES,
  type KubeClient,
  type KubeObject,
  type WatchEvent,
} from '../src/index.js';
import { clientOf, file, rejection, scratch } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
let api: KubeApi;
let client: KubeClient;

beforeAll(async () => {
  ({ dir, remove } = await scratch());
});
afterAll(() => remove());
beforeEach(async () => {
  api = await startKubeApi({ historyLimit: 50 });
  client = await clientOf(api, dir);
});
afterEach(() => api.close());

const NS = { namespace: 'datadog' };
const secret = (name: string, data: Record<string, string> = { 'cert.pem': 'Y2VydA==' }) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'datadog' }, data });
const configMap = (name: string, namespace = 'datadog') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { k: name } });

describe('get, find, create, replace', () => {
  it('sends and returns plain JSON with the kubeconfig credentials', async () => {
    const created = await client.create<KubeObject & { data: Record<string, string> }>(RESOURCES.secrets, secret('webhook-certificate'));
    expect(created.metadata?.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(created.kind).toBe('Secret');
    const read = await client.get<typeof created>(RESOURCES.secrets, 'webhook-certificate', NS);
    expect(read).toEqual(created);
    const replaced = await client.replace<typeof created>(RESOURCES.secrets, { ...read, data: { 'cert.pem': 'bmV3' } });
    expect(replaced.data).toEqual({ 'cert.pem': 'bmV3' });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));
    expect(await client.find(RESOURCES.secrets, 'absent', NS)).toBeUndefined();
    expect(api.requests.map((r) => [r.verb, r.user, r.status])).toEqual([
      ['create', 'tester', 201],
      ['get', 'tester', 200],
      ['update', 'tester', 200],
      ['get', 'tester', 404],
    ]);
  });

  it('cluster-scoped resources need no namespace; namespaced writes do', async () => {
    await client.create(RESOURCES.namespaces, { metadata: { name: 'shop' } });
    expect((await client.get(RESOURCES.namespaces, 'shop')).metadata?.name).toBe('shop');
    await expect(client.create(RESOURCES.secrets, { metadata: { name: 'nowhere' } })).rejects.toThrow('cannot create secrets without a namespace');
    await expect(client.replace(RESOURCES.secrets, { metadata: {} }, NS)).rejects.toThrow('cannot replace secrets without metadata.name');
  });
});

describe('typed errors with the API message', () => {
  it('NotFound, AlreadyExists, Conflict and Invalid', async () => {
    const missing = await rejection(client.get(RESOURCES.replicaSets, 'web-1', { namespace: 'shop' }));
    expect(missing).toBeInstanceOf(KubeApiError);
    expect(missing).toMatchObject({ code: 404, reason: 'NotFound', message: 'replicasets.apps "web-1" not found', details: { name: 'web-1', group: 'apps' } });
    expect(isNotFound(missing)).toBe(true);
    expect(describeKubeError(missing)).toBe('replicasets.apps "web-1" not found (HTTP 404)');

    const first = await client.create(RESOURCES.secrets, secret('taken'));
    const taken = await rejection(client.create(RESOURCES.secrets, secret('taken')));
    expect([isAlreadyExists(taken), isConflict(taken), (taken as Error).message]).toEqual([true, false, 'secrets "taken" already exists']);
    await client.replace(RESOURCES.secrets, { ...first, data: { a: 'Yg==' } });
    const stale = await rejection(client.replace(RESOURCES.secrets, { ...first, data: { a: 'Yw==' } }));
    expect([isConflict(stale), isAlreadyExists(stale)]).toEqual([true, false]);

    const invalid = await rejection(client.create(RESOURCES.secrets, secret('Upper')));
    expect(invalid).toMatchObject({ code: 422, reason: 'Invalid' });
    expect((invalid as KubeApiError).message).toMatch(/^Secret "Upper" is invalid: metadata\.name: Invalid value/);
  });

  it('an error answer that is no Status is named by its HTTP status; a server URL with a path keeps it', async () => {
    const seen: string[] = [];
    const proxy: Server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (proxy.address() as AddressInfo).port;
      // A proxy's server URL has a path of its own: calls go below it.
      const kubeconfig = await file(dir, 'proxy.kubeconfig', api.kubeconfig().replace(api.url, `http://127.0.0.1:${port}/k8s/clusters/c-1/`));
      const viaProxy = await (await import('../src/index.js')).connectKube({ kubeconfig, env: {} });
      const error = await rejection(viaProxy.version());
      expect(error).toMatchObject({ code: 502, reason: undefined, message: 'the API server answered HTTP 502' });
      expect(seen).toEqual(['/k8s/clusters/c-1/version']);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('no answer: refused connections, and a call held past its deadline', async () => {
    let release!: () => void;
    api.faults.add({ match: { resources: ['secrets'] }, action: { kind: 'hold', until: new Promise<void>((r) => (release = r)) }, times: 1 });
    const late = await rejection(client.get(RESOURCES.secrets, 'held', { ...NS, timeoutMs: 50 }));
    release();
    expect(late).toBeInstanceOf(KubeConnectionError);
    expect(late).toMatchObject({ timedOut: true, message: 'no answer from the API server within 50 ms' });

    await api.refuseConnections();
    const refused = await rejection(client.version());
    expect(refused).toBeInstanceOf(KubeConnectionError);
    expect(refused).toMatchObject({ errorCode: 'ECONNREFUSED', timedOut: false });
    expect(describeKubeError(refused)).toMatch(/ECONNREFUSED/);
  });

  it('the caller can cancel a call', async () => {
    api.faults.add({ action: { kind: 'hold', until: new Promise(() => {}) }, times: 1 });
    const stop = new AbortController();
    const call = client.version({ signal: stop.signal });
    stop.abort();
    const error = await rejection(call);
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('lists, page by page', () => {
  it('limit and continue: pages in order, the first page resourceVersion throughout', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) api.apply(configMap(name));
    api.apply(configMap('elsewhere', 'other'));
    const first = await client.list(RESOURCES.configMaps, { ...NS, limit: 2 });
    expect(first.items.map((o) => o.metadata?.name)).toEqual(['a', 'b']);
    expect(first.continue).toBeDefined();
    api.apply(configMap('f'));
    const second = await client.list(RESOURCES.configMaps, { ...NS, limit: 2, continue: first.continue! });
    expect(second.items.map((o) => o.metadata?.name)).toEqual(['c', 'd']);
    expect(second.resourceVersion).toBe(first.resourceVersion);
    const everywhere = await client.listAll(RESOURCES.configMaps, { pageSize: 4 });
    expect(everywhere.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual(['datadog/a', 'datadog/b', 'datadog/c', 'datadog/d', 'datadog/e', 'datadog/f', 'other/elsewhere']);
    expect(api.requests.filter((r) => r.verb === 'list').length).toBe(2 + 2);
  });

  it('listAll returns what one unpaged list returns, whatever the page size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,6}[a-z0-9]$/), { maxLength: 12 }), fc.integer({ min: 1, max: 5 }), async (names, pageSize) => {
        const namespace = `run-${api.store.revision()}`;
        for (const name of names) api.apply(configMap(name, namespace));
        const whole = await client.list(RESOURCES.configMaps, { namespace });
        const paged = await client.listAll(RESOURCES.configMaps, { namespace, pageSize });
        expect(paged.items).toEqual(whole.items);
        expect(paged.items.map((o) => o.metadata?.name).sort()).toEqual([...names].sort());
      }),
      { numRuns: 25 },
    );
  });

  it('listPages yields each page as it is read, one request per page', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) api.apply(configMap(name));
    const seen: string[][] = [];
    for await (const page of client.listPages(RESOURCES.configMaps, { ...NS, pageSize: 2 })) {
      // Each page is in hand before the next is asked for.
      expect(api.requests.filter((r) => r.verb === 'list').length).toBe(seen.length + 1);
      seen.push(page.items.map((o) => o.metadata?.name ?? ''));
    }
    expect(seen).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('listPages throws the 410 of an expired continue token: the caller starts over', async () => {
    for (const name of ['a', 'b', 'c']) api.apply(configMap(name));
    api.faults.add({ match: { resources: ['configmaps'] }, action: { kind: 'delay', ms: 0 }, times: 1 });
    api.faults.add({ match: { resources: ['configmaps'] }, action: { kind: 'status', code: 410 }, times: 1 });
    const seen: string[] = [];
    const failed = await rejection(
      (async () => {
        for await (const page of client.listPages(RESOURCES.configMaps, { ...NS, pageSize: 1 })) seen.push(...page.items.map((o) => o.metadata?.name ?? ''));
      })(),
    );
    expect(seen).toEqual(['a']);
    expect(isExpired(failed)).toBe(true);
  });

  it('a continue token older than the history is 410 Expired; listAll then starts over', async () => {
    for (const name of ['a', 'b', 'c']) api.apply(configMap(name));
    const first = await client.list(RESOURCES.configMaps, { ...NS, limit: 1 });
    for (let i = 0; i < 60; i++) api.apply({ ...configMap('churn'), data: { i: String(i) } });
    const expired = await rejection(client.list(RESOURCES.configMaps, { ...NS, limit: 1, continue: first.continue! }));
    expect(isExpired(expired)).toBe(true);
    expect((expired as Error).message).toMatch(/^The provided continue parameter is too old/);

    // The second page of listAll is answered 410: it starts over from the first page.
    api.faults.add({ match: { resources: ['configmaps'] }, action: { kind: 'delay', ms: 0 }, times: 1 });
    api.faults.add({ match: { resources: ['configmaps'] }, action: { kind: 'status', code: 410 }, times: 1 });
    const all = await client.listAll(RESOURCES.configMaps, { ...NS, pageSize: 1 });
    expect(all.items.map((o) => o.metadata?.name)).toEqual(['a', 'b', 'c', 'churn']);
  });
});

describe('dry-run creates', () => {
  it('are validated and answered like creates, and store nothing', async () => {
    const before = api.store.revision();
    const dry = await client.create(RESOURCES.secrets, secret('probe'), { dryRun: true });
    expect(dry.metadata).toMatchObject({ name: 'probe', namespace: 'datadog' });
    expect(dry.metadata?.resourceVersion).toBeUndefined();
    expect(api.read('v1', 'Secret', 'probe', 'datadog')).toBeUndefined();
    expect(api.store.revision()).toBe(before);

    const invalid = await rejection(client.create(RESOURCES.pods, { metadata: { name: 'probe', namespace: 'datadog' }, spec: { containers: [] } } as never, { dryRun: true }));
    expect(invalid).toMatchObject({ code: 422, reason: 'Invalid' });
    await client.create(RESOURCES.secrets, secret('real'));
    expect(isAlreadyExists(await rejection(client.create(RESOURCES.secrets, secret('real'), { dryRun: true })))).toBe(true);
  });
});

describe('/version', () => {
  it('is the server build', async () => {
    const old = await startKubeApi({ serverVersion: { major: '1', minor: '14+' } });
    try {
      const version = await (await clientOf(old, dir)).version();
      expect(version).toMatchObject({ major: '1', minor: '14+', gitVersion: 'v1.14+.0' });
    } finally {
      await old.close();
    }
  });
});

describe('watch', () => {
  it('streams the changes after a resourceVersion, and resolves when the server ends the stream', async () => {
    const start = (await client.list(RESOURCES.secrets, NS)).resourceVersion;
    const events: WatchEvent[] = [];
    let resolveThird!: () => void;
    const third = new Promise<void>((resolve) => (resolveThird = resolve));
    const watching = client.watch(RESOURCES.secrets, { ...NS, fieldSelector: 'metadata.name=watched', resourceVersion: start }, (event) => {
      events.push(event);
      if (events.length === 3) resolveThird();
    });
    api.apply(secret('unrelated'));
    api.apply(secret('watched'));
    api.apply(secret('watched', { v: 'Mg==' }));
    api.remove('v1', 'Secret', 'watched', 'datadog');
    await third;
    api.closeWatches();
    await watching;
    expect(events.map((e) => [e.type, e.object.metadata?.name])).toEqual([
      ['ADDED', 'watched'],
      ['MODIFIED', 'watched'],
      ['DELETED', 'watched'],
    ]);
  });

  it('a resourceVersion older than the history ends with an ERROR event carrying 410; the caller can stop a watch', async () => {
    for (let i = 0; i < 60; i++) api.apply({ ...configMap('churn'), data: { i: String(i) } });
    const events: WatchEvent[] = [];
    await client.watch(RESOURCES.configMaps, { ...NS, resourceVersion: '2' }, (e) => events.push(e));
    expect(events.map((e) => [e.type, e.object.code])).toEqual([['ERROR', 410]]);

    const stop = new AbortController();
    let resolveAdded!: () => void;
    const added = new Promise<void>((resolve) => (resolveAdded = resolve));
    const watching = client.watch(RESOURCES.configMaps, { ...NS, signal: stop.signal }, () => resolveAdded());
    await added;
    stop.abort();
    expect(((await rejection(watching)) as Error).name).toBe('AbortError');
  });
});

// The controllers delete a disabled kind of webhook configuration (7.63).
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
