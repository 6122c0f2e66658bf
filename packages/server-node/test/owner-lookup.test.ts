// The owner cache and the Kubernetes fetcher, without the HTTPS server.
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { OwnerResource } from '@dd-admission/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectKube, KubeApiError, KubeConfigError } from '@dd-admission/kube';
import { kubeOwnerFetch } from '../src/kube-owner-fetch.js';
import { createOwnerLookup, InvalidOwnerError } from '../src/owner-lookup.js';

const RS: OwnerResource = { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', name: 'web-1', namespace: 'shop' };
const rsObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'shop' } };

describe('createOwnerLookup', () => {
  it('caches for the TTL of the injected clock and reports hits and misses', async () => {
    let now = 0;
    const calls: string[] = [];
    const seen: [string, boolean][] = [];
    const lookup = createOwnerLookup({
      fetch: async (r) => {
        calls.push(r.name);
        return rsObject;
      },
      ttlMs: 600_000,
      clock: { now: () => now },
      onCacheResult: (resource, hit) => seen.push([resource, hit]),
    });
    await lookup.get(RS, { dryRun: false });
    now = 599_999;
    await lookup.get(RS, { dryRun: false });
    now = 600_000;
    await lookup.get(RS, { dryRun: false });
    expect(calls).toEqual(['web-1', 'web-1']);
    expect(seen).toEqual([
      ['replicasets', false],
      ['replicasets', true],
      ['replicasets', false],
    ]);
  });

  it('shares one fetch between concurrent misses, and does not cache failures', async () => {
    let calls = 0;
    let fail = true;
    const lookup = createOwnerLookup({
      fetch: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 5));
        if (fail) throw new Error('boom');
        return rsObject;
      },
      ttlMs: 1000,
      clock: { now: () => 0 },
    });
    const results = await Promise.allSettled([lookup.get(RS, { dryRun: false }), lookup.get(RS, { dryRun: false })]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(lookup.size()).toBe(0);
    fail = false;
    await expect(lookup.get(RS, { dryRun: false })).resolves.toEqual(rsObject);
    expect(lookup.size()).toBe(1);
  });

  it('dry runs read the cache but never write it', async () => {
    const lookup = createOwnerLookup({ fetch: async () => rsObject, ttlMs: 1000, clock: { now: () => 0 } });
    await lookup.get(RS, { dryRun: true });
    expect(lookup.size()).toBe(0);
  });

  it('refuses what is not a Kubernetes object', async () => {
    const lookup = createOwnerLookup({ fetch: async () => ({ kind: 1 }), ttlMs: 1000, clock: { now: () => 0 } });
    await expect(lookup.get(RS, { dryRun: false })).rejects.toBeInstanceOf(InvalidOwnerError);
  });

  it('keeps at most maxEntries owners, dropping the oldest', async () => {
    const lookup = createOwnerLookup({ fetch: async (r) => ({ ...rsObject, metadata: { name: r.name } }), ttlMs: 1000, clock: { now: () => 0 }, maxEntries: 2 });
    for (const name of ['a', 'b', 'c']) await lookup.get({ ...RS, name }, { dryRun: false });
    expect(lookup.size()).toBe(2);
  });
});

describe('kubeOwnerFetch', () => {
  let api: Server;
  let base: string;
  let dir: string;
  const requests: { url: string; auth: string | undefined }[] = [];

  beforeAll(async () => {
    api = createServer((req, res) => {
      requests.push({ url: req.url ?? '', auth: req.headers.authorization });
      if (req.url === '/apis/apps/v1/namespaces/shop/replicasets/web-1') return res.end(JSON.stringify(rsObject));
      if (req.url === '/api/v1/namespaces/shop/replicationcontrollers/rc-1') return res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc-1' } }));
      res.statusCode = 404;
      res.end(JSON.stringify({ kind: 'Status', message: 'replicasets.apps "gone" not found', code: 404 }));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), 'dd-kubeconfig-'));
  });

  afterAll(async () => {
    await new Promise((r) => api.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('connects on the first lookup and GETs the owner with the kubeconfig credentials', async () => {
    const kubeconfig = join(dir, 'config');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: fake, cluster: {server: "${base}", insecure-skip-tls-verify: true}}]`,
        'users: [{name: me, user: {token: secret-token}}]',
        'contexts: [{name: fake, context: {cluster: fake, user: me}}]',
        'current-context: fake',
      ].join('\n'),
    );
    let connects = 0;
    const fetch = kubeOwnerFetch(() => {
      connects++;
      return connectKube({ env: { KUBECONFIG: kubeconfig } });
    });
    expect(connects).toBe(0);
    await expect(fetch(RS)).resolves.toEqual(rsObject);
    await expect(fetch({ ...RS, group: '', resource: 'replicationcontrollers', name: 'rc-1' })).resolves.toMatchObject({ kind: 'ReplicationController' });
    const missing = fetch({ ...RS, name: 'gone' });
    await expect(missing).rejects.toBeInstanceOf(KubeApiError);
    await expect(missing).rejects.toThrow('replicasets.apps "gone" not found');
    expect(requests[0]).toEqual({ url: '/apis/apps/v1/namespaces/shop/replicasets/web-1', auth: 'Bearer secret-token' });
    expect(requests[1]?.url).toBe('/api/v1/namespaces/shop/replicationcontrollers/rc-1');
  });

  it('says so when the client is not installed', async () => {
    const fetch = kubeOwnerFetch(() => connectKube({ env: {}, load: () => Promise.reject(new Error("Cannot find package '@kubernetes/client-node'")) }));
    await expect(fetch(RS)).rejects.toBeInstanceOf(KubeConfigError);
    await expect(fetch(RS)).rejects.toThrow('the Kubernetes client @kubernetes/client-node is not installed');
  });
});
