// The tags webhook's owner lookups through the real server: ReplicaSet -> Deployment, cache, failures, deadlines, dry runs.
import type { OwnerResource } from '@dd-admission/core';
import { afterEach, describe, expect, it } from 'vitest';
import { admissionReview, deploymentOwners, metricValue, patchOf, review, send, startServer, uidOf, type TestServer } from './helpers.js';

const OPTED_IN = { 'admission.datadoghq.com/enabled': 'true' };
const RS_REF = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b4' }];
const TAG_LABELS = { 'tags.datadoghq.com/env': 'prod', 'tags.datadoghq.com/service': 'web', 'tags.datadoghq.com/version': '2.0.0' };
const EXPECTED_TAGS = [
  { op: 'add', path: '/spec/containers/0/env', value: [{ name: 'DD_ENV', value: 'prod' }] },
  { op: 'add', path: '/spec/containers/0/env/0', value: { name: 'DD_SERVICE', value: 'web' } },
  { op: 'add', path: '/spec/containers/0/env/0', value: { name: 'DD_VERSION', value: '2.0.0' } },
];

const fromApi = (objects: Record<string, unknown>) => async (r: OwnerResource) => {
  const found = objects[`${r.resource}/${r.name}`];
  if (!found) throw new Error(`${r.resource}.${r.group} "${r.name}" not found`);
  return structuredClone(found);
};

const podBehindDeployment = (extra: Record<string, unknown> = {}) =>
  admissionReview('admission.k8s.io/v1', { generateName: 'web-5d8f7c9b4-', namespace: 'shop', labels: OPTED_IN, ownerReferences: RS_REF }, extra);

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('owner lookup', () => {
  it('reads the tags from the Deployment behind the ReplicaSet, then serves the second pod from the cache', async () => {
    t = await startServer({ fetch: fromApi(deploymentOwners('shop', TAG_LABELS)) });
    const first = podBehindDeployment();
    const answer = await review(t, '/injecttags', first);
    expect(answer.response.uid).toBe(uidOf(first));
    expect(patchOf(answer)).toEqual(EXPECTED_TAGS);
    expect(t.fetched).toEqual([
      { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', name: 'web-5d8f7c9b4', namespace: 'shop' },
      { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', name: 'web', namespace: 'shop' },
    ]);

    const second = await review(t, '/injecttags', podBehindDeployment());
    expect(patchOf(second)).toEqual(EXPECTED_TAGS);
    expect(t.fetched).toHaveLength(2); // nothing fetched again
    const text = (await send(t, '/metrics', { method: 'GET', contentType: null })).text;
    expect(metricValue(text, 'admission_webhooks_owner_cache_miss', { resource: 'replicasets' })).toBe(1);
    expect(metricValue(text, 'admission_webhooks_owner_cache_miss', { resource: 'deployments' })).toBe(1);
    expect(metricValue(text, 'admission_webhooks_owner_cache_hit', { resource: 'replicasets' })).toBe(1);
    expect(metricValue(text, 'admission_webhooks_owner_cache_hit', { resource: 'deployments' })).toBe(1);
  });

  it('does not look owners up for a pod the tags webhook skips', async () => {
    t = await startServer({ fetch: fromApi(deploymentOwners('shop', TAG_LABELS)) });
    const body = admissionReview('admission.k8s.io/v1', { name: 'web-0', namespace: 'shop', labels: { 'admission.datadoghq.com/enabled': 'false' }, ownerReferences: RS_REF });
    const answer = await review(t, '/injecttags', body);
    expect(answer.response).toEqual({ uid: uidOf(body), allowed: true });
    expect(t.fetched).toEqual([]);
  });

  it('fails open when the lookup fails, saying why in the status, the warning and the log', async () => {
    const denied = 'replicasets.apps "web-5d8f7c9b4" is forbidden: User "system:serviceaccount:datadog:webhook" cannot get resource "replicasets"';
    t = await startServer({
      fetch: async () => {
        throw new Error(denied);
      },
    });
    const body = podBehindDeployment();
    const answer = await review(t, '/injecttags', body);
    const message = `cannot get owner ReplicaSet web-5d8f7c9b4 in namespace shop: ${denied}`;
    expect(answer.response).toEqual({
      uid: uidOf(body),
      allowed: true,
      status: { message },
      warnings: [`datadog tags webhook: ${message}; pod admitted without its changes`],
    });
    expect(t.logs.some((l) => l.includes('| WARN |') && l.endsWith(`| Failed to mutate: ${message}`))).toBe(true);
    expect(t.lookup.size()).toBe(0); // a failure is not cached
  });

  it('reports a missing Deployment behind a found ReplicaSet', async () => {
    const { 'replicasets/web-5d8f7c9b4': rs } = deploymentOwners('shop', TAG_LABELS);
    t = await startServer({ fetch: fromApi({ 'replicasets/web-5d8f7c9b4': rs }) });
    const answer = await review(t, '/injecttags', podBehindDeployment());
    expect(answer.response.patch).toBeUndefined();
    expect(answer.response.status?.message).toBe('cannot get owner Deployment web in namespace shop: deployments.apps "web" not found');
  });

  it('answers allowed with a warning before the API server timeout when the lookup is slow', async () => {
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    let lookupFinished = false;
    t = await startServer({
      fetch: async (r) => {
        await stalled;
        lookupFinished = true;
        return fromApi(deploymentOwners('shop', TAG_LABELS))(r);
      },
    });
    try {
      const body = podBehindDeployment();
      const reply = await send(t, '/injecttags?timeout=1s', { body: JSON.stringify(body) });
      // The lookup is held until the test releases it: only the deadline drawn from ?timeout=1s can have answered.
      expect(t.fetched).toHaveLength(1);
      expect(lookupFinished).toBe(false);
      expect(reply.status).toBe(200);
      const answer = JSON.parse(reply.text) as { response: Record<string, unknown> };
      expect(answer.response.uid).toBe(uidOf(body));
      expect(answer.response.allowed).toBe(true);
      expect(answer.response.patch).toBeUndefined();
      expect(answer.response.warnings).toEqual([
        "datadog tags webhook: the owner lookup did not finish within 750 ms, before the API server's timeout; pod admitted without its changes",
      ]);
      const text = (await send(t, '/metrics', { method: 'GET', contentType: null })).text;
      expect(metricValue(text, 'admission_webhooks_mutation_errors', { mutation_type: 'standard_tags', reason: 'deadline exceeded' })).toBe(1);
      expect(t.logs.some((l) => l.includes('Failed to mutate: the owner lookup did not finish within'))).toBe(true);
    } finally {
      release();
    }
  });

  it('answers a dry run the same but writes nothing to the owner cache', async () => {
    t = await startServer({ fetch: fromApi(deploymentOwners('shop', TAG_LABELS)) });
    const dry = await review(t, '/injecttags', podBehindDeployment({ dryRun: true }));
    expect(patchOf(dry)).toEqual(EXPECTED_TAGS);
    expect(t.lookup.size()).toBe(0);
    const again = await review(t, '/injecttags', podBehindDeployment({ dryRun: true }));
    expect(patchOf(again)).toEqual(EXPECTED_TAGS);
    expect(t.fetched).toHaveLength(4); // nothing was cached, so both dry runs fetched
    const real = await review(t, '/injecttags', podBehindDeployment());
    expect(patchOf(real)).toEqual(EXPECTED_TAGS);
    expect(t.lookup.size()).toBe(2);
  });
});
