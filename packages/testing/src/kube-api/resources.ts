// The resources the API double serves, with the names and scopes of the real
// API, and the discovery documents @kubernetes/client-node reads
// (KubernetesObjectApi looks a kind up in `/api/v1` or `/apis/<group>/<version>`).

/** One served resource in one group version. */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: the URL segment (`secrets`). */
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Versions of one resource share one storage (v1 and v1beta1 webhook configurations are the same objects). */
  storage: string;
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function resource(group: string, version: string, plural: string, kind: string, namespaced: boolean): ResourceType {
  return { group, version, plural, singular: kind.toLowerCase(), kind, namespaced, storage: group ? `${plural}.${group}` : plural };
}

/** Every resource in every version the double can serve; v1beta1 webhook configurations and custom resources only when asked to. */
export const ALL_RESOURCES: readonly ResourceType[] = [
  resource('', 'v1', 'namespaces', 'Namespace', false),
  resource('', 'v1', 'nodes', 'Node', false),
  resource('', 'v1', 'secrets', 'Secret', true),
  resource('', 'v1', 'configmaps', 'ConfigMap', true),
  resource('', 'v1', 'pods', 'Pod', true),
  resource('', 'v1', 'services', 'Service', true),
  resource('', 'v1', 'endpoints', 'Endpoints', true),
  resource('apps', 'v1', 'replicasets', 'ReplicaSet', true),
  resource('apps', 'v1', 'deployments', 'Deployment', true),
  resource('apps', 'v1', 'statefulsets', 'StatefulSet', true),
  resource('apps', 'v1', 'daemonsets', 'DaemonSet', true),
  resource('batch', 'v1', 'jobs', 'Job', true),
  resource('batch', 'v1', 'cronjobs', 'CronJob', true),
  resource('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  resource('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true),
  resource('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false),
  resource('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  resource('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false),
  resource('admissionregistration.k8s.io', 'v1beta1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false),
  resource('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false),
  resource('admissionregistration.k8s.io', 'v1beta1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false),
  // Custom resources: served only when their group is asked for (a Cilium cluster).
  resource('cilium.io', 'v2', 'ciliumnetworkpolicies', 'CiliumNetworkPolicy', true),
  resource('cilium.io', 'v2', 'ciliumclusterwidenetworkpolicies', 'CiliumClusterwideNetworkPolicy', false),
];

/** Groups that exist only when a double is started with them. */
const OPTIONAL_GROUPS = new Set(['cilium.io']);

/** `v1` or `apps/v1`. */
export function groupVersion(r: Pick<ResourceType, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The resource table of one double: `admissionVersions` says which webhook configuration versions exist. */
export interface ResourceTable {
  /** API groups served without resources (as a distribution's own APIs, `config.openshift.io`). */
  readonly emptyGroups: readonly string[];
  find(group: string, version: string, plural: string): ResourceType | undefined;
  /** Whether the group version is served at all (for discovery and 404s). */
  serves(group: string, version: string): boolean;
  all(): readonly ResourceType[];
}

/**
 * Builds the table; a v1beta1 request is answered 404 unless `v1beta1` is in `admissionVersions`.
 * `extraGroups` adds groups: the double's custom resources in them (`cilium.io`), or an empty group.
 */
export function resourceTable(admissionVersions: readonly ('v1' | 'v1beta1')[], extraGroups: readonly string[] = []): ResourceTable {
  const served = ALL_RESOURCES.filter((r) => {
    if (OPTIONAL_GROUPS.has(r.group)) return extraGroups.includes(r.group);
    return r.group !== 'admissionregistration.k8s.io' || admissionVersions.includes(r.version as 'v1' | 'v1beta1');
  });
  return {
    emptyGroups: extraGroups.filter((g) => !served.some((r) => r.group === g)),
    find: (group, version, plural) => served.find((r) => r.group === group && r.version === version && r.plural === plural),
    serves: (group, version) => served.some((r) => r.group === group && r.version === version) || (version === 'v1' && extraGroups.includes(group)),
    all: () => served,
  };
}

/** `GET /api`: the core group's versions. */
export function coreVersions(): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
}

/** `GET /apis`: the named groups and their versions. */
export function groupList(table: ResourceTable): object {
  const groups = new Map<string, string[]>(table.emptyGroups.map((g) => [g, ['v1']]));
  for (const r of table.all()) {
    if (!r.group) continue;
    const versions = groups.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    groups.set(r.group, versions);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  };
}

/** `GET /api/v1` or `/apis/<group>/<version>`: the resources of one group version. */
export function resourceList(table: ResourceTable, group: string, version: string): object {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion({ group, version }),
    resources: table
      .all()
      .filter((r) => r.group === group && r.version === version)
      .map((r) => ({ name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: VERBS })),
  };
}
