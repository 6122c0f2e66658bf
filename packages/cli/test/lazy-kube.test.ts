// The offline preview starts fast because it never loads what only the cluster commands need:
// @kubernetes/client-node, and node:http / node:https (imported by @dd-admission/kube on connect).
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { assertBuilt, tempDir } from './helpers.js';

const DIST = fileURLToPath(new URL('../dist/dd-mutate.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../docs/examples/deployment.yaml', import.meta.url));

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('previews a manifest with the bundle alone (no node_modules), loading neither the Kubernetes client nor node:http(s)', () => {
  assertBuilt();
  // Alone in a directory, the bundle cannot resolve @kubernetes/client-node: a static import of it would fail to start.
  const bundle = join(dir, 'dd-mutate.mjs');
  copyFileSync(DIST, bundle);
  const probe = join(dir, 'probe.mjs');
  const report = join(dir, 'loaded.json');
  writeFileSync(probe, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(report)}, JSON.stringify(process.moduleLoadList)));\n`);

  const run = spawnSync(process.execPath, ['--import', probe, bundle, EXAMPLE, '-o', 'yaml'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toContain('DD_AGENT_HOST');
  const loaded = JSON.parse(readFileSync(report, 'utf8')) as string[];
  expect(loaded).toContain('NativeModule fs');
  expect(loaded.filter((m) => /^NativeModule (http|https|tls)$/.test(m))).toEqual([]);
});

it("carries zod's English messages and none of its other locales (about 370 KB of source parsed at each start)", () => {
  assertBuilt();
  const bundle = readFileSync(DIST, 'utf8');
  expect(bundle).toContain('Invalid input: expected');
  // French and German wordings of the same message, as zod's fr and de locales write it.
  expect(bundle).not.toContain('attendu');
  expect(bundle).not.toContain('erwartet');
});
