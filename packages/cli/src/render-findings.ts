import type { DistributionFinding } from '@dd-admission/core';
import { mark, paint, type Style } from './style.js';

const DETAIL = '        ';

/** Distribution checks, one line each with the fix indented below: `[warn] GKE Autopilot: ...` / `        fix: ...`. */
export function explainFindings(findings: readonly DistributionFinding[], style: Style): string {
  return findings.map((f) => `${mark(style, f.level === 'warning' ? 'warn' : 'note')} ${f.message}\n${DETAIL}${paint(style, 'dim', 'fix:')} ${f.fix}\n`).join('');
}
