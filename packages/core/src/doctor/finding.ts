import { z } from 'zod';

// What a check says: a verdict with its evidence, the fix and the section of
// docs/troubleshooting.md that explains it. The ids are stable: users and
// scripts key on them.

/** ok: nothing to do; warn: works, but something will bite; fail: broken; skip: could not be checked (the summary says why). */
export const FINDING_STATUSES = ['ok', 'warn', 'fail', 'skip'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** The page every `doc` link points into. */
export const TROUBLESHOOTING_PAGE = 'docs/troubleshooting.md';

/** One check's result, as `-o json` prints it. */
export const findingSchema = z.object({
  id: z.string(),
  category: z.string(),
  status: z.enum(FINDING_STATUSES),
  /** One line. */
  summary: z.string(),
  /** The evidence, one fact per line. */
  details: z.array(z.string()),
  /** What to run or change, commands included; null when there is nothing to fix. */
  fix: z.string().nullable(),
  /** `docs/troubleshooting.md#<anchor>`. */
  doc: z.string(),
});
export type Finding = z.infer<typeof findingSchema>;

/** What a check's function returns; the registry adds the id, the category and the doc link. */
export interface Verdict {
  status: FindingStatus;
  summary: string;
  details?: string[];
  fix?: string;
}

/** A verdict with its evidence and fix. */
export function verdict(status: FindingStatus, summary: string, details: readonly string[] = [], fix?: string): Verdict {
  return fix === undefined ? { status, summary, details: [...details] } : { status, summary, details: [...details], fix };
}

/** One thing a check found wrong. */
export interface Problem {
  status: 'warn' | 'fail';
  summary: string;
  details?: readonly string[];
  fix?: string;
}

/**
 * The verdict of a check that looks for several problems: `ok` when there is
 * none, else the worst status, the first worst problem as the summary, every
 * problem in the details and every distinct fix.
 */
export function fromProblems(problems: readonly Problem[], ok: Verdict, evidence: readonly string[] = []): Verdict {
  if (problems.length === 0) return ok;
  const ordered = [...problems.filter((p) => p.status === 'fail'), ...problems.filter((p) => p.status === 'warn')];
  const first = ordered[0]!;
  const more = ordered.length > 1 ? ` (and ${ordered.length - 1} more problem${ordered.length > 2 ? 's' : ''})` : '';
  const details = ordered.length > 1 ? ordered.flatMap((p) => [p.summary, ...(p.details ?? []).map((d) => `  ${d}`)]) : [...(first.details ?? [])];
  const fixes = [...new Set(ordered.flatMap((p) => (p.fix ? [p.fix] : [])))];
  return verdict(first.status, first.summary + more, [...details, ...evidence], fixes.length > 0 ? fixes.join('\n') : undefined);
}
