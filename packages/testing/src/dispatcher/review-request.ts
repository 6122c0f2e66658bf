import type { Pod } from '@dd-admission/core';
import type { AdmissionReviewBody, UserInfo } from '../arbitraries/review.js';
import type { ReviewVersion } from './registration.js';
import type { AdmissionTarget } from './rules.js';

// The AdmissionReview the API server sends for a CREATE (of a pod, or of any target)
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
  target: AdmissionTarget;
}

/** The `kubernetes-admin` of a kubeadm cluster, the user `kubectl apply` runs as there (a fresh object each time). */
export function defaultUserInfo(): UserInfo {
  return { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
}

/** The AdmissionReview request body the API server posts to a webhook for `pod` (or another object of `attrs.target`). */
export function buildAdmissionReview(pod: Pod, attrs: ReviewAttributes): AdmissionReviewBody {
  const name = pod.metadata?.name ?? '';
  const { group, version, kind, resource } = attrs.target;
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
  // Appended to the text, not through URL: Go keeps an explicit `:443` that URL would drop, and
  // registrations carry no query. timeoutSeconds is at most 30, so Duration.String() is "<n>s".
  return `${url}?timeout=${timeoutSeconds}s`;
}
