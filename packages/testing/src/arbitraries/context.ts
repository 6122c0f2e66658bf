import fc from 'fast-check';
import type { KubeObject, MutationContext, Pod } from '@dd-admission/core';
import { ownerRef, tagLabelsArbitrary } from './metadata.js';
import { compact, NAMESPACES, sometimes } from './values.js';

// The request context the adapters build: the request namespace (the pod's own
// when it has one, as the API server guarantees), the webhook's namespace, and
// the owner objects the tags webhook would fetch — consistent with the pod's
// ownerReferences (ReplicaSet -> Deployment chain), or sometimes missing so
// the "cannot get owner" failure is exercised (tags-injection spec §2, §3).

function ownerObject(apiVersion: string, kind: string, name: string, namespace: string, labels: Record<string, string>, owners?: Record<string, unknown>[]): KubeObject {
  const metadata = compact({ name, namespace, labels, ownerReferences: owners });
  return { apiVersion, kind, metadata } as KubeObject;
}

/** A Deployment name from a ReplicaSet name (everything before the last "-"). */
function deploymentName(replicaSet: string): string {
  const cut = replicaSet.lastIndexOf('-');
  return cut > 0 ? replicaSet.slice(0, cut) : replicaSet;
}

/** Owner objects for the pod's first ownerReference, in `namespace`; sometimes incomplete. */
export function ownersArbitrary(pod: Pod, namespace: string): fc.Arbitrary<KubeObject[]> {
  const ref = pod.metadata?.ownerReferences?.[0];
  if (!ref) return fc.constant([]);
  const labels = fc.oneof(tagLabelsArbitrary, fc.constant({}));
  if (ref.kind !== 'ReplicaSet') {
    return sometimes(90, labels).map((l) => (l === undefined ? [] : [ownerObject(ref.apiVersion, ref.kind, ref.name, namespace, l)]));
  }
  const deployment = deploymentName(ref.name);
  return fc
    .record({
      rsLabels: labels,
      deploymentLabels: labels,
      shape: fc.constantFrom('rs+deployment', 'rs+deployment', 'rs+deployment', 'orphan-rs', 'missing-rs', 'missing-deployment'),
    })
    .map(({ rsLabels, deploymentLabels, shape }) => {
      const deploymentRef = [ownerRef('apps/v1', 'Deployment', deployment)];
      const rs = ownerObject('apps/v1', 'ReplicaSet', ref.name, namespace, rsLabels, shape === 'orphan-rs' ? undefined : deploymentRef);
      const dep = ownerObject('apps/v1', 'Deployment', deployment, namespace, deploymentLabels);
      if (shape === 'missing-rs') return [dep];
      if (shape === 'missing-deployment' || shape === 'orphan-rs') return [rs];
      return [rs, dep];
    });
}

/** Labels of the pod's namespace: its name, sometimes a team, sometimes the restricted Pod Security level. */
function namespaceLabelsArbitrary(namespace: string): fc.Arbitrary<Record<string, string>> {
  return fc
    .record({ team: sometimes(40, fc.constantFrom('web', 'ops')), restricted: fc.boolean() })
    .map(({ team, restricted }) => ({
      'kubernetes.io/metadata.name': namespace,
      ...(team ? { team } : {}),
      ...(restricted ? { 'pod-security.kubernetes.io/enforce': 'restricted' } : {}),
    }));
}

/** A MutationContext consistent with `pod`, with the clock and install facts adapters pass (library injection, 7.57+). */
export function contextArbitrary(pod: Pod): fc.Arbitrary<MutationContext> {
  const own = pod.metadata?.namespace;
  const namespace = own ? fc.constant(own) : fc.constantFrom(...NAMESPACES);
  return namespace.chain((ns) =>
    fc
      .record({
        agentNamespace: sometimes(70, fc.constantFrom('default', 'datadog')),
        owners: ownersArbitrary(pod, ns),
        namespaceLabels: sometimes(60, namespaceLabelsArbitrary(ns)),
        now: sometimes(80, fc.integer({ min: 1_700_000_000, max: 1_800_000_000 })),
        install: sometimes(50, fc.record({ time: fc.constantFrom('1700000000', ''), id: fc.constantFrom('', 'c4f2-install') })),
      })
      .map((c) => compact({ namespace: ns, ...c }) as MutationContext),
  );
}
