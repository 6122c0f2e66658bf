// The doctor on the seeded clusters: the healthy one is ok everywhere, and
// each seeded cluster breaks exactly the check it was made for. Run from the
// objects as a dump (YAML text through the kubectl-compatible parser) and as
// the lists a live read returns, with the same verdicts.
import { describe, expect, it } from 'vitest';
import {
  clusterAgentNamespaces,
  clusterAgentPodFilter,
  DOCTOR_CHECK_IDS,
  doctorReportSchema,
  findClusterAgent,
  runDoctor,
  SNAPSHOT_RESOURCES,
  snapshotFromDocuments,
  snapshotFromLists,
  type ClusterSnapshot,
  type SnapshotResource,
} from '@dd-admission/core';
import { CLUSTER_NOW, dumpYaml, nodeAgentDaemonSet, parseYamlDocuments, readCertificateFacts, SEEDED_CLUSTERS, type SeededCluster } from '@dd-admission/testing';

const NOW = Date.parse(CLUSTER_NOW);

function doctor(snapshot: ClusterSnapshot, cluster: SeededCluster) {
  return runDoctor(snapshot, { now: NOW, readCertificate: readCertificateFacts, ...(cluster.probe ? { probe: cluster.probe } : {}) });
}

/** The cluster dumped to YAML and read back, as `--from` reads it. */
function fromDump(cluster: SeededCluster): ClusterSnapshot {
  return snapshotFromDocuments(parseYamlDocuments(dumpYaml(cluster.objects()), 'dump.yaml'));
}

/** The cluster (and `more` objects) as the API lists it: items by resource, without kind or apiVersion. */
function fromLists(cluster: SeededCluster, more: readonly object[] = []): ClusterSnapshot {
  const byKind = new Map(Object.entries(SNAPSHOT_RESOURCES).map(([resource, r]) => [r.kind, resource as SnapshotResource]));
  const lists: Partial<Record<SnapshotResource, unknown[]>> = {};
  for (const { kind, apiVersion: _, ...item } of [...cluster.objects(), ...more] as { kind: string; apiVersion: string }[]) {
    const resource = byKind.get(kind);
    if (resource) (lists[resource] ??= []).push(item);
  }
  return snapshotFromLists(lists, { serverVersion: { major: '1', minor: '29', gitVersion: 'v1.29.3-eks-ae9a62a' } });
}

function text(f: { summary: string; details: string[]; fix: string | null }): string {
  return [f.summary, ...f.details, f.fix ?? ''].join('\n');
}

describe('the healthy cluster', () => {
  const healthy = SEEDED_CLUSTERS.find((c) => c.breaks === null)!;

  it('passes every check, each present once in order, and reports the cluster', () => {
    const report = doctor(fromDump(healthy), healthy);
    expect(doctorReportSchema.parse(report)).toEqual(report);
    expect(report.checks.map((c) => c.id)).toEqual(DOCTOR_CHECK_IDS);
    expect(report.checks.filter((c) => c.status !== 'ok').map((c) => `${c.id}: ${c.summary}`)).toEqual([]);
    expect(report.success).toBe(true);
    expect(report.cluster).toMatchObject({
      source: 'dump',
      serverVersion: null,
      distribution: { names: ['eks'], source: 'detected' },
      clusterAgent: { namespace: 'datadog', deployment: 'datadog-cluster-agent', installer: 'Helm release datadog', version: '7.49.1' },
      malformed: [],
      ignoredKinds: {},
    });
  });

  it('reads every value with its origin, the ConfigMap-backed mode included', () => {
    const cluster = doctor(fromDump(healthy), healthy).checks.find((c) => c.id === 'cluster-agent')!;
    expect(cluster.details).toContain(
      'admission_controller.inject_config.mode hostip (ConfigMap datadog/datadog-cluster-agent-admission key mode (datadog/datadog-cluster-agent env DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE))',
    );
  });
});

describe.each(SEEDED_CLUSTERS.filter((c) => c.breaks !== null).map((c) => [c.name, c] as const))('seeded cluster %s', (_, cluster) => {
  const others = (report: ReturnType<typeof doctor>) =>
    report.checks.filter((c) => c.id !== cluster.breaks && !(c.id === 'connectivity' && c.status === 'skip')).filter((c) => c.status !== 'ok');

  it(`breaks ${cluster.breaks} (${cluster.status}) and nothing else`, () => {
    const report = doctor(fromDump(cluster), cluster);
    const broken = report.checks.find((c) => c.id === cluster.breaks)!;
    expect(broken.status).toBe(cluster.status);
    expect(text(broken)).toContain(cluster.expect);
    expect(others(report).map((c) => `${c.id}: ${c.summary}`)).toEqual([]);
    expect(report.success).toBe(cluster.status !== 'fail');
    expect(runDoctor(fromDump(cluster), { now: NOW, readCertificate: readCertificateFacts, strict: true, ...(cluster.probe ? { probe: cluster.probe } : {}) }).success).toBe(false);
  });

  it('gives the same verdicts read live as from the dump', () => {
    const statuses = (s: ClusterSnapshot) => doctor(s, cluster).checks.map((c) => `${c.id} ${c.status}`);
    expect(statuses(fromLists(cluster))).toEqual(statuses(fromDump(cluster)));
  });
});

describe('connectivity without a probe', () => {
  it('is skip with the reason: a dump cannot be probed, a live run says why it did not', () => {
    const healthy = SEEDED_CLUSTERS[0]!;
    const dump = runDoctor(fromDump(healthy), { now: NOW, readCertificate: readCertificateFacts }).checks.at(-1)!;
    expect(dump).toMatchObject({ id: 'connectivity', status: 'skip' });
    expect(dump.summary).toContain('a dump cannot be probed');
    const live = runDoctor(fromLists(healthy), { now: NOW, readCertificate: readCertificateFacts, probeSkipped: '--no-probe' }).checks.at(-1)!;
    expect(live).toMatchObject({ status: 'skip', summary: '--no-probe' });
  });
});

describe('the pods a live read keeps', () => {
  // A live read keeps only the pods of clusterAgentNamespaces (and scans the rest): finding the Cluster Agent must not need the others.
  it.each(SEEDED_CLUSTERS.map((c) => [c.name, c] as const))('%s: the pods of clusterAgentNamespaces find the same Cluster Agent', (_, cluster) => {
    const whole = fromLists(cluster);
    for (const where of [undefined, 'datadog', 'shop']) {
      const namespaces = clusterAgentNamespaces(whole, where);
      const kept = { ...whole, objects: { ...whole.objects, pods: whole.objects.pods.filter((p) => namespaces.includes(p.metadata.namespace ?? '')) } };
      expect(findClusterAgent(kept, where)).toEqual(findClusterAgent(whole, where));
      expect(kept.objects.pods.length).toBeLessThan(whole.objects.pods.length);
    }
  });

  // Within those namespaces it keeps only the pods clusterAgentPodFilter accepts: not the node Agent's, one per node.
  it.each(SEEDED_CLUSTERS.map((c) => [c.name, c] as const))('%s: the pods clusterAgentPodFilter accepts find the same Cluster Agent, without the node Agent pods', (_, cluster) => {
    const whole = fromLists(cluster, nodeAgentDaemonSet(20));
    for (const where of [undefined, 'datadog', 'shop']) {
      const kept = { ...whole, objects: { ...whole.objects, pods: whole.objects.pods.filter(clusterAgentPodFilter(whole, where)) } };
      expect(findClusterAgent(kept, where)).toEqual(findClusterAgent(whole, where));
      expect(kept.objects.pods.filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet')).toEqual([]);
    }
  });
});
