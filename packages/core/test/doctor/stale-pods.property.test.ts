// stale-pods is the core itself run on stored pods: for any generated pod,
// configuration and owners, the doctor's pod scan (the path live reads and
// dumps share) flags the pod exactly when the core's patch for it (with the
// owners the snapshot holds) is non-empty.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { doctorContext, mutate, SNAPSHOT_RESOURCES, snapshotFromDocuments, type KubeObject } from '@dd-admission/core';
import { CLUSTER_NOW, clusterDocuments, healthyCluster, readCertificateFacts, scenarioArbitrary } from '@dd-admission/testing';

const READ_KINDS = new Set(Object.values(SNAPSHOT_RESOURCES).map((r) => r.kind));

describe('stale-pods', () => {
  it('flags a generated pod exactly when the core would patch it today', () => {
    const seen = { flagged: 0, clean: 0 };
    fc.assert(
      fc.property(scenarioArbitrary(), fc.boolean(), ({ pod, configInput, context }, running) => {
        const namespace = context.namespace ?? 'default';
        // A dump always carries the kind, which generated pods may omit.
        const stored = { ...pod, apiVersion: 'v1', kind: 'Pod', metadata: { ...pod.metadata, name: 'generated', namespace }, status: { phase: running ? 'Running' : 'Succeeded' } };
        // The owners a live read or a dump would hold: the kinds the doctor lists.
        const owners = (context.owners ?? []).filter((o) => READ_KINDS.has(o.kind));
        const cluster = { ...healthyCluster(), workloads: [stored, ...owners] };
        const snapshot = snapshotFromDocuments(clusterDocuments(cluster));
        const doctor = doctorContext(snapshot, { now: Date.parse(CLUSTER_NOW), readCertificate: readCertificateFacts, overrides: [{ origin: 'generated', values: configInput }] });
        expect(doctor.config, JSON.stringify(doctor.agentConfig.result)).toBeDefined();
        const config = doctor.config!;

        const namespaceLabels = snapshot.objects.namespaces.find((n) => n.metadata.name === namespace)?.metadata.labels ?? {};
        const patch = mutate(stored, { namespace, agentNamespace: 'datadog', owners: owners as KubeObject[], namespaceLabels }, config).patch;
        // Each stale workload lists its first pods by name; here no workload has more than one.
        const flagged = doctor.pods.stale.flatMap((w) => w.names);

        expect(flagged.includes('generated')).toBe(running && patch.length > 0);
        seen[flagged.includes('generated') ? 'flagged' : 'clean']++;
        // The Cluster Agent's own pod is labelled enabled: "false": never stale.
        expect(flagged.filter((n) => n !== 'generated')).toEqual([]);
      }),
      { numRuns: 200 },
    );
    // Both answers occur, so the property is not true by one side alone.
    expect(seen.flagged).toBeGreaterThan(10);
    expect(seen.clean).toBeGreaterThan(10);
  });
});
