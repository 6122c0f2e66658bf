// The core as a stranger gets it: `pnpm pack`, `npm install` of the tarball into
// an empty project, then the README's example run as ESM and type-checked as
// TypeScript (nodenext), so neither the package nor its README can rot.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CORE = fileURLToPath(new URL('../', import.meta.url));
const TSC = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));
const README = readFileSync(join(CORE, 'README.md'), 'utf8');
const SETUP_TIMEOUT = 180_000;

/** The README's example: the first js block under "## Example". */
const example = /## Example\n[\s\S]*?```js\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
/** The output lines the README promises, quoted in its "It prints" paragraph. */
const promised = [...(README.split('\n\n').find((p) => p.startsWith('It prints')) ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** A .ts file that uses the package's types, so a declaration that degrades to `any` fails the check. */
const TYPED_USE = `import { mutate, parseConfigOrThrow, type AdmissionConfig, type MutationResult, type Operation, type Pod } from '@dd-admission/core';

const config: AdmissionConfig = parseConfigOrThrow({ origin: 'test', values: {} });
const pod: Pod = { spec: { containers: [{ name: 'app' }] } };
const result: MutationResult = mutate(pod, { namespace: 'shop' }, config);
export const ops: Operation[] = result.patch;
// @ts-expect-error a container needs a name
export const nameless: Pod = { spec: { containers: [{ image: 'x' }] } };
`;

const TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    lib: ['es2022', 'dom'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
  files: ['example.ts', 'typed-use.ts'],
};

/** Fails with the command to run when dist/ is missing or older than a source file: the tarball packs dist/ as it is. */
function assertBuilt(): void {
  const rebuild = 'run `npx --yes pnpm@10.34.8 --filter @dd-admission/core run build` at the repository root';
  const dist = join(CORE, 'dist/index.js');
  if (!existsSync(dist)) throw new Error(`packages/core/dist/index.js is missing: ${rebuild}`);
  const built = statSync(dist).mtimeMs;
  const stale = readdirSync(join(CORE, 'src'), { recursive: true, encoding: 'utf8' }).find((f) => statSync(join(CORE, 'src', f)).mtimeMs > built);
  if (stale) throw new Error(`packages/core/dist is older than src/${stale}: ${rebuild}`);
}

/** Runs a command; on failure, the error carries its output. */
async function sh(file: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd, maxBuffer: 16 << 20 });
    return stdout;
  } catch (e) {
    const { stdout, stderr, message } = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${message}\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

let work = '';
let project = '';

beforeAll(async () => {
  assertBuilt();
  work = mkdtempSync(join(tmpdir(), 'dd-core-package-'));
  const packDir = join(work, 'pack');
  project = join(work, 'project');
  mkdirSync(project);
  await sh('npx', ['--yes', 'pnpm@10.34.8', 'pack', '--pack-destination', packDir], CORE);
  const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack left no tarball in ${packDir}`);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'stranger', private: true, type: 'module' }));
  // Dependencies come from npm's cache when it has them, else from the registry.
  await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(packDir, tarball)], project);
}, SETUP_TIMEOUT);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed @dd-admission/core', () => {
  const installed = () => join(project, 'node_modules/@dd-admission/core');
  const manifest = () => JSON.parse(readFileSync(join(installed(), 'package.json'), 'utf8')) as Record<string, unknown>;

  it('holds the build, the README, the licence and the manifest, and nothing else', () => {
    const files = readdirSync(installed(), { recursive: true, encoding: 'utf8' }).sort();
    expect(files).toEqual(['LICENSE', 'README.md', 'dist', 'dist/index.d.ts', 'dist/index.js', 'dist/index.js.map', 'package.json']);
  });

  it('has a manifest a registry and a resolver can use, with no workspace: version', () => {
    const m = manifest();
    expect(JSON.stringify(m)).not.toContain('workspace:');
    expect(m).toMatchObject({
      name: '@dd-admission/core',
      type: 'module',
      license: 'Apache-2.0',
      types: './dist/index.d.ts',
      exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
      engines: { node: '>=20.19' },
    });
    expect(m.keywords).toEqual(expect.arrayContaining(['kubernetes', 'admission-controller']));
    expect(Object.keys(m.dependencies as object).sort()).toEqual(['fast-json-patch', 'zod']);
  });

  it("runs the README's example as ESM and prints what the README says", async () => {
    expect(example).toContain("from '@dd-admission/core'");
    expect(promised.length).toBeGreaterThan(1);
    writeFileSync(join(project, 'example.mjs'), example);
    const out = await sh(process.execPath, ['example.mjs'], project);
    for (const line of promised) expect(out).toContain(line);
  });

  it("type-checks the README's example and a typed use under nodenext, strict, as a stranger's project would", async () => {
    writeFileSync(join(project, 'example.ts'), example);
    writeFileSync(join(project, 'typed-use.ts'), TYPED_USE);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    await expect(sh(process.execPath, [TSC, '-p', 'tsconfig.json'], project)).resolves.toBe('');
  });
});
