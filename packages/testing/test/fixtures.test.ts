import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPodBearing, parseConfig } from '@dd-admission/core';
import { FixtureError, fixturesDir, jsonEqual, loadFixture, loadFixtures, parseYamlDocuments } from '@dd-admission/testing';

const fixtures = loadFixtures();
const byName = new Map(fixtures.map((f) => [f.name, f]));

describe('the fixture corpus', () => {
  it('has at least 14 cases, sorted, each with input and expected documents in the same number', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(14);
    expect(fixtures.map((f) => f.name)).toEqual([...fixtures.map((f) => f.name)].sort());
    for (const f of fixtures) {
      expect(f.inputDocs.length, f.name).toBeGreaterThan(0);
      expect(f.expectedDocs.length, f.name).toBe(f.inputDocs.length);
      expect(f.inputPath.startsWith(fixturesDir), f.name).toBe(true);
    }
  });

  it('covers the cases the brief lists', () => {
    for (const name of [
      'hostip-pod',
      'service-mode',
      'socket-mode-init-containers',
      'config-mode-label',
      'unknown-global-mode',
      'label-false',
      'unlabelled-not-selected',
      'tags-from-pod-labels',
      'tags-from-deployment',
      'cronjob-job-labels',
      'java-lib-version',
      'python-per-container',
      'dotnet-ld-preload',
      'lib-config-v1',
      'init-resources',
      'custom-registry',
      'ssi-replicaset-pod',
      'unknown-fields',
      'list-input',
    ]) {
      expect(byName.has(name), name).toBe(true);
    }
  });

  it('holds cases of releases after 7.49 (8+ of 7.78), each naming its source in the header of its input.yaml', () => {
    const later = fixtures.filter((f) => f.agentVersion !== '7.49');
    expect(later.filter((f) => f.agentVersion === '7.78').length).toBeGreaterThanOrEqual(8);
    for (const f of later) {
      const header = readFileSync(f.inputPath, 'utf8').split('\n').filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('#'))).join('\n');
      // The agent's test a case comes from (`Source:`), or the spec section it follows where none exists.
      expect(header, f.name).toMatch(/\bSources?:|spec\/|-7\.78\.md|docs\/behaviour\.md/);
    }
  });

  it('has configs the core accepts', () => {
    for (const f of fixtures) {
      const parsed = parseConfig([{ origin: 'config.yaml', values: f.config ?? {} }], { agentVersion: f.agentVersion });
      expect(parsed.ok, f.name).toBe(true);
    }
  });

  it('changes something in every case except the ones meant to be left alone', () => {
    const unchanged = fixtures.filter((f) => jsonEqual(f.inputDocs, f.expectedDocs)).map((f) => f.name);
    expect(unchanged.sort()).toEqual(['label-false', 'unknown-global-mode', 'unlabelled-not-selected']);
  });

  it('holds pod-bearing documents (or Lists of them)', () => {
    for (const f of fixtures) {
      const kinds = f.inputDocs.flatMap((d) => {
        const doc = d as { kind?: string; items?: { kind?: string }[] };
        return doc.kind === 'List' ? (doc.items ?? []).map((i) => i.kind) : [doc.kind];
      });
      expect(kinds.some(isPodBearing), f.name).toBe(true);
    }
  });

  it('reads context.yaml with defaults and expected-stderr.txt lines', () => {
    expect(byName.get('service-mode')!.context).toEqual({ namespace: 'payments', agentNamespace: 'datadog' });
    expect(byName.get('hostip-pod')!.context).toEqual({ namespace: 'default', agentNamespace: 'default' });
    expect(byName.get('unknown-global-mode')!.expectedStderr).toEqual(['invalid injection mode "HostIP"']);
    expect(byName.get('hostip-pod')!.configPath).toBeUndefined();
    expect(byName.get('hostip-pod')!.config).toBeUndefined();
    expect(byName.get('service-mode')!.configPath).toMatch(/service-mode.config\.yaml$/);
  });
});

describe('loadFixture', () => {
  const root = mkdtempSync(join(tmpdir(), 'dd-fixtures-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const make = (name: string, files: Record<string, string>) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  };

  it('names what is missing or malformed', () => {
    expect(() => loadFixture(make('no-input', { 'expected.yaml': 'a: 1' }))).toThrow(FixtureError);
    expect(() => loadFixture(make('no-expected', { 'input.yaml': 'a: 1' }))).toThrow(/missing expected.yaml/);
    expect(() => loadFixture(make('bad-yaml', { 'input.yaml': 'a: [', 'expected.yaml': 'a: 1' }))).toThrow(/bad-yaml: input.yaml/);
    expect(() => loadFixture(make('bad-context', { 'input.yaml': 'a: 1', 'expected.yaml': 'a: 1', 'context.yaml': 'nameSpace: x' }))).toThrow(/context.yaml/);
    expect(() => loadFixture(make('list-config', { 'input.yaml': 'a: 1', 'expected.yaml': 'a: 1', 'config.yaml': '- a' }))).toThrow(/config.yaml/);
  });

  it('skips empty YAML documents and reads YAML 1.1 as kubectl does', () => {
    expect(parseYamlDocuments('---\na: "1"\n---\n---\nb: yes\nc: "yes"\nd: 2024-01-01\ne: 1:20\n', 'x')).toEqual([{ a: '1' }, { b: true, c: 'yes', d: '2024-01-01', e: '1:20' }]);
  });
});
