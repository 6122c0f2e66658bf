import {
  agentContext,
  clusterAgentNamespaces,
  clusterAgentPodFilter,
  findClusterAgent,
  podScanner,
  readObject,
  SNAPSHOT_RESOURCE_NAMES,
  SNAPSHOT_RESOURCES,
  snapshotFromLists,
  type AgentContext,
  type ClusterSnapshot,
  type DoctorOptions,
  type LiveFacts,
  type MalformedObject,
  type PodScan,
  type SnapshotPod,
  type SnapshotResource,
  type Unreadable,
} from '@dd-admission/core';
import { KubeApiError, RESOURCES, type ApiResource, type KubeClient } from '@dd-admission/kube';

// The snapshot of a live cluster, read through packages/kube and nothing but
// reads: /version, the API groups, every resource the checks look at, listed
// cluster-wide in pages of 500; then only the ConfigMaps the Cluster Agent's
// env names and the one webhook certificate Secret (its namespace and name come
// from the Cluster Agent's configuration). A read RBAC refuses becomes the
// "needs <verb> <resource>" marker its checks skip with; a resource the server
// does not serve (Cilium's, on a cluster without Cilium) is empty.
//
// Pods are the one resource that grows with the cluster, so they are not kept:
// the pods of the namespaces the Cluster Agent can be in are read first, page by
// page, keeping only those finding it reads (not the node Agent's one per node),
// and once its configuration is known every pod is scanned page by page and
// dropped (the core's pod scan).

/** What the doctor lists whole; Secrets and ConfigMaps are read one by one, pods scanned. */
const LISTED = SNAPSHOT_RESOURCE_NAMES.filter((r) => r !== 'secrets' && r !== 'configmaps' && r !== 'pods');

/** Objects per list call, as kubectl and client-go page. */
export const PAGE_SIZE = 500;

type Lists = Partial<Record<SnapshotResource, unknown[]>>;

/** Reads the cluster; `options` (the doctor's) say where the Cluster Agent and its configuration are, and the scope. Throws the kube errors of an unreadable cluster. */
export async function liveSnapshot(kube: KubeClient, options: DoctorOptions): Promise<ClusterSnapshot> {
  const version = await kube.version();
  const facts: LiveFacts = { serverVersion: { major: version.major, minor: version.minor, gitVersion: version.gitVersion }, apiGroups: await kube.apiGroups() };
  const unreadable: Unreadable[] = [];
  const lists: Lists = {};
  for (const resource of LISTED) lists[resource] = await listed(kube, resource, unreadable);
  // Each list is checked against its schema once; the objects read after are added to it.
  let snapshot = snapshotFromLists(lists, { ...facts, unreadable });

  snapshot = { ...snapshot, objects: { ...snapshot.objects, pods: await agentPods(kube, snapshot, options.agentNamespace) } };
  const agent = findClusterAgent(snapshot, options.agentNamespace);
  const configmaps = agent ? await fetched(kube, 'configmaps', agent.namespace, referencedConfigMaps(agent.container), unreadable) : [];
  snapshot = withObjects(snapshot, { configmaps }, unreadable);
  const context = agentContext(snapshot, options);
  const secrets = await fetched(kube, 'secrets', context.resourcesNamespace, [secretName(context)], unreadable);
  snapshot = withObjects(snapshot, { secrets }, unreadable);

  const scanned = await scannedPods(kube, snapshot, context, unreadable);
  // Refused (a Role in the agent's namespace only): the pods read there stay, so the report finds the Cluster Agent whose configuration was read.
  if (!scanned) return { ...snapshot, unreadable: [...unreadable] };
  return { ...snapshot, unreadable: [...unreadable], malformed: [...snapshot.malformed, ...scanned.malformed], podScan: scanned.scan };
}

function secretName(context: AgentContext): string {
  return context.config?.admission_controller.certificate.secret_name ?? 'webhook-certificate';
}

/** The snapshot with the objects of `lists` added (each resource in it replaced), and the markers so far. */
function withObjects(snapshot: ClusterSnapshot, lists: Lists, unreadable: readonly Unreadable[]): ClusterSnapshot {
  const added = snapshotFromLists(lists);
  const resources = Object.keys(lists) as SnapshotResource[];
  const objects = { ...snapshot.objects, ...Object.fromEntries(resources.map((r) => [r, added.objects[r]])) };
  return { ...snapshot, objects, unreadable: [...unreadable], malformed: [...snapshot.malformed, ...added.malformed] };
}

/** The pods finding the Cluster Agent reads (the core's filter), page by page from the namespaces it can be in; a namespace RBAC refuses gives none. The scan of every pod reports a refusal and the malformed ones. */
async function agentPods(kube: KubeClient, snapshot: ClusterSnapshot, agentNamespace: string | undefined): Promise<SnapshotPod[]> {
  const keeps = clusterAgentPodFilter(snapshot, agentNamespace);
  const kept: SnapshotPod[] = [];
  for (const namespace of clusterAgentNamespaces(snapshot, agentNamespace)) {
    try {
      kept.push(...(await readPods(kube, namespace, (pages) => keptPods(pages, keeps))));
    } catch (error) {
      refusedOrAbsent(error, 'pods', 'list', []);
    }
  }
  return kept;
}

