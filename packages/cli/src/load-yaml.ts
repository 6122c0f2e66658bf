import { parseAllDocuments, type Document, type YAMLError } from 'yaml';
import type { Problem } from './errors.js';
import { TO_JS_OPTIONS, YAML_OPTIONS } from './yaml-style.js';

/** Nesting deeper than this is refused: Kubernetes objects stay far below it, and the parser, the core and the printers recurse. */
export const MAX_DEPTH = 128;

/** What stops a document from being used, without its location (the caller knows the file and document). */
export type DocumentProblem = Omit<Problem, 'location'>;

/** One document of a YAML stream: its tree (kept for comments and key order) and its plain value, or why it is refused. */
export type LoadedDocument = { yaml: Document; value: unknown } | { problem: DocumentProblem };

/**
 * Parses a YAML (or JSON) stream as kubectl reads it. Besides syntax errors, it
 * refuses what would exhaust memory or the stack: aliases that multiply ("billion
 * laughs"), nesting deeper than MAX_DEPTH, and an alias inside its own anchor.
 */
export function loadYaml(text: string): LoadedDocument[] {
  return parseAllDocuments(text, YAML_OPTIONS).map(loadDocument);
}

function loadDocument(doc: Document): LoadedDocument {
  const error = doc.errors[0];
  // The parser turns its own stack overflow on deep nesting into this error.
  if (error?.code === 'RESOURCE_EXHAUSTION') return { problem: { ...position(error), message: TOO_DEEP } };
  if (error) return { problem: syntaxProblem(error) };
  let value: unknown;
  try {
    value = doc.toJS(TO_JS_OPTIONS);
  } catch (e) {
    return { problem: { message: refusal(e) } };
  }
  const shape = shapeProblem(value, 0, new Set());
  return shape ? { problem: { message: shape } } : { yaml: doc, value };
}

const TOO_DEEP = `refused: nested more than ${MAX_DEPTH} levels deep (Kubernetes objects are far shallower)`;
const CYCLE = 'refused: an alias refers to a node that contains it (a cycle, which no Kubernetes object can be)';
const ALIAS_BOMB = `refused: its aliases expand to too much data (more than ${TO_JS_OPTIONS.maxAliasCount} alias uses, counting aliases inside aliases: a "billion laughs" file?)`;

/** The loader's own refusals while building the plain value; anything else is a bug and is rethrown. */
function refusal(e: unknown): string {
  if (e instanceof ReferenceError && e.message.startsWith('Excessive alias count')) return ALIAS_BOMB;
  if (e instanceof RangeError) return TOO_DEEP;
  throw e;
}

/** Depth and cycle check; it recurses at most MAX_DEPTH levels. */
function shapeProblem(node: unknown, depth: number, ancestors: Set<object>): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  if (ancestors.has(node)) return CYCLE;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  ancestors.add(node);
  for (const child of Object.values(node)) {
    const problem = shapeProblem(child, depth + 1, ancestors);
    if (problem) return problem;
  }
  ancestors.delete(node);
  return undefined;
}

/** A YAML syntax error at its line and column (the library's code frame is dropped). */
function syntaxProblem(error: YAMLError): DocumentProblem {
  const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { message: `YAML syntax error: ${message}`, ...position(error) };
}

function position(error: YAMLError): { line?: number; column?: number } {
  const pos = error.linePos?.[0];
  return pos ? { line: pos.line, column: pos.col } : {};
}
