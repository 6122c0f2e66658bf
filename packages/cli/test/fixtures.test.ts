import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { DEFAULT_AGENT_VERSION } from '@dd-admission/core';
import { loadFixture } from '@dd-admission/testing';
import { YAML_OPTIONS } from '../src/yaml-style.js';
import { assertBuilt, spawnCli } from './helpers.js';

// The shared golden corpus (packages/testing/fixtures/<case>/), run through the real CLI:
//   input.yaml, optional config.yaml (--config), optional context.yaml ({namespace, agentNamespace,
//   agentVersion}: -n / --agent-namespace / --agent-version, default 7.49), expected.yaml (what `-o yaml` prints, compared structurally) and
//   optional expected-stderr.txt (lines that must each appear in stderr).
//   The clock and install facts of context.yaml reach the CLI as SOURCE_DATE_EPOCH and
//   DD_INSTRUMENTATION_INSTALL_*.

const FIXTURES = fileURLToPath(new URL('../../testing/fixtures/', import.meta.url));
const cases = existsSync(FIXTURES)
  ? readdirSync(FIXTURES, { withFileTypes: true })
      .filter((d) => d.isDirectory() && loadFixture(join(FIXTURES, d.name)).agentVersion === DEFAULT_AGENT_VERSION)
      .map((d) => d.name)
      .sort()
  : [];

/** Documents of a YAML stream as plain values, read as kubectl reads them. */
function documents(text: string, what: string): unknown[] {
  return parseAllDocuments(text, YAML_OPTIONS).flatMap((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${what}, document ${i + 1}: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

function argsFor(dir: string): string[] {
  const args = ['input.yaml', '-o', 'yaml'];
  if (existsSync(join(dir, 'config.yaml'))) args.push('--config', 'config.yaml');
  const context = existsSync(join(dir, 'context.yaml'))
    ? (parse(readFileSync(join(dir, 'context.yaml'), 'utf8')) as { namespace?: string; agentNamespace?: string; agentVersion?: string } | null)
    : null;
  if (context?.namespace) args.push('-n', context.namespace);
  if (context?.agentNamespace) args.push('--agent-namespace', context.agentNamespace);
  // The corpus' cases emulate 7.49 unless they name a release.
  args.push('--agent-version', context?.agentVersion ?? '7.49');
  return args;
}

describe('shared fixture corpus', () => {
  beforeAll(() => assertBuilt());

  it('exists and holds cases (a corpus that is not there must not pass silently)', () => {
    expect(existsSync(FIXTURES), `no fixture directory at packages/testing/fixtures/`).toBe(true);
    expect(cases.length, 'packages/testing/fixtures/ has no case directories').toBeGreaterThan(0);
  });

  // One test per case, so a failure names the case.
  for (const name of cases) {
    it(name, async () => {
      const dir = join(FIXTURES, name);
      const args = argsFor(dir);
      const { facts } = loadFixture(dir);
      const env = { SOURCE_DATE_EPOCH: String(facts.now), DD_INSTRUMENTATION_INSTALL_TIME: facts.install.time, DD_INSTRUMENTATION_INSTALL_ID: facts.install.id };
      const r = await spawnCli(args, { cwd: dir, env });
      const context = `dd-mutate ${args.join(' ')} in fixture ${name}\nstderr:\n${r.stderr}`;
      expect(r.status, context).toBe(0);
      expect(documents(r.stdout, 'stdout'), context).toEqual(documents(readFileSync(join(dir, 'expected.yaml'), 'utf8'), 'expected.yaml'));
      const stderrFile = join(dir, 'expected-stderr.txt');
      if (!existsSync(stderrFile)) return;
      const lines = readFileSync(stderrFile, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
      for (const line of lines) expect(r.stderr, `expected-stderr.txt line not in stderr: ${line}`).toContain(line);
    });
  }
});
