import type { Pod } from '@dd-admission/core';
import type { AdmissionReviewBody, UserInfo } from '../arbitraries/review.js';
import type { ReviewVersion } from './registration.js';

// The AdmissionReview the API server sends for a pod CREATE
// (CreateV1AdmissionReview / CreateV1beta1AdmissionReview in
// k8s.io/apiserver .../webhook/request/admissionreview.go). Both versions carry
// the same request fields. Go's `omitempty` drops an empty name (a generateName
// pod has none yet: names are generated after mutating admission), and an absent
// old object encodes as JSON null.

/** What the request is about, beyond the object. */
export interface ReviewAttributes {
  uid: string;
  version: ReviewVersion;
  namespace: string;
  dryRun: boolean;
  userInfo: UserInfo;
}

const POD_KIND = { group: '', version: 'v1', kind: 'Pod' } as const;
const POD_RESOURCE = { group: '', version: 'v1', resource: 'pods' } as const;

/** The `kubernetes-admin` of a kubeadm cluster, the user `kubectl apply` runs as there (a fresh object each time). */
export function defaultUserInfo(): UserInfo {
  return { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
}

/** The AdmissionReview request body the API server posts to a webhook for `pod`. */
export function buildAdmissionReview(pod: Pod, attrs: ReviewAttributes): AdmissionReviewBody {
  const name = pod.metadata?.name ?? '';
  return {
    apiVersion: `admission.k8s.io/${attrs.version}`,
    kind: 'AdmissionReview',
    request: {
      uid: attrs.uid,
      kind: { ...POD_KIND },
      resource: { ...POD_RESOURCE },
      requestKind: { ...POD_KIND },
      requestResource: { ...POD_RESOURCE },
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
