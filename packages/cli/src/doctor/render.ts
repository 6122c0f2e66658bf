import { CHECK_CATEGORIES, type DoctorReport, type Finding, type FindingStatus } from '@dd-admission/core';
import { mark, paint, type Style } from '../style.js';

// The doctor's report as text, in the style of `linkerd check`: what was read,
// then the checks grouped by category under a ruled heading, one line each with
// its mark; under a check that is not ok, its evidence, the fix and the section
// of docs/troubleshooting.md; then the summary line.

const INDENT = '    ';

/** The whole report for a terminal or a file. */
export function renderDoctor(report: DoctorReport, style: Style): string {
  const groups = CHECK_CATEGORIES.map((category) => ({ category, checks: report.checks.filter((c) => c.category === category) })).filter((g) => g.checks.length > 0);
  const sections = groups.map(({ category, checks }) => [paint(style, 'bold', category), '-'.repeat(category.length), ...checks.flatMap((c) => renderCheck(c, style))].join('\n'));
  return `${[renderCluster(report.cluster), ...sections, summaryLine(report, style)].join('\n\n')}\n`;
}

function renderCluster(cluster: DoctorReport['cluster']): string {
  const source = cluster.source === 'live' ? `live, Kubernetes ${cluster.serverVersion ?? 'unknown'}` : 'from a dump';
  const names = cluster.distribution.names.length > 0 ? cluster.distribution.names.join(', ') : 'no distribution recognised';
  const lines = [`Cluster: ${source}; ${names} (${cluster.distribution.source})`];
  const agent = cluster.clusterAgent;
  lines.push(
    agent
      ? `Cluster Agent: ${agent.namespace}/${agent.deployment}, ${agent.image}, ${agent.installer}; emulating ${agent.version} (${agent.versionOrigin})`
      : 'Cluster Agent: not found',
  );
  for (const u of cluster.unreadable) lines.push(`Not readable: ${u.resource} (needs ${u.needs})`);
  const ignored = Object.entries(cluster.ignoredKinds);
  if (ignored.length > 0) lines.push(`Ignored: ${ignored.map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
  for (const m of cluster.malformed) lines.push(`Left out: ${m.kind}${m.name ? ` ${m.name}` : ''} (document ${m.index + 1}${m.item !== undefined ? `, item ${m.item}` : ''}): ${m.message}`);
  return lines.join('\n');
}

function renderCheck(c: Finding, style: Style): string[] {
  const head = `${mark(style, c.status)} ${c.id}: ${c.summary}`;
  if (c.status === 'ok') return [head];
  const details = c.details.map((d) => `${INDENT}${d}`);
  const fix = c.fix === null ? [] : [`${INDENT}${paint(style, 'bold', 'fix:')}`, ...c.fix.split('\n').map((line) => `${INDENT}  ${line}`)];
  return [head, ...details, ...fix, `${INDENT}${paint(style, 'dim', `see ${c.doc}`)}`];
}

const PLURAL: Readonly<Record<FindingStatus, [string, string]>> = { fail: ['failed', 'failed'], warn: ['warning', 'warnings'], ok: ['ok', 'ok'], skip: ['skipped', 'skipped'] };

/** `Status check results: ✖ 1 failed, 2 warnings, 8 ok, 1 skipped`. */
function summaryLine(report: DoctorReport, style: Style): string {
  const count = (s: FindingStatus) => report.checks.filter((c) => c.status === s).length;
  const parts = (['fail', 'warn', 'ok', 'skip'] as const).filter((s) => count(s) > 0).map((s) => `${count(s)} ${PLURAL[s][count(s) === 1 ? 0 : 1]}`);
  const overall = !report.success ? 'fail' : count('warn') > 0 ? 'warn' : 'ok';
  return `Status check results: ${mark(style, overall)} ${parts.join(', ')}`;
}
