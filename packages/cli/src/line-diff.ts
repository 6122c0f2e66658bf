/** One line of an edit script. */
export interface Edit {
  op: 'equal' | 'delete' | 'insert';
  line: string;
}

/** A unified-diff hunk: 1-based starts as `diff -u` prints them, and its lines. */
export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  edits: Edit[];
}

/** A shortest edit script turning `a` into `b` (Myers' O(ND) algorithm), deletions before insertions. */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  // A mutation touches few lines: strip the common ends so Myers only sees the middle.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const equal = (lines: readonly string[]) => lines.map((line): Edit => ({ op: 'equal', line }));
  const middle = myers(a.slice(start, endA), b.slice(start, endB));
  return [...equal(a.slice(0, start)), ...middle, ...equal(a.slice(endA))];
}

function myers(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((line) => ({ op: 'insert', line }));
  if (m === 0) return a.map((line) => ({ op: 'delete', line }));
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
      let x = down ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, offset);
    }
  }
  throw new Error('unreachable: Myers diff found no path');
}

/** Walks the saved frontiers back from (n, m) to (0, 0), collecting the edits in reverse. */
function backtrack(trace: readonly Int32Array[], a: readonly string[], b: readonly string[], offset: number): Edit[] {
  const edits: Edit[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d]!;
    const k = x - y;
    const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = v[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      edits.push({ op: 'equal', line: a[--x]! });
      y--;
    }
    if (d === 0) break;
    if (down) edits.push({ op: 'insert', line: b[--y]! });
    else edits.push({ op: 'delete', line: a[--x]! });
  }
  return edits.reverse();
}

/** Groups an edit script into hunks with `context` unchanged lines around each change. */
export function toHunks(edits: readonly Edit[], context = 3): Hunk[] {
  const hunks: Hunk[] = [];
  const changed = edits.flatMap((e, i) => (e.op === 'equal' ? [] : [i]));
  let i = 0;
  while (i < changed.length) {
    let last = changed[i]!;
    let j = i + 1;
    // Changes closer than twice the context share one hunk, as in diff -u.
    while (j < changed.length && changed[j]! - last <= 2 * context) last = changed[j++]!;
    hunks.push(hunkOf(edits, Math.max(0, changed[i]! - context), Math.min(edits.length, last + context + 1)));
    i = j;
  }
  return hunks;
}

function hunkOf(edits: readonly Edit[], from: number, to: number): Hunk {
  let oldLine = 1;
  let newLine = 1;
  for (let i = 0; i < from; i++) {
    if (edits[i]!.op !== 'insert') oldLine++;
    if (edits[i]!.op !== 'delete') newLine++;
  }
  const slice = edits.slice(from, to);
  const oldLines = slice.filter((e) => e.op !== 'insert').length;
  const newLines = slice.filter((e) => e.op !== 'delete').length;
  // diff -u names the line before an empty range.
  return { oldStart: oldLines === 0 ? oldLine - 1 : oldLine, oldLines, newStart: newLines === 0 ? newLine - 1 : newLine, newLines, edits: slice };
}

/** `@@ -l,s +l,s @@`. */
export function hunkHeader(h: Hunk): string {
  return `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`;
}
