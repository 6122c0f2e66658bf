import { z } from 'zod';

// A webhook's `rules` (RuleWithOperations), matched as the API server's rule
// matcher does for a request on a main resource (no subresource): every list
// must name the request's value or `*`, and `scope` must allow the resource's.
// matchPolicy Equivalent is not modelled: a rule matches the request's own
// group, version and resource only.

/** One rule of a webhook registration. */
export const ruleSchema = z.object({
  operations: z.array(z.string()),
  apiGroups: z.array(z.string()),
  apiVersions: z.array(z.string()),
  resources: z.array(z.string()),
  scope: z.enum(['*', 'Cluster', 'Namespaced']).optional(),
});
export type Rule = z.infer<typeof ruleSchema>;

/** What is being created, as the AdmissionReview names it. */
export interface AdmissionTarget {
  group: string;
  version: string;
  kind: string;
  /** The plural: `pods`, `configmaps`. */
  resource: string;
  namespaced: boolean;
}

/** A v1 Pod: what the cluster agent's webhooks are registered for. */
export const POD_TARGET: AdmissionTarget = { group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true };

/** The rules a registration without any has: CREATE of v1 pods. */
const POD_CREATE: readonly Rule[] = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }];

/** Whether a CREATE of `target` matches one of `rules` (absent: CREATE of v1 pods). */
export function rulesMatch(rules: readonly Rule[] | undefined, target: AdmissionTarget): boolean {
  return (rules ?? POD_CREATE).some((rule) => ruleMatches(rule, target));
}

function ruleMatches(rule: Rule, target: AdmissionTarget): boolean {
  const scope = rule.scope ?? '*';
  if (scope !== '*' && (scope === 'Namespaced') !== target.namespaced) return false;
  return (
    listed(rule.operations, 'CREATE') &&
    listed(rule.apiGroups, target.group) &&
    listed(rule.apiVersions, target.version) &&
    // `*/*` names every resource and subresource; a request on a main resource matches both forms.
    (listed(rule.resources, target.resource) || rule.resources.includes('*/*'))
  );
}

function listed(values: readonly string[], value: string): boolean {
  return values.includes('*') || values.includes(value);
}

/** The apiVersion of the target's objects: `v1`, `apps/v1`. */
export function targetApiVersion(target: Pick<AdmissionTarget, 'group' | 'version'>): string {
  return target.group === '' ? target.version : `${target.group}/${target.version}`;
}
