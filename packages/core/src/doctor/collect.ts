import type { z } from 'zod';
import { formatIssuePath } from '../review/pod.js';
import {
  SNAPSHOT_RESOURCE_NAMES,
  SNAPSHOT_RESOURCES,
  snapshotObjectsSchema,
  type ClusterSnapshot,
  type MalformedObject,
  type ServerVersion,
  type SnapshotObjects,
  type SnapshotResource,
  type Unreadable,
} from './snapshot.js';

// Objects into a snapshot: from the documents of a `kubectl get -A -o yaml`
// dump (Lists or multi-document YAML, any kinds) or from the lists the CLI
// read live. Each object is checked against its kind's schema; one that does
// not fit is reported with its position and kind and left out, never thrown.

type Obj = Record<string, unknown>;

const RESOURCE_BY_KIND = new Map(SNAPSHOT_RESOURCE_NAMES.map((r) => [SNAPSHOT_RESOURCES[r].kind, r]));

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Accumulates objects by resource; a later object with the same namespace and name replaces an earlier one. */
interface Collector {
  objects: Map<SnapshotResource, Map<string, unknown>>;
  ignoredKinds: Record<string, number>;
  malformed: MalformedObject[];
}

function newCollector(): Collector {
  return { objects: new Map(SNAPSHOT_RESOURCE_NAMES.map((r) => [r, new Map()])), ignoredKinds: {}, malformed: [] };
}

function add(c: Collector, resource: SnapshotResource, raw: unknown, where: { index: number; item?: number }): void {
  const read = readObject(resource, raw, where);
  if ('malformed' in read) {
    c.malformed.push(read.malformed);
    return;
  }
  const meta = (read.object as { metadata: { name: string; namespace?: string | null } }).metadata;
  c.objects.get(resource)!.set(`${meta.namespace ?? ''}/${meta.name}`, read.object);
}

/** One object checked against its resource's schema (kind and apiVersion added when an API list item lacks them), or why it does not fit. */
export function readObject<R extends SnapshotResource>(
  resource: R,
  raw: unknown,
  where: { index: number; item?: number },
): { object: SnapshotObjects[R][number] } | { malformed: MalformedObject } {
  const schema = snapshotObjectsSchema.shape[resource].element as z.ZodType;
  const { kind, apiVersion } = SNAPSHOT_RESOURCES[resource];
  // Items of an API list carry no kind or apiVersion; owner lookups need both.
  const object = isObj(raw) && (raw.kind === undefined || raw.apiVersion === undefined) ? { apiVersion, kind, ...raw } : raw;
  const parsed = schema.safeParse(object);
  if (parsed.success) return { object: parsed.data as SnapshotObjects[R][number] };
  const issue = parsed.error.issues[0]!;
  const path = formatIssuePath(issue.path);
  const name = isObj(raw) && isObj(raw.metadata) && typeof raw.metadata.name === 'string' ? raw.metadata.name : undefined;
  return { malformed: { ...where, kind, ...(name ? { name } : {}), message: path ? `${path}: ${issue.message}` : issue.message } };
}

function finish(c: Collector): Pick<ClusterSnapshot, 'objects' | 'ignoredKinds' | 'malformed'> {
  const objects = Object.fromEntries(SNAPSHOT_RESOURCE_NAMES.map((r) => [r, [...c.objects.get(r)!.values()]])) as SnapshotObjects;
  return { objects, ignoredKinds: c.ignoredKinds, malformed: c.malformed };
}

/**
 * The snapshot of a dump: every document (a single object, a `List`, or a typed
 * list such as `PodList`) is sorted by kind; unknown kinds are counted and
 * ignored, malformed objects reported.
 */
export function snapshotFromDocuments(documents: readonly unknown[]): ClusterSnapshot {
  const c = newCollector();
  documents.forEach((doc, index) => {
    if (isObj(doc) && Array.isArray(doc.items) && typeof doc.kind === 'string' && doc.kind.endsWith('List')) {
      // Items of a typed list read from the API carry no kind: it is the list's, without "List".
      const itemKind = doc.kind === 'List' ? undefined : doc.kind.slice(0, -'List'.length);
      doc.items.forEach((entry, item) => addDocument(c, entry, { index, item }, itemKind));
      return;
    }
    addDocument(c, doc, { index });
  });
  return { source: 'dump', unreadable: [], ...finish(c) };
}

function addDocument(c: Collector, doc: unknown, where: { index: number; item?: number }, defaultKind?: string): void {
  if (!isObj(doc)) {
    c.malformed.push({ ...where, kind: '(none)', message: `expected a Kubernetes object, got ${doc === null ? 'null' : Array.isArray(doc) ? 'a list' : typeof doc}` });
    return;
  }
  const kind = typeof doc.kind === 'string' ? doc.kind : defaultKind;
  if (kind === undefined) {
    c.malformed.push({ ...where, kind: '(none)', message: 'kind: missing' });
    return;
  }
  const resource = RESOURCE_BY_KIND.get(kind);
  if (resource === undefined) {
    c.ignoredKinds[kind] = (c.ignoredKinds[kind] ?? 0) + 1;
    return;
  }
  add(c, resource, doc, where);
}

/** What a live read knows beyond the objects. */
export interface LiveFacts {
  serverVersion?: ServerVersion;
  apiGroups?: readonly string[];
  /** Resources the API refused or does not serve. */
  unreadable?: readonly Unreadable[];
}

/** The snapshot of a live read: the items of each resource's list, as the API returned them (without kind). */
export function snapshotFromLists(lists: Partial<Record<SnapshotResource, readonly unknown[]>>, facts: LiveFacts = {}): ClusterSnapshot {
  const c = newCollector();
  for (const resource of SNAPSHOT_RESOURCE_NAMES) {
    (lists[resource] ?? []).forEach((item, index) => add(c, resource, item, { index }));
  }
  return {
    source: 'live',
    ...(facts.serverVersion ? { serverVersion: facts.serverVersion } : {}),
    ...(facts.apiGroups ? { apiGroups: [...facts.apiGroups] } : {}),
    unreadable: [...(facts.unreadable ?? [])],
    ...finish(c),
  };
}
