import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed executables, as a user (or kubectl) runs them. */
export const BIN = fileURLToPath(new URL('../../../node_modules/.bin/dd-mutate', import.meta.url));
export const KUBECTL_PLUGIN = fileURLToPath(new URL('../../../node_modules/.bin/kubectl-dd_mutate', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/dd-mutate.js', import.meta.url));
const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Throws a clear message when the CLI was not built, or was built before its sources last changed. */
export function assertBuilt(): void {
  const rebuild = 'run `npx --yes pnpm@10.34.8 --filter @dd-admission/core --filter @dd-admission/cli run build` at the repository root';
  if (!existsSync(DIST)) throw new Error(`packages/cli/dist/dd-mutate.js is missing: ${rebuild} (the root postinstall normally does it)`);
  if (!existsSync(BIN)) throw new Error(`node_modules/.bin/dd-mutate is missing: run pnpm install at the repository root`);
  const built = statSync(DIST).mtimeMs;
  const stale = readdirSync(SRC).filter((f) => statSync(join(SRC, f)).mtimeMs > built);
  if (stale.length > 0) throw new Error(`packages/cli/dist is older than src/${stale[0]}: ${rebuild}`);
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns an executable with `args` in `cwd`, feeding `input` on stdin. */
export function spawnCli(args: readonly string[], options: { cwd: string; input?: string; env?: Record<string, string>; bin?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // No colour, and none of the caller's DD_* variables unless a test adds them.
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...options.env };
    const child = spawn(options.bin ?? BIN, args, { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh temporary directory holding `files`. */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'dd-mutate-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
