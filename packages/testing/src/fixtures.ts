import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, type DocumentOptions, type ParseOptions, type SchemaOptions, type Tags } from 'yaml';
import { z } from 'zod';

// The golden corpus: one directory per case under packages/testing/fixtures/.
//   input.yaml           documents given to `dd-mutate` (Pods, workloads, Lists, anything else)
//   config.yaml          optional datadog.yaml-style configuration
//   context.yaml         optional {namespace, agentNamespace, agentVersion} (the CLI's -n /
//                        --agent-namespace / --agent-version; the release defaults to 7.49), and the
//                        clock and install facts library injection stamps on pods: now,
//                        installTime, installId (the CLI's SOURCE_DATE_EPOCH and
//                        DD_INSTRUMENTATION_INSTALL_TIME / _ID; fixed defaults below)
//   expected.yaml        what `dd-mutate input.yaml -o yaml` prints: every input document in
//                        order, Pods mutated, workloads with their pod template mutated,
//                        Lists with their items handled the same way, others unchanged
//   expected-stderr.txt  optional lines, each of which must appear in the CLI's stderr
// Expected outputs are written by hand from spec/*.md, not recorded from the core.

/** The fixture directory (works from src/ under vitest and from dist/ once built). */
export const fixturesDir: string = fileURLToPath(new URL('../fixtures/', import.meta.url));

const contextSchema = z
  .strictObject({
    namespace: z.string().min(1).optional(),
    agentNamespace: z.string().min(1).optional(),
    agentVersion: z.string().min(1).optional(),
    now: z.number().int().nonnegative().optional(),
    installTime: z.string().optional(),
    installId: z.string().optional(),
  })
  .nullish();

/** The clock and install facts every case runs with unless its context.yaml says otherwise. */
export const FIXTURE_NOW = 1767225600;
export const FIXTURE_INSTALL = { time: '1767000000', id: 'd1f3e5c7-install' } as const;

/** The release of the cases written before releases were emulated. */
const FIXTURE_DEFAULT_AGENT_VERSION = '7.49';

/** The request context a fixture runs with (defaults: namespace and agentNamespace `default`). */
export interface FixtureContext {
  namespace: string;
  agentNamespace: string;
}

/** The clock and install facts a fixture's library injection stamps on pods. */
export interface FixtureFacts {
  /** Unix seconds of the admission (DD_INJECT_START_TIME). */
  now: number;
  install: { time: string; id: string };
}

/** One golden case, loaded and parsed. */
export interface Fixture {
  name: string;
  dir: string;
  inputPath: string;
  configPath?: string;
  context: FixtureContext;
  /** The Cluster Agent release the case emulates (context.yaml `agentVersion`, default 7.49). */
  agentVersion: string;
  facts: FixtureFacts;
  inputDocs: unknown[];
  /** The parsed config.yaml values (datadog.yaml style), undefined without a config.yaml. */
  config: Record<string, unknown> | undefined;
  expectedDocs: unknown[];
  expectedStderr: string[];
}

/** Thrown when a fixture directory is incomplete or a file does not parse. */
export class FixtureError extends Error {
  constructor(
    readonly fixture: string,
    message: string,
  ) {
    super(`fixture ${fixture}: ${message}`);
    this.name = 'FixtureError';
  }
}

/**
 * kubectl reads manifests with a YAML 1.1 parser (go-yaml): `yes`/`on` are booleans,
 * `0644` is octal. Fixtures are read the same way, so a case means what it would mean
 * to kubectl; go-yaml keeps timestamp-like and `1:20`-like scalars as strings when
 * decoding into untyped JSON, hence those two 1.1 tags are dropped.
 */
export const KUBECTL_YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: (tags: Tags) => tags.filter((t) => typeof t === 'string' || (t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME')),
};

/** Parses multi-document YAML (as kubectl does) into plain values, skipping empty documents. */
export function parseYamlDocuments(text: string, what: string): unknown[] {
  return parseAllDocuments(text, KUBECTL_YAML_OPTIONS).flatMap((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${what}, document ${i + 1}: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

function readYaml(name: string, path: string): unknown[] {
  try {
    return parseYamlDocuments(readFileSync(path, 'utf8'), basename(path));
  } catch (e) {
    throw new FixtureError(name, (e as Error).message);
  }
}

function single(name: string, file: string, docs: unknown[]): unknown {
  if (docs.length > 1) throw new FixtureError(name, `${file} must hold one document`);
  return docs[0];
}

/** Loads one fixture directory. */
export function loadFixture(dir: string): Fixture {
  const name = basename(dir);
  const file = (f: string) => join(dir, f);
  const inputPath = file('input.yaml');
  if (!existsSync(inputPath)) throw new FixtureError(name, 'missing input.yaml');
  if (!existsSync(file('expected.yaml'))) throw new FixtureError(name, 'missing expected.yaml');

  const configPath = existsSync(file('config.yaml')) ? file('config.yaml') : undefined;
  const config = configPath ? single(name, 'config.yaml', readYaml(name, configPath)) : undefined;
  if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) {
    throw new FixtureError(name, 'config.yaml must be a map of configuration keys');
  }
  const rawContext = existsSync(file('context.yaml')) ? single(name, 'context.yaml', readYaml(name, file('context.yaml'))) : undefined;
  const parsedContext = contextSchema.safeParse(rawContext);
  if (!parsedContext.success) throw new FixtureError(name, `context.yaml: ${parsedContext.error.issues[0]!.message}`);
  const stderrPath = file('expected-stderr.txt');
  const expectedStderr = existsSync(stderrPath)
    ? readFileSync(stderrPath, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '')
    : [];

  return {
    name,
    dir,
    inputPath,
    ...(configPath ? { configPath } : {}),
    context: {
      namespace: parsedContext.data?.namespace ?? 'default',
      agentNamespace: parsedContext.data?.agentNamespace ?? 'default',
    },
    agentVersion: parsedContext.data?.agentVersion ?? FIXTURE_DEFAULT_AGENT_VERSION,
    facts: {
      now: parsedContext.data?.now ?? FIXTURE_NOW,
      install: { time: parsedContext.data?.installTime ?? FIXTURE_INSTALL.time, id: parsedContext.data?.installId ?? FIXTURE_INSTALL.id },
    },
    inputDocs: readYaml(name, inputPath),
    config: config as Record<string, unknown> | undefined,
    expectedDocs: readYaml(name, file('expected.yaml')),
    expectedStderr,
  };
}

/** Loads every fixture of the corpus, sorted by name. */
export function loadFixtures(dir: string = fixturesDir): Fixture[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => loadFixture(join(dir, name)));
}
