// Reading a dump or live lists into a snapshot: Lists and multi-document
// input, unknown kinds counted, malformed objects reported and left out,
// never thrown; the Secret reduced to cert.pem.
import { describe, expect, it } from 'vitest';
import { clusterSnapshotSchema, snapshotFromDocuments, snapshotFromLists } from '@dd-admission/core';
import { parseYamlDocuments } from '@dd-admission/testing';

const pod = (name: string, namespace = 'shop') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'app', image: 'app:1' }] } });

describe('snapshotFromDocuments', () => {
  it('reads multi-document YAML and kubectl Lists alike, by kind', () => {
    const docs = parseYamlDocuments(
      `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: shop}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop}
  spec: {template: {spec: {containers: [{name: web, image: nginx}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, creationTimestamp: 2026-05-01T10:00:00Z}
spec: {containers: [{name: web, image: nginx}]}
`,
      'dump.yaml',
    );
    const snapshot = snapshotFromDocuments(docs);
    expect(snapshot.source).toBe('dump');
    expect(snapshot.objects.namespaces.map((n) => n.metadata.name)).toEqual(['shop']);
    expect(snapshot.objects.deployments.map((d) => d.metadata.name)).toEqual(['web']);
    expect(snapshot.objects.pods[0]!.metadata.creationTimestamp).toBe('2026-05-01T10:00:00Z');
    expect(snapshot.malformed).toEqual([]);
    expect(clusterSnapshotSchema.safeParse(snapshot).success).toBe(true);
  });

  it('gives the items of a typed list (read from the API) their kind and apiVersion', () => {
    const snapshot = snapshotFromDocuments([{ apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'a', namespace: 'shop' } }] }]);
    expect(snapshot.objects.pods).toEqual([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'shop' } }]);
  });

  it('counts and ignores kinds the doctor does not read', () => {
    const snapshot = snapshotFromDocuments([
      { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'a' } }, pod('p')] },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'b' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' } },
    ]);
    expect(snapshot.ignoredKinds).toEqual({ ServiceAccount: 2, Role: 1 });
    expect(snapshot.objects.pods).toHaveLength(1);
  });

  it('reports a malformed object with its document, list item, kind and the field at fault, and keeps the rest', () => {
    const snapshot = snapshotFromDocuments([
      pod('good'),
      { apiVersion: 'v1', kind: 'List', items: [pod('fine'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'shop' }, spec: { ports: [{ port: 'https' }] } }] },
      'just text',
      { metadata: { name: 'no-kind' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop' } },
      null,
    ]);
    expect(snapshot.objects.pods.map((p) => p.metadata.name)).toEqual(['good', 'fine']);
    expect(snapshot.malformed).toEqual([
      { index: 1, item: 1, kind: 'Service', name: 'svc', message: expect.stringMatching(/^spec\.ports\[0\]\.port: /) },
      { index: 2, kind: '(none)', message: 'expected a Kubernetes object, got string' },
      { index: 3, kind: '(none)', message: 'kind: missing' },
      { index: 4, kind: 'Pod', message: expect.stringMatching(/^metadata\.name: /) },
      { index: 5, kind: '(none)', message: 'expected a Kubernetes object, got null' },
    ]);
  });

  it('keeps the last of two objects with the same namespace and name (several --from files)', () => {
    const older = { ...pod('p'), status: { phase: 'Pending' } };
    const newer = { ...pod('p'), status: { phase: 'Running' } };
    const snapshot = snapshotFromDocuments([older, newer, pod('p', 'other')]);
    expect(snapshot.objects.pods.map((p) => `${p.metadata.namespace}/${p.metadata.name} ${p.status?.phase ?? ''}`)).toEqual(['shop/p Running', 'other/p ']);
  });

  it('keeps only cert.pem of a Secret: no private key, no last-applied annotation, in the snapshot or its JSON', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'webhook-certificate', namespace: 'datadog', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"key.pem":"c2VjcmV0"}}' } },
      type: 'Opaque',
      data: { 'cert.pem': 'Y2VydA==', 'key.pem': 'c2VjcmV0' },
      stringData: { token: 'secret' },
    };
    const snapshot = snapshotFromDocuments([secret, { ...secret, metadata: { name: 'api-key', namespace: 'datadog' }, data: { 'api-key': 'c2VjcmV0' } }]);
    expect(snapshot.objects.secrets[0]).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'webhook-certificate', namespace: 'datadog' },
      type: 'Opaque',
      data: { 'cert.pem': 'Y2VydA==' },
    });
    expect(snapshot.objects.secrets[1]!.data).toEqual({});
    expect(JSON.stringify(snapshot)).not.toContain('c2VjcmV0');
  });
});

describe('snapshotFromLists', () => {
  it('takes the items of each resource as the API returns them, with the live facts', () => {
    const snapshot = snapshotFromLists(
      { pods: [{ metadata: { name: 'p', namespace: 'shop' } }], deployments: [{ metadata: { name: 'd', namespace: 'shop' } }] },
      {
        serverVersion: { major: '1', minor: '30', gitVersion: 'v1.30.2-gke.1587003' },
        apiGroups: ['apps', 'cilium.io'],
        unreadable: [{ resource: 'secrets', verb: 'list', message: 'secrets is forbidden' }],
      },
    );
    expect(snapshot).toMatchObject({ source: 'live', serverVersion: { gitVersion: 'v1.30.2-gke.1587003' }, apiGroups: ['apps', 'cilium.io'] });
    expect(snapshot.objects.deployments[0]).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
    expect(snapshot.objects.pods[0]).toMatchObject({ apiVersion: 'v1', kind: 'Pod' });
    expect(snapshot.unreadable).toEqual([{ resource: 'secrets', verb: 'list', message: 'secrets is forbidden' }]);
  });

  it('reports a malformed item with its position in the list', () => {
    const snapshot = snapshotFromLists({ nodes: [{ metadata: { name: 'n1' } }, { metadata: { name: 'n2' }, spec: { providerID: 7 } }] });
    expect(snapshot.objects.nodes.map((n) => n.metadata.name)).toEqual(['n1']);
    expect(snapshot.malformed).toEqual([{ index: 1, kind: 'Node', name: 'n2', message: expect.stringMatching(/^spec\.providerID: /) }]);
  });
});
