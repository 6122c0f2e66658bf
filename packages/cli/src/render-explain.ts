import { CONFIG_KEYS, formatAgentVersion, formatConfigIssue, WEBHOOKS, type ConfigIssue, type MutationEvent, type ResolvedAgentVersion, type WebhookName } from '@dd-admission/core';
import type { Location } from './errors.js';
import type { UnitPreview } from './preview.js';
import { mark, paint, type Style } from './style.js';

/** Where each config key's value came from (`default`, a file, `--set`), from parseConfig. */
export type Origins = Readonly<Record<string, string>>;

type Previewed = Extract<UnitPreview, { previewed: true }>;

const MAX_VALUE = 72;
const DETAIL = '        ';

/** Which Cluster Agent release the preview emulates and where that came from, with the note when the evidence was adjusted. */
export function explainAgentVersion(v: ResolvedAgentVersion, style: Style): string {
  const line = `Emulating Cluster Agent ${formatAgentVersion(v.version)} ${paint(style, 'dim', `(${v.origin})`)}\n`;
  return v.note ? `${line}  ${mark(style, 'warn')} ${v.note}\n` : line;
}

/** Config warnings, one line each. */
export function explainConfigWarnings(warnings: readonly ConfigIssue[], style: Style): string {
  return warnings.map((w) => `${mark(style, 'warn')} config: ${formatConfigIssue(w)}\n`).join('');
}

/** What the webhooks did to one object and why, or that it was passed through. Failures are warnings unless `strict`. */
export function explainUnit(p: UnitPreview, style: Style, origins: Origins, strict: boolean): string {
  const head = `${paint(style, 'bold', p.unit.location.label ?? '')} ${paint(style, 'dim', `(${where(p.unit.location)})`)}`;
  if (!p.previewed) return `${head}: ${paint(style, 'dim', 'not a Pod or workload, passed through unchanged')}\n`;
  const lines = [head, ...p.misplaced.map((m) => `  ${mark(style, 'warn')} ${m}`)];
  for (const webhook of WEBHOOKS) lines.push(...webhookLines(p, webhook, style, origins, strict));
  lines.push(...p.result.warnings.filter((w) => !w.webhook).map((w) => `  ${mark(style, 'warn')} ${w.message}`));
  lines.push(...outcomeLines(p, style));
  return lines.join('\n') + '\n';
}

function where(location: Location): string {
  const parts = [location.file];
  if (location.document !== undefined) parts.push(`document ${location.document}`);
  if (location.item !== undefined) parts.push(`item ${location.item}`);
  return parts.join(', ');
}

function webhookLines(p: Previewed, webhook: WebhookName, style: Style, origins: Origins, strict: boolean): string[] {
  const { result } = p;
  const reinvoked = new Set(result.calls.filter((c) => c.reinvocation).flatMap((c) => c.events));
  const lines = groupEvents(result.events.filter((e) => e.webhook === webhook), reinvoked).flatMap((g) => groupLines(g, style, origins));
  for (const f of result.failures.filter((x) => x.webhook === webhook)) {
    lines.push(`  ${mark(style, strict ? 'fail' : 'warn')} ${webhook} webhook failed: ${f.message} ${paint(style, 'dim', "(fail-open: the pod is admitted without this webhook's changes)")}`);
  }
  for (const w of result.warnings.filter((x) => x.webhook === webhook)) lines.push(`  ${mark(style, 'warn')} ${webhook} webhook: ${w.message}`);
  if (!fullySkipped(p)) {
    for (const s of result.skipped.filter((x) => x.webhook === webhook)) lines.push(`  ${mark(style, 'skip')} ${webhook} webhook skipped: ${s.reason}`);
  }
  return lines;
}

/** Changes of one kind that went to the same containers, so a line reads "DD_AGENT_HOST, DD_ENTITY_ID -> containers app, sidecar". */
interface Group {
  kind: MutationEvent['kind'];
  action: MutationEvent['action'];
  targets: string;
  /** Made when the webhook was called again after a later webhook changed the pod. */
  reinvocation: boolean;
  events: MutationEvent[];
}

