import { structuredPatch, type StructuredPatchHunk } from 'diff';
import { paint, type Style } from './style.js';

/** One object's YAML before and after admission, with the name its header shows. */
export interface DiffInput {
  label: string;
  before: string;
  after: string;
}

/** A unified diff of one object, headed `--- Kind ns/name`; empty when nothing changed. */
export function renderDiff(input: DiffInput, style: Style, context = 3): string {
  if (input.before === input.after) return '';
  const { hunks } = structuredPatch('', '', withNewline(input.before), withNewline(input.after), '', '', { context });
  const out = [paint(style, 'bold', `--- ${input.label}`), paint(style, 'bold', `+++ ${input.label} (after admission)`)];
  for (const hunk of hunks) {
    out.push(paint(style, 'cyan', hunkHeader(hunk)));
    for (const line of hunk.lines) out.push(colourLine(style, line));
  }
  return out.join('\n') + '\n';
}

/** `@@ -l,s +l,s @@`, 1-based; an empty range names the line before it, as `diff -u` prints it. */
export function hunkHeader(hunk: Pick<StructuredPatchHunk, 'oldStart' | 'oldLines' | 'newStart' | 'newLines'>): string {
  const start = (first: number, lines: number) => (lines === 0 ? first - 1 : first);
  return `@@ -${start(hunk.oldStart, hunk.oldLines)},${hunk.oldLines} +${start(hunk.newStart, hunk.newLines)},${hunk.newLines} @@`;
}

function colourLine(style: Style, line: string): string {
  if (line.startsWith('-')) return paint(style, 'red', line);
  if (line.startsWith('+')) return paint(style, 'green', line);
  return line;
}

// Both sides end with a newline, so no `\ No newline at end of file` marker is ever shown.
function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}
