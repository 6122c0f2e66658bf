import { describe, expect, it } from 'vitest';
import { diffLines, hunkHeader, toHunks, type Edit } from '../src/line-diff.js';

const side = (edits: Edit[], keep: Edit['op']) => edits.filter((e) => e.op === 'equal' || e.op === keep).map((e) => e.line);
const changes = (edits: Edit[]) => edits.filter((e) => e.op !== 'equal').length;

// Length of the longest common subsequence, the ground truth for a minimal edit script.
function lcs(a: string[], b: string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const cur = [0];
    for (let j = 1; j <= b.length; j++) cur[j] = x === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    prev = cur;
  }
  return prev[b.length]!;
}

describe('diffLines', () => {
  it('finds the insertion in the middle', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'x', 'b', 'c'])).toEqual([
      { op: 'equal', line: 'a' },
      { op: 'insert', line: 'x' },
      { op: 'equal', line: 'b' },
      { op: 'equal', line: 'c' },
    ]);
  });

  it('handles empty sides and identical inputs', () => {
    expect(diffLines([], ['a'])).toEqual([{ op: 'insert', line: 'a' }]);
    expect(diffLines(['a'], [])).toEqual([{ op: 'delete', line: 'a' }]);
    expect(diffLines(['a', 'b'], ['a', 'b']).every((e) => e.op === 'equal')).toBe(true);
  });

  it('is a minimal script that rebuilds both sides (checked on pseudo-random inputs)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const a = Array.from({ length: rand(12) }, () => 'abcd'[rand(4)]!);
      const b = Array.from({ length: rand(12) }, () => 'abcd'[rand(4)]!);
      const edits = diffLines(a, b);
      expect(side(edits, 'delete')).toEqual(a);
      expect(side(edits, 'insert')).toEqual(b);
      expect(changes(edits)).toBe(a.length + b.length - 2 * lcs(a, b));
    }
  });
});

describe('toHunks', () => {
  const lines = (n: number, p = 'l') => Array.from({ length: n }, (_, i) => `${p}${i + 1}`);

  it('keeps three lines of context and numbers lines like diff -u', () => {
    const a = lines(10);
    const b = [...a.slice(0, 5), 'new', ...a.slice(5)];
    const [hunk, ...rest] = toHunks(diffLines(a, b));
    expect(rest).toEqual([]);
    expect(hunkHeader(hunk!)).toBe('@@ -3,6 +3,7 @@');
    expect(hunk!.edits.map((e) => e.line)).toEqual(['l3', 'l4', 'l5', 'new', 'l6', 'l7', 'l8']);
  });

  it('splits distant changes and merges close ones', () => {
    const a = lines(30);
    const far = [...a];
    far[2] = 'x';
    far[25] = 'y';
    expect(toHunks(diffLines(a, far)).map(hunkHeader)).toEqual(['@@ -1,6 +1,6 @@', '@@ -23,7 +23,7 @@']);
    const near = [...a];
    near[2] = 'x';
    near[8] = 'y';
    expect(toHunks(diffLines(a, near)).map(hunkHeader)).toEqual(['@@ -1,12 +1,12 @@']);
  });

  it('names the line before an empty range', () => {
    expect(toHunks(diffLines([], ['a', 'b'])).map(hunkHeader)).toEqual(['@@ -0,0 +1,2 @@']);
    expect(toHunks(diffLines(['a'], [])).map(hunkHeader)).toEqual(['@@ -1,1 +0,0 @@']);
  });
});
