import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from '../src/io.js';

/** The installed executables, as a user (or kubectl) runs them. */
export const BIN = fileURLToPath(new URL('../../../node_modules/.bin/dd-mutate', import.meta.url));
export const KUBECTL_PLUGIN = fileURLToPath(new URL('../../../node_modules/.bin/kubectl-dd_mutate', import.meta.url));
export const KUBECTL_COMPLETE = fileURLToPath(new URL('../../../node_modules/.bin/kubectl_complete-dd_mutate', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/dd-mutate.js', import.meta.url));
const CLI = fileURLToPath(new URL('..', import.meta.url));

/** Throws a clear message when the CLI was not built, or was built before a source it bundles last changed. */
export function assertBuilt(): void {
  const rebuild = 'run `npx --yes pnpm@10.34.8 --filter "@dd-admission/cli..." run build` at the repository root';
  if (!existsSync(DIST)) throw new Error(`packages/cli/dist/dd-mutate.js is missing: ${rebuild} (the root postinstall normally does it)`);
  if (!existsSync(BIN)) throw new Error(`node_modules/.bin/dd-mutate is missing: run pnpm install at the repository root`);
  const built = statSync(DIST).mtimeMs;
  for (const pkg of bundledPackages(CLI)) {
    const stale = newerFile(join(pkg, 'src'), built);
    if (stale) throw new Error(`packages/cli/dist is older than ${relative(join(CLI, '..', '..'), stale)}: ${rebuild}`);
  }
}

/** The CLI and every workspace package its bundle inlines: its workspace dependencies, and theirs. */
export function bundledPackages(dir: string, seen = new Set<string>()): Set<string> {
  const real = realpathSync(dir);
  if (seen.has(real)) return seen;
  seen.add(real);
  const manifest = JSON.parse(readFileSync(join(real, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
    if (version.startsWith('workspace:')) bundledPackages(join(real, 'node_modules', name), seen);
  }
  return seen;
}

/** The first file under `dir` changed after `time`, if any. */
function newerFile(dir: string, time: number): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && statSync(path).mtimeMs > time) return path;
  }
  return undefined;
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
    // A CLI that refuses its input stops reading it: the rest of the write fails with EPIPE, which is expected.
    child.stdin.on('error', () => {});
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

/** An in-process Io over `files` (and `stdin`), and what was written to stdout and stderr. */
export function fakeIo(files: Record<string, string>, options: { stdin?: string; tty?: boolean; env?: Record<string, string> } = {}) {
  const out = { stdout: '', stderr: '' };
  const io: Io = {
    stdin: (async function* () {
      if (options.stdin) yield options.stdin;
    })(),
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
    readFile: async (path) => {
      if (path in files) return files[path]!;
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    },
    isTTY: { stdout: options.tty ?? false, stderr: options.tty ?? false },
    env: options.env ?? {},
  };
  return { io, out };
}
