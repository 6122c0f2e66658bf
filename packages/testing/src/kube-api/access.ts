import { badRequest, KubeApiStatusError } from './api-errors.js';
import type { ResourceType } from './resources.js';

// Who may do what on the double: everything, unless a test denies a verb on a
// resource (for one user or everyone, in one namespace or everywhere). A denied
// request answers 403 Forbidden with RBAC's message, and SelfSubjectAccessReviews
// answer from the same rules, so `kubectl auth can-i` and the request agree.

/** One denial; unset fields match anything. */
export interface AccessDenial {
  verb: string;
  /** The resource plural (`pods`, `deployments`). */
  resource: string;
  /** The API group (`''` core, `apps`); any group when absent. */
  group?: string;
  /** Only requests in this namespace (cluster-wide lists are always covered). */
  namespace?: string;
  /** Only this user (the bearer token of the kubeconfig). */
  user?: string;
}

/** What one request asks for, as the authorizer sees it. */
export interface AccessRequest {
  user: string;
  verb: string;
  resource: string;
  group: string;
  /** Empty for cluster-scoped resources and lists across namespaces. */
  namespace: string;
}

/** The access rules of one double. */
export interface AccessRules {
  /** Denies requests matching `denial`; returns a function that lifts it. */
  deny(denial: AccessDenial): () => void;
  /** Lifts every denial. */
  allowAll(): void;
  allows(request: AccessRequest): boolean;
}

/** The user a request without a bearer token is. */
export const ANONYMOUS = 'system:anonymous';

/** Rules that allow everything. */
export function createAccessRules(): AccessRules {
  const denials: AccessDenial[] = [];
  return {
    deny(denial) {
      denials.push(denial);
      return () => {
        const i = denials.indexOf(denial);
        if (i >= 0) denials.splice(i, 1);
      };
    },
    allowAll: () => void denials.splice(0),
    allows: (request) => !denials.some((d) => covers(d, request)),
  };
}

function covers(d: AccessDenial, r: AccessRequest): boolean {
  if (d.verb !== r.verb || d.resource !== r.resource) return false;
  if (d.group !== undefined && d.group !== r.group) return false;
  if (d.user !== undefined && d.user !== r.user) return false;
  // A grant in one namespace never covers a request across all of them.
  return d.namespace === undefined || r.namespace === '' || d.namespace === r.namespace;
}

/** RBAC's 403: `deployments.apps "web" is forbidden: User "jane" cannot get resource "deployments" in API group "apps" in the namespace "shop"`. */
export function forbidden(r: ResourceType, request: AccessRequest, name?: string): KubeApiStatusError {
  const scope = request.namespace ? `in the namespace "${request.namespace}"` : 'at the cluster scope';
  const why = `User "${request.user}" cannot ${request.verb} resource "${r.plural}" in API group "${r.group}" ${scope}`;
  const qualified = r.group ? `${r.plural}.${r.group}` : r.plural;
  const subject = name ? `${qualified} "${name}"` : qualified;
  return new KubeApiStatusError(403, 'Forbidden', `${subject} is forbidden: ${why}`, { ...(name ? { name } : {}), ...(r.group ? { group: r.group } : {}), kind: r.plural });
}

interface ResourceAttributes {
  verb?: string;
  resource?: string;
  group?: string;
  namespace?: string;
}

/** The answer to a SelfSubjectAccessReview `body` from `user`: the review with its status, as the API returns it. */
export function accessReview(rules: AccessRules, user: string, body: unknown): object {
  const review = (typeof body === 'object' && body !== null ? body : {}) as { spec?: { resourceAttributes?: ResourceAttributes } };
  const a = review.spec?.resourceAttributes;
  if (!a?.verb || !a.resource) throw badRequest('spec.resourceAttributes: Required value: verb and resource are required');
  const allowed = rules.allows({ user, verb: a.verb, resource: a.resource, group: a.group ?? '', namespace: a.namespace ?? '' });
  return { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec: review.spec, status: { allowed } };
}
