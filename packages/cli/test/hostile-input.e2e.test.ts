import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, spawnCli, tempDir } from './helpers.js';

// Files built to exhaust a YAML loader, through the real executable: each is refused with one
// line naming the file and the reason, exit 1, whichever option reads it.

const HOSTILE = fileURLToPath(new URL('hostile/', import.meta.url));
const REASONS: Record<string, RegExp> = {
  'billion-laughs.yaml': /refused: its aliases expand to too much data/,
  'deep-flow.yaml': /refused: nested more than 128 levels deep/,
  'deep-block.yaml': /refused: nested more than 128 levels deep/,
  'alias-cycle.yaml': /refused: an alias refers to a node that contains it/,
};
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: a}]}\n';

/** The ways a file reaches the loader: the manifest, stdin, and every option that reads YAML. */
const READERS: { name: string; args: (file: string) => string[]; stdin?: boolean }[] = [
  { name: 'the manifest', args: (file) => [file] },
  { name: 'stdin', args: () => ['-'], stdin: true },
  { name: '--config', args: (file) => ['pod.yaml', '--config', file] },
  { name: '--helm-values', args: (file) => ['pod.yaml', '--helm-values', file] },
  { name: '--datadog-agent', args: (file) => ['config', '--datadog-agent', file] },
];

let dir: string;
beforeAll(() => {
  assertBuilt();
  dir = tempDir({ 'pod.yaml': POD });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Asserts one clear error line for `file` matching `reason`, exit 1, nothing on stdout. */
function expectRefusal(r: { status: number | null; stdout: string; stderr: string }, file: string, reason: RegExp): void {
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr.split('\n').filter(Boolean), r.stderr).toHaveLength(1);
  expect(r.stderr.startsWith(`dd-mutate: error: ${file}`), r.stderr).toBe(true);
  expect(r.stderr).toMatch(reason);
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
}

describe('hostile YAML is refused with a one-line error', () => {
  for (const [name, reason] of Object.entries(REASONS)) {
    for (const reader of READERS) {
      it(`${name} as ${reader.name}`, async () => {
        const path = join(HOSTILE, name);
        const r = await spawnCli(reader.args(path), { cwd: dir, ...(reader.stdin ? { input: readFileSync(path, 'utf8') } : {}) });
        expectRefusal(r, reader.stdin ? '<stdin>' : path, reason);
      });
    }
  }

  it('an input over 16 MiB, from a file or stdin, is refused before it is parsed', async () => {
    const big = `${POD}# ${'x'.repeat(16 * 1024 * 1024)}\n`;
    writeFileSync(join(dir, 'big.yaml'), big);
    const tooLarge = /refused: larger than 16 MiB, the most dd-mutate reads/;
    expectRefusal(await spawnCli(['big.yaml'], { cwd: dir }), 'big.yaml', tooLarge);
    expectRefusal(await spawnCli(['-'], { cwd: dir, input: big }), '<stdin>', tooLarge);
  });
});
