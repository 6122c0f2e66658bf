// The core's folders name the architecture only while they depend on each other
// one way. This reads every source file's imports and keeps that true.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
/** The only packages the core may import: its declared runtime dependencies. */
const ALLOWED_PACKAGES = new Set(['zod', 'fast-json-patch']);
const BUILTINS = new Set(builtinModules);

type Graph = ReadonlyMap<string, ReadonlySet<string>>;

/** Source files under src/, as posix paths relative to it. */
function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .map((p) => p.split('\\').join('/'))
    .filter((p) => p.endsWith('.ts'))
    .sort();
}

/** Every module specifier a file imports or re-exports, including type-only and dynamic imports. */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(SRC + file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

/** The top folder of a path relative to src/ ('' for a file at the root). */
function folderOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}

/** The folder graph: an edge for each import from one folder into another. */
function folderGraph(files: readonly string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = folderOf(file);
    if (from === '') continue; // index.ts re-exports every folder by design
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const spec of importsOf(file).filter((s) => s.startsWith('.'))) {
      const to = folderOf(posix.normalize(posix.join(posix.dirname(file), spec)));
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** One cycle of the graph as a path that returns to its start, or undefined when it has none. */
function findCycle(graph: Graph): string[] | undefined {
  const done = new Set<string>();
  const visit = (node: string, path: string[]): string[] | undefined => {
    const seen = path.indexOf(node);
    if (seen >= 0) return [...path.slice(seen), node];
    if (done.has(node)) return undefined;
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next, [...path, node]);
      if (cycle) return cycle;
    }
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return undefined;
}

const files = sourceFiles();

describe('core layering', () => {
  it('finds cycles, and only cycles', () => {
    const graph = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));
    expect(findCycle(graph({ a: ['b'], b: ['c'], c: [] }))).toBeUndefined();
    expect(findCycle(graph({ a: ['b', 'c'], b: ['c'], c: [] }))).toBeUndefined();
    expect(findCycle(graph({ a: ['b'], b: ['c'], c: ['a'] }))).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(graph({ x: ['a'], a: ['b'], b: ['a'] }))).toEqual(['a', 'b', 'a']);
  });

  it('keeps every module in a folder; index.ts alone sits at the root and only re-exports', () => {
    expect(files.filter((f) => folderOf(f) === '')).toEqual(['index.ts']);
    const statements = ts.createSourceFile('index.ts', readFileSync(SRC + 'index.ts', 'utf8'), ts.ScriptTarget.Latest, true).statements;
    const notReExports = statements.filter((s) => !(ts.isExportDeclaration(s) && s.moduleSpecifier));
    expect(notReExports.map((s) => s.getText())).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    const graph = folderGraph(files);
    expect(graph.size).toBeGreaterThan(1);
    expect(findCycle(graph)?.join(' -> '), 'folders that import each other in a circle').toBeUndefined();
  });

  it('imports nothing from node:, the adapters, or packages it does not declare', () => {
    const outside = files.flatMap((file) =>
      importsOf(file)
        .filter((spec) => !spec.startsWith('.'))
        .filter((spec) => spec.startsWith('node:') || BUILTINS.has(spec) || !ALLOWED_PACKAGES.has(spec))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(outside).toEqual([]);
  });
});