/** The well-formed pods of `pages` that `keeps` accepts (the scan reports the others). */
async function keptPods(pages: Pages, keeps: (pod: SnapshotPod) => boolean): Promise<SnapshotPod[]> {
  const kept: SnapshotPod[] = [];
  for await (const read of podsOf(pages)) if ('object' in read && keeps(read.object)) kept.push(read.object);
  return kept;
}

/** Every object of a resource, cluster-wide, page by page; refused: empty, with the marker; not served: empty. */
async function listed(kube: KubeClient, resource: SnapshotResource, unreadable: Unreadable[]): Promise<unknown[]> {
  try {
    return (await kube.listAll(apiResource(resource), { pageSize: PAGE_SIZE })).items;
  } catch (error) {
    return refusedOrAbsent(error, resource, 'list', unreadable);
  }
}

type Scanned = { scan: PodScan; malformed: MalformedObject[] };

/** Every pod, scanned page by page and dropped; undefined when the list is refused (with the marker) or not served. */
async function scannedPods(kube: KubeClient, snapshot: ClusterSnapshot, context: AgentContext, unreadable: Unreadable[]): Promise<Scanned | undefined> {
  try {
    return await readPods(kube, undefined, (pages) => scan(pages, snapshot, context));
  } catch (error) {
    refusedOrAbsent(error, 'pods', 'list', unreadable);
    return undefined;
  }
}

type Pages = AsyncIterable<{ items: unknown[] }>;

/** `read` of the pods (in `namespace`, else everywhere) page by page; packages/kube starts it over when a continue token expires. */
function readPods<T>(kube: KubeClient, namespace: string | undefined, read: (pages: Pages) => Promise<T>): Promise<T> {
  return kube.readPages(RESOURCES.pods, { pageSize: PAGE_SIZE, ...(namespace !== undefined ? { namespace } : {}) }, read);
}

/** Each item of each page read as a pod, numbered across the pages. */
async function* podsOf(pages: Pages): AsyncGenerator<ReturnType<typeof readObject<'pods'>>> {
  let index = 0;
  for await (const page of pages) for (const item of page.items) yield readObject('pods', item, { index: index++ });
}

/** Feeds every pod to one pod scanner; the malformed ones are reported with their position in the whole list. */
async function scan(pages: Pages, snapshot: ClusterSnapshot, context: AgentContext): Promise<Scanned> {
  const scanner = podScanner(snapshot, context);
  const malformed: MalformedObject[] = [];
  for await (const read of podsOf(pages)) {
    if ('malformed' in read) malformed.push(read.malformed);
    else scanner.add(read.object);
  }
  return { scan: scanner.result(), malformed };
}

/** The named objects of a resource in one namespace, by get; a missing one is left out. */
async function fetched(kube: KubeClient, resource: 'secrets' | 'configmaps', namespace: string, names: readonly string[], unreadable: Unreadable[]): Promise<unknown[]> {
  const r = resource === 'secrets' ? RESOURCES.secrets : RESOURCES.configMaps;
  const out: unknown[] = [];
  for (const name of new Set(names)) {
    try {
      const found = await kube.find(r, name, { namespace });
      if (found) out.push(found);
    } catch (error) {
      out.push(...refusedOrAbsent(error, resource, 'get', unreadable));
    }
  }
  return out;
}

/** 403: nothing, and the marker; 404 (the server does not serve the resource): nothing; anything else is thrown. */
function refusedOrAbsent(error: unknown, resource: SnapshotResource, verb: string, unreadable: Unreadable[]): [] {
  if (!(error instanceof KubeApiError) || (error.code !== 403 && error.code !== 404)) throw error;
  if (error.code === 403 && !unreadable.some((u) => u.resource === resource)) unreadable.push({ resource, verb, message: error.message });
  return [];
}

/** The ConfigMaps a container's env takes values from (valueFrom and envFrom). */
function referencedConfigMaps(container: { env?: readonly { valueFrom?: unknown }[] | null; envFrom?: readonly { configMapRef?: { name: string } | null }[] | null }): string[] {
  const fromEnv = (container.env ?? []).flatMap((e) => {
    const name = (e.valueFrom as { configMapKeyRef?: { name?: string } } | undefined)?.configMapKeyRef?.name;
    return name ? [name] : [];
  });
  const fromEnvFrom = (container.envFrom ?? []).flatMap((e) => (e.configMapRef ? [e.configMapRef.name] : []));
  return [...fromEnvFrom, ...fromEnv];
}

/** The REST description of a snapshot resource (listed across namespaces, so its scope does not matter). */
function apiResource(resource: SnapshotResource): ApiResource {
  const { kind, apiVersion } = SNAPSHOT_RESOURCES[resource];
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  return { group, version, resource, kind, namespaced: true };
}
