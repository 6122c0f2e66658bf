import type { LabelSelector } from '../webhooks/selection.js';
import { matchesSelector } from '../webhooks/selection.js';
import type { SnapshotObject, SnapshotSelector } from './snapshot.js';

// Small readers shared by the checks: finding objects by name, matching
// selectors, naming objects the way kubectl does.

/** The object named `name` in `namespace` (cluster-scoped objects: namespace undefined). */
export function findNamed<T extends SnapshotObject>(list: readonly T[], namespace: string | undefined, name: string): T | undefined {
  return list.find((o) => o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
}

/** A selector as the core's LabelSelector (null fields dropped); undefined stays undefined. */
function asSelector(s: SnapshotSelector | null | undefined): LabelSelector | undefined {
  if (!s) return undefined;
  const out: LabelSelector = {};
  if (s.matchLabels) out.matchLabels = s.matchLabels;
  if (s.matchExpressions) out.matchExpressions = s.matchExpressions.map((r) => (r.values ? { key: r.key, operator: r.operator, values: r.values } : { key: r.key, operator: r.operator }));
  return out;
}

/** Whether a workload or policy selector selects `labels`; a missing selector selects nothing, an empty one everything. */
export function selects(selector: SnapshotSelector | null | undefined, labels: Readonly<Record<string, string>> | null | undefined): boolean {
  if (!selector) return false;
  return matchesSelector(asSelector(selector), labels ?? {});
}

/** Whether a Service selector (a plain map) selects `labels`; a Service without selector selects no pod. */
export function serviceSelects(selector: Readonly<Record<string, string>> | null | undefined, labels: Readonly<Record<string, string>> | null | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return matchesSelector({ matchLabels: { ...selector } }, labels ?? {});
}

/** Whether workloads in `namespace` are in the user's scope (`-n` / `-A`): `namespaces` undefined is every namespace. */
export function inScope(scope: { namespaces: ReadonlySet<string> | undefined }, namespace: string | null | undefined): boolean {
  return scope.namespaces === undefined || scope.namespaces.has(namespace ?? '');
}

/** `deployment/web -n shop`: how kubectl names an object, for commands. */
export function kubectlRef(kind: string, name: string, namespace?: string | null): string {
  return `${kind.toLowerCase()}/${name}${namespace ? ` -n ${namespace}` : ''}`;
}

/** `shop/web`, or `web` for a cluster-scoped object. */
export function qualifiedName(o: SnapshotObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

/** Lists the first `max` items and how many more of `total` (default: all there are): `a, b, c (+2 more)`. */
export function listSome(items: readonly string[], max = 5, total = items.length): string {
  const shown = items.slice(0, max).join(', ');
  return total > max ? `${shown} (+${total - max} more)` : shown;
}

/** A shell-safe single-quoted word. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
