// The resource types this package reads and writes, named as the API names them,
// and the REST paths of their collections and objects. A new kind is one line.

/** One resource type in one group version. */
export interface ApiResource {
  /** `''` for the core group. */
  group: string;
  version: string;
  /** The plural, lower case: the URL segment (`replicasets`). */
  resource: string;
  kind: string;
  namespaced: boolean;
}

const resource = (group: string, version: string, plural: string, kind: string, namespaced = true): ApiResource => ({ group, version, resource: plural, kind, namespaced });

/** The resource types of the webhook server, its controllers, `status` and `doctor`. */
export const RESOURCES = {
  namespaces: resource('', 'v1', 'namespaces', 'Namespace', false),
  nodes: resource('', 'v1', 'nodes', 'Node', false),
  pods: resource('', 'v1', 'pods', 'Pod'),
  services: resource('', 'v1', 'services', 'Service'),
  endpoints: resource('', 'v1', 'endpoints', 'Endpoints'),
  secrets: resource('', 'v1', 'secrets', 'Secret'),
  configMaps: resource('', 'v1', 'configmaps', 'ConfigMap'),
  endpointSlices: resource('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  deployments: resource('apps', 'v1', 'deployments', 'Deployment'),
  replicaSets: resource('apps', 'v1', 'replicasets', 'ReplicaSet'),
  statefulSets: resource('apps', 'v1', 'statefulsets', 'StatefulSet'),
  daemonSets: resource('apps', 'v1', 'daemonsets', 'DaemonSet'),
  jobs: resource('batch', 'v1', 'jobs', 'Job'),
  cronJobs: resource('batch', 'v1', 'cronjobs', 'CronJob'),
  networkPolicies: resource('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy'),
  ciliumNetworkPolicies: resource('cilium.io', 'v2', 'ciliumnetworkpolicies', 'CiliumNetworkPolicy'),
  ciliumClusterwideNetworkPolicies: resource('cilium.io', 'v2', 'ciliumclusterwidenetworkpolicies', 'CiliumClusterwideNetworkPolicy', false),
  leases: resource('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  mutatingWebhookConfigurations: resource('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false),
  validatingWebhookConfigurations: resource('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false),
} as const satisfies Record<string, ApiResource>;

/** `v1` or `apps/v1`: the apiVersion of the resource's objects. */
export function apiVersionOf(r: Pick<ApiResource, 'group' | 'version'>): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** `replicasets.apps`: how the API's messages name a resource type. */
export function qualifiedName(r: Pick<ApiResource, 'group' | 'resource'>): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
}

/**
 * The REST path of a collection or, with `name`, of one object: `/api/v1/namespaces/<ns>/secrets/<name>`,
 * `/apis/apps/v1/replicasets` (every namespace). The core group lives under `/api`.
 */
export function resourcePath(r: ApiResource, namespace?: string, name?: string): string {
  const base = r.group === '' ? `/api/${enc(r.version)}` : `/apis/${enc(r.group)}/${enc(r.version)}`;
  if (r.namespaced && namespace === undefined && name !== undefined) throw new TypeError(`${qualifiedName(r)} are namespaced: "${name}" needs a namespace`);
  const scope = r.namespaced && namespace !== undefined ? `/namespaces/${enc(namespace)}` : '';
  return `${base}${scope}/${enc(r.resource)}${name === undefined ? '' : `/${enc(name)}`}`;
}

const enc = encodeURIComponent;
