import fc from 'fast-check';
import type { Pod } from '@dd-admission/core';
import { podArbitrary } from './pod.js';
import { compact, NAMESPACES } from './values.js';

/** authentication/v1 UserInfo as it appears in an AdmissionRequest (empty members are omitted). */
export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** An AdmissionReview request body as the API server posts it to a webhook. */
export interface AdmissionReviewBody {
  apiVersion: 'admission.k8s.io/v1' | 'admission.k8s.io/v1beta1';
  kind: 'AdmissionReview';
  request: {
    uid: string;
    kind: { group: string; version: string; kind: string };
    resource: { group: string; version: string; resource: string };
    requestKind: { group: string; version: string; kind: string };
    requestResource: { group: string; version: string; resource: string };
    name?: string;
    namespace: string;
    operation: 'CREATE';
    userInfo: UserInfo;
    object: Pod;
    oldObject: null;
    dryRun: boolean;
    /** CreateOptions; `dryRun: ['All']` on a dry-run request (what `?dryRun=All` decodes to). */
    options: { apiVersion: 'meta.k8s.io/v1'; kind: 'CreateOptions'; dryRun?: string[] };
  };
}

const podKind = { group: '', version: 'v1', kind: 'Pod' };
const podResource = { group: '', version: 'v1', resource: 'pods' };

/** A v1 or v1beta1 AdmissionReview wrapping `pod` (CREATE of a pod, as the webhooks are registered for). */
export function admissionReviewFor(pod: Pod): fc.Arbitrary<AdmissionReviewBody> {
  const namespace = pod.metadata?.namespace ? fc.constant(pod.metadata.namespace) : fc.constantFrom(...NAMESPACES);
  return fc
    .record({
      apiVersion: fc.constantFrom('admission.k8s.io/v1' as const, 'admission.k8s.io/v1beta1' as const),
      uid: fc.uuid(),
      namespace,
      dryRun: fc.boolean(),
      username: fc.constantFrom('system:serviceaccount:kube-system:replicaset-controller', 'kubernetes-admin'),
    })
    .map(({ apiVersion, uid, namespace: ns, dryRun, username }) => ({
      apiVersion,
      kind: 'AdmissionReview' as const,
      request: compact({
        uid,
        kind: podKind,
        resource: podResource,
        requestKind: podKind,
        requestResource: podResource,
        // A pod created from a generateName has no name yet when it is admitted.
        name: pod.metadata?.name ?? undefined,
        namespace: ns,
        operation: 'CREATE' as const,
        userInfo: { username, uid: 'user-uid', groups: ['system:authenticated'] },
        object: pod,
        oldObject: null,
        dryRun,
        options: { apiVersion: 'meta.k8s.io/v1' as const, kind: 'CreateOptions' as const },
      }),
    }));
}

/** An AdmissionReview (v1 or v1beta1) wrapping a generated pod. */
export function admissionReviewArbitrary(pods: fc.Arbitrary<Pod> = podArbitrary()): fc.Arbitrary<AdmissionReviewBody> {
  return pods.chain(admissionReviewFor);
}
