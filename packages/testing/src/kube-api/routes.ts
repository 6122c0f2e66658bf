import { coreVersions, groupList, resourceList, type ResourceTable, type ResourceType } from './resources.js';

// What a request path names, as the API server routes it: /version, discovery
// documents, or a resource (collection or object, namespaced or not).

/** What routing needs: the served resources and the /version answer. */
export interface RouteContext {
  table: ResourceTable;
  version: { major: string; minor: string; gitVersion?: string };
}

/** What a URL path names. */
export type Target =
  | { kind: 'document'; body: object }
  | { kind: 'resource'; r: ResourceType; namespace?: string; name?: string; subresource?: string };

/** The target of `path`; undefined for a path the server does not serve (404). */
export function route(path: string, ctx: RouteContext): Target | undefined {
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts.length === 1 && parts[0] === 'version') {
    const { major, minor } = ctx.version;
    return { kind: 'document', body: { major, minor, gitVersion: ctx.version.gitVersion ?? `v${major}.${minor}.0`, platform: 'linux/amd64' } };
  }
  if (parts[0] === 'api') {
    if (parts.length === 1) return { kind: 'document', body: coreVersions() };
    if (parts[1] !== 'v1') return undefined;
    if (parts.length === 2) return { kind: 'document', body: resourceList(ctx.table, '', 'v1') };
    return resourceTarget('', 'v1', parts.slice(2), ctx);
  }
  if (parts[0] === 'apis') {
    if (parts.length === 1) return { kind: 'document', body: groupList(ctx.table) };
    const [group, version] = [parts[1]!, parts[2]];
    if (parts.length === 2) return groupDocument(group, ctx);
    if (version === undefined || !ctx.table.serves(group, version)) return undefined;
    if (parts.length === 3) return { kind: 'document', body: resourceList(ctx.table, group, version) };
    return resourceTarget(group, version, parts.slice(3), ctx);
  }
  return undefined;
}

/** `GET /apis/<group>`: one APIGroup of the group list. */
function groupDocument(group: string, ctx: RouteContext): Target | undefined {
  const groups = (groupList(ctx.table) as { groups: { name: string }[] }).groups;
  const found = groups.find((g) => g.name === group);
  return found ? { kind: 'document', body: { kind: 'APIGroup', apiVersion: 'v1', ...found } } : undefined;
}

function resourceTarget(group: string, version: string, rest: string[], ctx: RouteContext): Target | undefined {
  // namespaces/<ns>/<plural>[/<name>[/<subresource>]]
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const r = ctx.table.find(group, version, rest[2]!);
    if (!r?.namespaced) return undefined;
    return { kind: 'resource', r, namespace: rest[1]!, ...(rest[3] !== undefined ? { name: rest[3] } : {}), ...(rest[4] !== undefined ? { subresource: rest[4] } : {}) };
  }
  const r = ctx.table.find(group, version, rest[0]!);
  if (!r) return undefined;
  // A namespaced resource without a namespace can only be listed (or watched) across namespaces.
  if (r.namespaced && rest.length > 1) return undefined;
  return { kind: 'resource', r, ...(rest[1] !== undefined ? { name: rest[1] } : {}), ...(rest[2] !== undefined ? { subresource: rest[2] } : {}) };
}
