import type { Pod } from '@dd-admission/core';
import type { AdmissionReviewBody, UserInfo } from '../arbitraries/review.js';
import type { ReviewVersion } from './registration.js';

// The AdmissionReview the API server sends for a pod (or another object's) CREATE
// (CreateV1AdmissionReview / CreateV1beta1AdmissionReview in
// k8s.io/apiserver .../webhook/request/admissionreview.go). Both versions carry
// the same request fields. Go's `omitempty` drops an empty name (a generateName
// pod has none yet: names are generated after mutating admission), and an absent
// old object encodes as JSON null.

/** The resource a request is about: what its AdmissionReview names, and what the object must be. */
export interface AdmittedResource {
  group: string;
  version: string;
  /** The plural (`pods`, `configmaps`). */
  resource: string;
  kind: string;
}

/** v1 Pods: what the cluster agent's pod webhooks are registered for. */
export const POD_RESOURCE: AdmittedResource = { group: '', version: 'v1', resource: 'pods', kind: 'Pod' };

/** `v1` or `apps/v1`: the apiVersion of the resource's objects. */
export function objectApiVersion(r: AdmittedResource): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** What the request is about, beyond the object. */
export interface ReviewAttributes {
  uid: string;
  version: ReviewVersion;
  namespace: string;
  dryRun: boolean;
  userInfo: UserInfo;
  /** Default v1 Pods. */
  resource?: AdmittedResource;
}

/** The `kubernetes-admin` of a kubeadm cluster, the user `kubectl apply` runs as there (a fresh object each time). */
export function defaultUserInfo(): UserInfo {
  return { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
}

/** The AdmissionReview request body the API server posts to a webhook for `pod` (or another object of `attrs.resource`). */
export function buildAdmissionReview(pod: Pod, attrs: ReviewAttributes): AdmissionReviewBody {
  const name = pod.metadata?.name ?? '';
  const { group, version, resource, kind } = attrs.resource ?? POD_RESOURCE;
  return {
    apiVersion: `admission.k8s.io/${attrs.version}`,
    kind: 'AdmissionReview',
    request: {
      uid: attrs.uid,
      kind: { group, version, kind },
      resource: { group, version, resource },
      requestKind: { group, version, kind },
      requestResource: { group, version, resource },
      ...(name === '' ? {} : { name }),
      namespace: attrs.namespace,
      operation: 'CREATE',
      userInfo: attrs.userInfo,
      object: pod,
      oldObject: null,
      dryRun: attrs.dryRun,
      // CreateOptions as decoded from the request's query: `?dryRun=All` sets dryRun.
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', ...(attrs.dryRun ? { dryRun: ['All'] } : {}) },
    },
  };
}

/** The webhook URL with the `timeout` query parameter the API server adds (whole seconds, Go duration syntax). */
export function callUrl(url: string, timeoutSeconds: number): string {
  const target = new URL(url);
  // timeoutSeconds is at most 30 (registration schema), so Go's Duration.String() is always "<n>s".
  target.searchParams.set('timeout', `${timeoutSeconds}s`);
  return target.toString();
}