function groupEvents(events: readonly MutationEvent[], reinvoked: ReadonlySet<MutationEvent>): Group[] {
  // First collect each change's containers, then group changes that went to the same containers.
  const byChange = new Map<string, { first: MutationEvent; reinvocation: boolean; events: MutationEvent[] }>();
  for (const e of events) {
    const reinvocation = reinvoked.has(e);
    const key = JSON.stringify([e.kind, e.action, e.name, e.value, e.reason, reinvocation]);
    const entry = byChange.get(key) ?? { first: e, reinvocation, events: [] };
    entry.events.push(e);
    byChange.set(key, entry);
  }
  const groups = new Map<string, Group>();
  for (const { first, reinvocation, events: same } of byChange.values()) {
    const targets = describeTargets(same);
    const key = JSON.stringify([first.kind, first.action, targets, reinvocation]);
    const group = groups.get(key) ?? { kind: first.kind, action: first.action, targets, reinvocation, events: [] };
    group.events.push(...same);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function describeTargets(events: readonly MutationEvent[]): string {
  const named = (list: string, names: string[]) => (names.length === 0 ? [] : [`${list}${names.length > 1 ? 's' : ''} ${names.join(', ')}`]);
  const of = (list: MutationEvent['containerList']) => [...new Set(events.filter((e) => e.container !== undefined && e.containerList === list).map((e) => e.container!))];
  return [...named('container', of('containers')), ...named('init container', of('initContainers'))].join('; ');
}

const KIND_NAME: Record<MutationEvent['kind'], string> = { env: 'env', volume: 'volume', volumeMount: 'volume mount', initContainer: 'init container', annotation: 'annotation' };
const ACTION_NAME: Record<MutationEvent['action'], string> = { added: '', combined: ' (combined with the existing value)', replaced: ' (replacing the existing value)' };

function groupLines(g: Group, style: Style, origins: Origins): string[] {
  const names = [...new Set(g.events.map((e) => e.name))];
  const arrow = g.targets ? ` -> ${g.targets}` : '';
  const again = g.reinvocation ? paint(style, 'dim', ' (on reinvocation, after a later webhook added containers)') : '';
  const webhook = g.events[0]!.webhook;
  const head = `  ${mark(style, 'ok')} ${webhook} webhook: ${KIND_NAME[g.kind]} ${names.join(', ')}${arrow}${ACTION_NAME[g.action]}${again}`;
  const details = new Map<string, string>();
  for (const e of g.events) {
    const text = `${DETAIL}${showValue(e)}  ${paint(style, 'dim', `[${e.reason}${originNote(e.reason, origins)}]`)}`;
    details.set(text, text);
  }
  return [head, ...details.values()];
}

function showValue(e: MutationEvent): string {
  if (e.value === undefined) return e.name;
  const value = e.value.length > MAX_VALUE ? `${e.value.slice(0, MAX_VALUE - 3)}...` : e.value;
  return e.kind === 'env' ? `${e.name}=${value}` : `${e.name}: ${value}`;
}

// Config keys longest first, so `a.b.c_d` is not mistaken for `a.b.c`.
const KEYS = CONFIG_KEYS.map((k) => k.key).sort((a, b) => b.length - a.length);

/** `; <key> set by <origin>` when a reason names a config key that was not left at its default. */
function originNote(reason: string, origins: Origins): string {
  const key = KEYS.find((k) => reason.includes(k));
  const origin = key ? origins[key] : undefined;
  if (!key || !origin || origin === 'default') return '';
  // A surface can explain a default ("default (the Operator sets no mode: ...)").
  return origin.startsWith('default (') ? `; ${key}: ${origin}` : `; ${key} set by ${origin}`;
}

function fullySkipped(p: Previewed): boolean {
  const { result } = p;
  return result.events.length === 0 && result.failures.length === 0 && result.skipped.length > 0 && result.calls.every((c) => c.skip);
}

function outcomeLines(p: Previewed, style: Style): string[] {
  const { result } = p;
  if (fullySkipped(p)) {
    return [
      `  ${mark(style, 'warn')} nothing injected: every webhook skipped this pod`,
      ...result.skipped.map((s) => `${DETAIL}${s.webhook}: ${s.reason}`),
    ];
  }
  if (result.events.length === 0 && result.failures.length === 0) {
    return [`  ${mark(style, 'same')} no changes: everything the webhooks inject is already there`];
  }
  return [];
}

/** Totals over the run, and what made --strict fail. */
export interface Summary {
  previewed: number;
  changed: number;
  failures: number;
  misplaced: number;
  strict: boolean;
}

/** Counts what a run found. */
export function summarize(previews: readonly UnitPreview[], strict: boolean): Summary {
  const done = previews.filter((p): p is Previewed => p.previewed);
  return {
    previewed: done.length,
    changed: done.filter((p) => p.patch.length > 0).length,
    failures: done.reduce((n, p) => n + p.result.failures.length, 0),
    misplaced: done.reduce((n, p) => n + p.misplaced.length, 0),
    strict,
  };
}

/** Whether --strict turns this run into a failure. */
export function strictFailure(s: Summary): boolean {
  return s.strict && (s.failures > 0 || s.misplaced > 0);
}

/** The closing line: counts, and the --strict verdict. */
export function explainSummary(s: Summary, style: Style): string {
  const findings = [s.failures > 0 ? plural(s.failures, 'webhook failure') : '', s.misplaced > 0 ? plural(s.misplaced, 'misplaced label/annotation') : ''].filter(Boolean);
  const counts = [`${s.changed} changed`, `${s.previewed - s.changed} unchanged`, ...findings];
  const line = `${plural(s.previewed, 'object')} previewed: ${counts.join(', ')}\n`;
  if (!strictFailure(s)) return line;
  return `${line}${mark(style, 'fail')} --strict: failing because of ${findings.join(' and ')}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
