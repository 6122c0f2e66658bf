import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderDiff } from '../src/render-diff.js';

const PLAIN = { color: false, unicode: false };
const text = (lines: readonly string[]) => lines.map((l) => `${l}\n`).join('');
const lines = (n: number, p = 'l') => Array.from({ length: n }, (_, i) => `${p}${i + 1}`);
/** The diff of two line lists, without its two header lines. */
const diff = (a: readonly string[], b: readonly string[], context = 3) => renderDiff({ label: 'Pod p', before: text(a), after: text(b) }, PLAIN, context).split('\n').slice(2, -1);
const headers = (a: readonly string[], b: readonly string[]) => diff(a, b).filter((l) => l.startsWith('@@'));

// Length of the longest common subsequence, the ground truth for a minimal edit script.
function lcs(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const cur = [0];
    for (let j = 1; j <= b.length; j++) cur[j] = x === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    prev = cur;
  }
  return prev[b.length]!;
}

describe('renderDiff', () => {
  it('heads the diff with the object, and prints nothing when nothing changed', () => {
    expect(renderDiff({ label: 'Pod shop/p', before: 'a: 1\n', after: 'a: 2\n' }, PLAIN)).toBe('--- Pod shop/p\n+++ Pod shop/p (after admission)\n@@ -1,1 +1,1 @@\n-a: 1\n+a: 2\n');
    expect(renderDiff({ label: 'Pod shop/p', before: 'a: 1\n', after: 'a: 1\n' }, PLAIN)).toBe('');
  });

  it('keeps three lines of context and numbers lines like diff -u', () => {
    const a = lines(10);
    expect(diff(a, [...a.slice(0, 5), 'new', ...a.slice(5)])).toEqual(['@@ -3,6 +3,7 @@', ' l3', ' l4', ' l5', '+new', ' l6', ' l7', ' l8']);
  });

  it('splits distant changes and merges close ones', () => {
    const a = lines(30);
    const far = [...a];
    far[2] = 'x';
    far[25] = 'y';
    expect(headers(a, far)).toEqual(['@@ -1,6 +1,6 @@', '@@ -23,7 +23,7 @@']);
    const near = [...a];
    near[2] = 'x';
    near[8] = 'y';
    expect(headers(a, near)).toEqual(['@@ -1,12 +1,12 @@']);
  });

  it('names the line before an empty range, and shows deletions before insertions', () => {
    expect(headers([], ['a', 'b'])).toEqual(['@@ -0,0 +1,2 @@']);
    expect(headers(['a'], [])).toEqual(['@@ -1,1 +0,0 @@']);
    expect(diff(lines(10), [...lines(5), 'new', ...lines(10).slice(5)], 0)).toEqual(['@@ -5,0 +6,1 @@', '+new']);
    expect(diff(['a', 'b', 'c'], ['a', 'x', 'c'])).toEqual(['@@ -1,3 +1,3 @@', ' a', '-b', '+x', ' c']);
  });

  it('colours removed lines red, added lines green, hunk headers cyan, the header bold', () => {
    const out = renderDiff({ label: 'Pod p', before: 'a\nb\n', after: 'a\nc\n' }, { color: true, unicode: true });
    expect(out).toBe('\x1b[1m--- Pod p\x1b[0m\n\x1b[1m+++ Pod p (after admission)\x1b[0m\n\x1b[36m@@ -1,2 +1,2 @@\x1b[0m\n a\n\x1b[31m-b\x1b[0m\n\x1b[32m+c\x1b[0m\n');
  });

  it('is a minimal script that rebuilds both sides', () => {
    const side = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 12 });
    fc.assert(
      fc.property(side, side, (a, b) => {
        if (a.join() === b.join()) return;
        // One hunk holding every line: a context wider than both sides.
        const body = diff(a, b, 30).slice(1);
        expect(body.filter((l) => !l.startsWith('+')).map((l) => l.slice(1))).toEqual(a);
        expect(body.filter((l) => !l.startsWith('-')).map((l) => l.slice(1))).toEqual(b);
        expect(body.filter((l) => !l.startsWith(' ')).length).toBe(a.length + b.length - 2 * lcs(a, b));
      }),
    );
  });
});
