// The live read does not keep the cluster's pods: it keeps those of the namespaces
// the Cluster Agent can be in that finding it reads (not the node Agent's), scans
// every pod page by page, and drops each page.
// Its report is the one the same snapshot gives with every pod held (the dump's
// way), on each seeded cluster and on one with more pods than a page.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDoctor, snapshotFromLists, type ClusterSnapshot, type DoctorOptions } from '@dd-admission/core';
import { connectKube, RESOURCES, type KubeClient } from '@dd-admission/kube';
import { AGENT_NAMESPACE, ALL_RESOURCES, CLUSTER_NOW, healthyCluster, healthyClusterWithWebPods, SEEDED_CLUSTERS, startKubeApi, type KubeApi, type KubeObject } from '@dd-admission/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCertificate } from '../src/doctor/certificate.js';
import { liveSnapshot, PAGE_SIZE } from '../src/doctor/live-snapshot.js';

let dir: string;
let api: KubeApi | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dd-mutate-doctor-pods-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const OPTIONS: DoctorOptions = { now: Date.parse(CLUSTER_NOW), readCertificate, probeSkipped: '--no-probe' };
/** The doctor's options with `-n shop`, and with `--agent-namespace datadog`. */
const SCOPED: [string, DoctorOptions][] = [
  ['every namespace', OPTIONS],
  ['-n shop', { ...OPTIONS, namespaces: ['shop'] }],
  ['--agent-namespace datadog', { ...OPTIONS, agentNamespace: AGENT_NAMESPACE }],
];

/** A double holding `objects`, and a client of it. */
async function clusterOf(objects: readonly object[]): Promise<{ api: KubeApi; kube: KubeClient }> {
  api = await startKubeApi({ serverVersion: { major: '1', minor: '29', gitVersion: 'v1.29.3-eks-ae9a62a' }, apiGroups: ['cilium.io'] });
  for (const o of objects) api.apply(o as KubeObject);
  const kubeconfig = join(dir, `${api.port}.kubeconfig`);
  await writeFile(kubeconfig, api.kubeconfig({ token: 'doctor', namespace: 'shop' }));
  return { api, kube: await connectKube({ kubeconfig, env: {} }) };
}

/** The live snapshot with every pod held instead of scanned: what the doctor read before it paged pods through. */
async function withEveryPod(kube: KubeClient, live: ClusterSnapshot): Promise<ClusterSnapshot> {
  const { podScan: _, ...rest } = live;
  const pods = snapshotFromLists({ pods: (await kube.listAll(RESOURCES.pods)).items }).objects.pods;
  return { ...rest, objects: { ...live.objects, pods } };
}

