import { diffLines, hunkHeader, toHunks, type Edit } from './line-diff.js';
import { paint, type Style } from './style.js';

/** One object's YAML before and after admission, with the name its header shows. */
export interface DiffInput {
  label: string;
  before: string;
  after: string;
}

const PREFIX: Record<Edit['op'], string> = { equal: ' ', delete: '-', insert: '+' };

/** A unified diff of one object, headed `--- Kind ns/name`; empty when nothing changed. */
export function renderDiff(input: DiffInput, style: Style, context = 3): string {
  if (input.before === input.after) return '';
  const hunks = toHunks(diffLines(splitLines(input.before), splitLines(input.after)), context);
  const out = [paint(style, 'bold', `--- ${input.label}`), paint(style, 'bold', `+++ ${input.label} (after admission)`)];
  for (const hunk of hunks) {
    out.push(paint(style, 'cyan', hunkHeader(hunk)));
    for (const edit of hunk.edits) out.push(colourLine(style, edit.op, PREFIX[edit.op] + edit.line));
  }
  return out.join('\n') + '\n';
}

function colourLine(style: Style, op: Edit['op'], line: string): string {
  if (op === 'delete') return paint(style, 'red', line);
  if (op === 'insert') return paint(style, 'green', line);
  return line;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
