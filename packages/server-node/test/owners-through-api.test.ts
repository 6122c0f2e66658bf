// The tags webhook end to end, with nothing faked but the cluster: the real HTTPS webhook server,
// its owner lookups through @dd-admission/kube and @kubernetes/client-node against the Kubernetes
// API double (Deployment -> ReplicaSet seeded), called by the API-server-like dispatcher.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '@dd-admission/core';
import { connectKube } from '@dd-admission/kube';
import { dispatch, startKubeApi, type KubeApi, type KubeObject, type WebhookRegistration } from '@dd-admission/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kubeOwnerFetch } from '../src/kube-owner-fetch.js';
import { startServer, type TestServer } from './helpers.js';

const TAG_LABELS = { 'tags.datadoghq.com/env': 'prod', 'tags.datadoghq.com/service': 'web', 'tags.datadoghq.com/version': '1.4.2' };
const TEMPLATE = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'shop/web:1.4.2' }] } };

let dir: string;
let api: KubeApi | undefined;
let t: TestServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dd-owners-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  await t?.close();
  await api?.close();
  t = undefined;
  api = undefined;
});

/** The webhook server with owner lookups through a kubeconfig of the double. */
async function serverOnCluster(double: KubeApi): Promise<TestServer> {
  const kubeconfig = join(dir, `${double.port}.kubeconfig`);
  await writeFile(kubeconfig, double.kubeconfig({ token: 'webhook' }));
  return startServer({ fetch: kubeOwnerFetch(() => connectKube({ kubeconfig, env: {} })), logLevel: 'warn' });
}

/** The tags webhook as the Cluster Agent registers it, pointed at the test server. */
function tagsWebhook(server: TestServer): WebhookRegistration {
  return {
    name: 'datadog.webhook.tags',
    url: `${server.base}/injecttags`,
    caBundle: Buffer.from(server.ca).toString('base64'),
    failurePolicy: 'Ignore',
    sideEffects: 'None',
    timeoutSeconds: 10,
    admissionReviewVersions: ['v1'],
  };
}

/** A pod the ReplicaSet controller creates: opted in, no tag labels of its own. */
function podOf(replicaSet: KubeObject): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${replicaSet.metadata.name}-`,
      namespace: 'shop',
      labels: { app: 'web', 'admission.datadoghq.com/enabled': 'true' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: replicaSet.metadata.name!, uid: replicaSet.metadata.uid!, controller: true }],
    },
    spec: TEMPLATE.spec,
  } as Pod;
}

/** Seeds a Deployment with `labels` and the ReplicaSet it owns; returns the ReplicaSet as stored. */
function seedDeployment(double: KubeApi, labels: Record<string, string>): KubeObject {
  const deployment = double.apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels }, spec: { selector: { matchLabels: { app: 'web' } }, template: TEMPLATE } });
  return double.apply({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-5d8f7c9b4', namespace: 'shop', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: deployment.metadata.uid, controller: true }] },
    spec: { selector: { matchLabels: { app: 'web' } }, template: TEMPLATE },
  });
}

describe('owner lookups through the Kubernetes API', () => {
  it("gives a Deployment's pod DD_ENV, DD_SERVICE and DD_VERSION from the Deployment's labels, then serves the next pod from the cache", async () => {
    api = await startKubeApi();
    const replicaSet = seedDeployment(api, TAG_LABELS);
    t = await serverOnCluster(api);

    const result = await dispatch(podOf(replicaSet), { namespace: 'shop', webhooks: [tagsWebhook(t)] });
    expect(result.rejected).toBeUndefined();
    expect(result.failedOpen).toEqual([]);
    expect(result.pod.spec?.containers?.[0]?.env).toEqual([
      { name: 'DD_VERSION', value: '1.4.2' },
      { name: 'DD_SERVICE', value: 'web' },
      { name: 'DD_ENV', value: 'prod' },
    ]);
    const gets = () => api!.requests.filter((r) => r.verb === 'get').map((r) => [r.resource, r.namespace, r.name, r.user, r.status]);
    expect(gets()).toEqual([
      ['replicasets', 'shop', 'web-5d8f7c9b4', 'webhook', 200],
      ['deployments', 'shop', 'web', 'webhook', 200],
    ]);

    const second = await dispatch(podOf(replicaSet), { namespace: 'shop', webhooks: [tagsWebhook(t)] });
    expect(second.pod.spec?.containers?.[0]?.env?.map((e) => e.name)).toEqual(['DD_VERSION', 'DD_SERVICE', 'DD_ENV']);
    expect(gets()).toHaveLength(2);
  });

  it("admits the pod unchanged with the API's own message when the owner cannot be read", async () => {
    api = await startKubeApi();
    const replicaSet = seedDeployment(api, TAG_LABELS);
    api.remove('apps/v1', 'Deployment', 'web', 'shop');
    t = await serverOnCluster(api);

    const result = await dispatch(podOf(replicaSet), { namespace: 'shop', webhooks: [tagsWebhook(t)] });
    expect(result.allowed).toBe(true);
    expect(result.patches).toEqual([]);
    expect(result.warnings).toEqual(['datadog tags webhook: cannot get owner Deployment web in namespace shop: deployments.apps "web" not found; pod admitted without its changes']);
  });
});