describe('a live read of the pods', () => {
  it('keeps only the pods of the namespace the Cluster Agent is in, and scans every pod in pages', async () => {
    const { api, kube } = await clusterOf(healthyClusterWithWebPods(2 * PAGE_SIZE + 100));
    const snapshot = await liveSnapshot(kube, OPTIONS);
    const stored = api.store.list('pods');

    expect(snapshot.objects.pods.map((p) => p.metadata.namespace)).toEqual(stored.filter((p) => p.metadata.namespace === AGENT_NAMESPACE).map(() => AGENT_NAMESPACE));
    expect(snapshot.objects.pods.length).toBeLessThan(5);
    expect(snapshot.podScan?.count).toBe(stored.length);
    // One stale workload: its count, and only the few names its detail line shows.
    expect(snapshot.podScan?.stale.map((w) => [w.owner?.name, w.count, w.names.length])).toEqual([['web', PAGE_SIZE + 50, 3]]);
    const pageRequests = api.requests.filter((q) => q.verb === 'list' && q.resource === 'pods' && q.namespace === undefined);
    expect(pageRequests).toHaveLength(Math.ceil(stored.length / PAGE_SIZE));

    const report = runDoctor(snapshot, OPTIONS);
    expect(report).toEqual(runDoctor(await withEveryPod(kube, snapshot), OPTIONS));
    expect(report.cluster.objects['pods']).toBe(stored.length);
    expect(report.checks.find((c) => c.id === 'stale-pods')!.summary).toBe(`${PAGE_SIZE + 50} running pods in 1 workload lack what the webhook injects today: recreate them`);
  });

  it.each(SEEDED_CLUSTERS.flatMap((c) => SCOPED.map(([scope, options]) => [c.name, scope, c, options] as const)))(
    '%s, %s: the report is the one every pod held gives',
    async (_, __, cluster, options) => {
      const { kube } = await clusterOf(cluster.objects());
      const snapshot = await liveSnapshot(kube, options);
      expect(runDoctor(snapshot, options)).toEqual(runDoctor(await withEveryPod(kube, snapshot), options));
    },
  );

  it("keeps none of the node Agent's pods beside the Cluster Agent, reading its namespace in pages too", async () => {
    const { api, kube } = await clusterOf(healthyClusterWithWebPods(10, { nodeAgents: PAGE_SIZE + 10 }));
    const snapshot = await liveSnapshot(kube, OPTIONS);
    const inAgentNamespace = api.store.list('pods').filter((p) => p.metadata.namespace === AGENT_NAMESPACE);
    expect(inAgentNamespace.length).toBeGreaterThan(PAGE_SIZE + 10);
    expect(snapshot.objects.pods.map((p) => p.metadata.name)).toEqual(healthyCluster().agentPods.map((p: any) => p.metadata.name));
    const agentPages = api.requests.filter((q) => q.verb === 'list' && q.resource === 'pods' && q.namespace === AGENT_NAMESPACE);
    expect(agentPages).toHaveLength(Math.ceil(inAgentNamespace.length / PAGE_SIZE));
    expect(snapshot.podScan?.count).toBe(api.store.list('pods').length);
    const report = runDoctor(snapshot, OPTIONS);
    expect(report).toEqual(runDoctor(await withEveryPod(kube, snapshot), OPTIONS));
    expect(report.cluster.clusterAgent).toMatchObject({ namespace: AGENT_NAMESPACE, deployment: 'datadog-cluster-agent' });
  });

  it('reports each malformed pod once, numbered across pages and left out of the count, even in the namespace read twice', async () => {
    const { api, kube } = await clusterOf(healthyClusterWithWebPods(PAGE_SIZE + 10));
    const pods = ALL_RESOURCES.find((r) => r.plural === 'pods')!;
    // The double validates what it applies; the store takes these as they are.
    for (const [namespace, name] of [[AGENT_NAMESPACE, 'datadog-cluster-agent-broken'], ['shop', 'zz-broken']] as const) {
      api.store.create(pods, namespace, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: 'datadog-cluster-agent' } }, spec: { containers: [] }, status: { phase: 7 } } as unknown as KubeObject);
    }
    const stored = api.store.list('pods').map((p) => p.metadata.name);
    const snapshot = await liveSnapshot(kube, OPTIONS);
    expect(snapshot.malformed.map((m) => [m.name, m.index, m.message])).toEqual([
      ['datadog-cluster-agent-broken', stored.indexOf('datadog-cluster-agent-broken'), 'status.phase: Invalid input: expected string, received number'],
      ['zz-broken', stored.length - 1, 'status.phase: Invalid input: expected string, received number'],
    ]);
    expect(stored.length - 1).toBeGreaterThanOrEqual(PAGE_SIZE);
    expect(snapshot.podScan?.count).toBe(stored.length - 2);
    expect(runDoctor(snapshot, OPTIONS).cluster.malformed).toEqual(snapshot.malformed);
  });

  it('refused cluster-wide but readable in the agent namespace (a Role), it keeps the pods read there: the report finds the Cluster Agent whose configuration was read', async () => {
    // A Deployment with a cluster-agent container in a namespace listed first: what the report found when it kept no pod.
    const decoy = { ...healthyCluster().agentDeployment, metadata: { name: 'datadog-cluster-agent', namespace: 'agent-old' } };
    const { api, kube } = await clusterOf([...healthyClusterWithWebPods(10), decoy]);
    // Denied in agent-old, so also across namespaces (the double's rule): pods are listable in datadog only.
    api.access.deny({ verb: 'list', resource: 'pods', namespace: 'agent-old' });
    const snapshot = await liveSnapshot(kube, OPTIONS);
    expect(snapshot.objects.pods.map((p) => p.metadata.namespace)).toEqual([AGENT_NAMESPACE]);
    expect(snapshot.podScan).toBeUndefined();
    expect(snapshot.unreadable.map((u) => [u.resource, u.message])).toEqual([['pods', 'pods is forbidden: User "doctor" cannot list resource "pods" in API group "" at the cluster scope']]);
    expect(snapshot.objects.configmaps.map((c) => c.metadata.namespace)).toEqual([AGENT_NAMESPACE]);
    const report = runDoctor(snapshot, OPTIONS);
    expect(report.cluster.clusterAgent).toMatchObject({ namespace: AGENT_NAMESPACE, deployment: 'datadog-cluster-agent' });
    expect(report.checks.find((c) => c.id === 'stale-pods')).toMatchObject({ status: 'skip', summary: 'not readable: needs list pods' });
  });

  it('refused, no pod is kept and the pod checks are skipped, naming the permission', async () => {
    const { api, kube } = await clusterOf(healthyClusterWithWebPods(10));
    api.access.deny({ verb: 'list', resource: 'pods' });
    const snapshot = await liveSnapshot(kube, OPTIONS);
    expect(snapshot.objects.pods).toEqual([]);
    expect(snapshot.podScan).toBeUndefined();
    expect(snapshot.unreadable.map((u) => [u.resource, u.message])).toEqual([['pods', 'pods is forbidden: User "doctor" cannot list resource "pods" in API group "" at the cluster scope']]);
    const report = runDoctor(snapshot, OPTIONS);
    expect(report.cluster.objects['pods']).toBe(0);
    expect(report.checks.find((c) => c.id === 'stale-pods')).toMatchObject({ status: 'skip', summary: 'not readable: needs list pods' });
  });

  it.each([
    ['once starts the paged scan over', 1, [['all', 200], ['all', 410], ['all', 200], ['all', 200]]],
    ['twice reads every pod in one unpaged list', 2, [['all', 200], ['all', 410], ['all', 200], ['all', 410], ['all', 200]]],
  ] as const)('a continue token that expires mid-way %s, without counting a pod twice', async (_, expiries, requests) => {
    const { api, kube } = await clusterOf(healthyClusterWithWebPods(PAGE_SIZE + 10));
    // The pods of datadog and each first page of every pod are answered; each second page is 410 Expired.
    for (let i = 0; i < expiries; i++) {
      api.faults.add({ match: { resources: ['pods'], methods: ['GET'] }, action: { kind: 'delay', ms: 0 }, times: i === 0 ? 2 : 1 });
      api.faults.add({ match: { resources: ['pods'], methods: ['GET'] }, action: { kind: 'status', code: 410 }, times: 1 });
    }
    const snapshot = await liveSnapshot(kube, OPTIONS);
    expect(api.requests.filter((q) => q.resource === 'pods').map((q) => [q.namespace ?? 'all', q.status])).toEqual([[AGENT_NAMESPACE, 200], ...requests]);
    expect(snapshot.podScan?.count).toBe(api.store.list('pods').length);
    expect(snapshot.podScan?.stale.map((w) => w.count)).toEqual([(PAGE_SIZE + 10) / 2]);
    expect(snapshot.unreadable).toEqual([]);
  });
});
