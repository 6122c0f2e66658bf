import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadYaml, MAX_DEPTH, type LoadedDocument } from '../src/load-yaml.js';

const hostile = (name: string) => readFileSync(new URL(`hostile/${name}`, import.meta.url), 'utf8');
const problem = (doc: LoadedDocument | undefined) => (doc && 'problem' in doc ? doc.problem : undefined);
const value = (doc: LoadedDocument | undefined) => (doc && 'value' in doc ? doc.value : 'refused');
/** `depth` nested one-key maps around a scalar, as flow YAML. */
const nested = (depth: number) => '{a: '.repeat(depth) + '1' + '}'.repeat(depth);

describe('loadYaml refuses what would exhaust memory or the stack', () => {
  it('a "billion laughs" file: aliases that multiply', () => {
    expect(problem(loadYaml(hostile('billion-laughs.yaml'))[0])?.message).toMatch(/^refused: its aliases expand to too much data \(more than 1000 alias uses/);
  });

  it('nesting too deep for the parser, with the line and column where it gave up', () => {
    expect(problem(loadYaml(hostile('deep-flow.yaml'))[0])).toMatchObject({ message: `refused: nested more than ${MAX_DEPTH} levels deep (Kubernetes objects are far shallower)`, line: 2 });
  });

  it(`nesting the parser can read but deeper than ${MAX_DEPTH} levels`, () => {
    expect(problem(loadYaml(hostile('deep-block.yaml'))[0])?.message).toBe(`refused: nested more than ${MAX_DEPTH} levels deep (Kubernetes objects are far shallower)`);
    expect(value(loadYaml(nested(MAX_DEPTH))[0])).not.toBe('refused');
    expect(problem(loadYaml(nested(MAX_DEPTH + 1))[0])?.message).toContain('nested more than');
  });

  it('an alias inside its own anchor (a cyclic value)', () => {
    expect(problem(loadYaml(hostile('alias-cycle.yaml'))[0])?.message).toBe('refused: an alias refers to a node that contains it (a cycle, which no Kubernetes object can be)');
  });

  it('keeps refusals per document, and shared (acyclic) aliases are fine', () => {
    const docs = loadYaml(`a: &x {b: 1}\nc: *x\n---\n${hostile('alias-cycle.yaml')}`);
    expect(value(docs[0])).toEqual({ a: { b: 1 }, c: { b: 1 } });
    expect(problem(docs[1])?.message).toContain('a cycle');
  });

  it('reads any JSON value of fewer levels unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 20 }), (json) => {
        const [doc] = loadYaml(JSON.stringify(json));
        // -0 has no JSON spelling, so it comes back as 0.
        expect(value(doc)).toEqual(JSON.parse(JSON.stringify(json)));
      }),
    );
  });
});
