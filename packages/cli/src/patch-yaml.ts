import type { Operation } from '@dd-admission/core';
import { isAlias, isCollection, isMap, isScalar, isSeq, visit, type Document, type Node } from 'yaml';
import { CREATE_NODE_OPTIONS, newDocument, TO_JS_OPTIONS } from './yaml-style.js';

/**
 * Applies RFC 6902 operations to a YAML document's tree rather than to plain
 * JSON, so everything the patch does not touch keeps its comments, key order
 * and quoting. Returns a new document; the input is not modified.
 */
export function patchDocument(doc: Document, ops: readonly Operation[]): Document {
  if (ops.length === 0) return doc;
  // Editing through an alias would also change every other place the anchor is used, and a
  // merge key hides the merged fields from the tree: such documents are rewritten from their data.
  const target = hasAliasesOrMergeKeys(doc) ? newDocument(doc.toJS(TO_JS_OPTIONS)) : doc.clone();
  for (const op of ops) applyOperation(target, op);
  return target;
}

function hasAliasesOrMergeKeys(doc: Document): boolean {
  let found = false;
  const stop = () => {
    found = true;
    return visit.BREAK;
  };
  visit(doc, {
    Alias: stop,
    // YAML 1.1 `<<` keys are parsed with a symbol as their value.
    Pair: (_, pair) => (isScalar(pair.key) && typeof pair.key.value === 'symbol' ? stop() : undefined),
  });
  return found;
}

/** Splits a JSON pointer into unescaped tokens. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function applyOperation(doc: Document, op: Operation): void {
  const tokens = parsePointer(op.path);
  const last = tokens.pop();
  if (last === undefined) {
    if (op.op !== 'add' && op.op !== 'replace') throw unsupported(op);
    doc.contents = doc.createNode(op.value, CREATE_NODE_OPTIONS);
    return;
  }
  const parent = nodeAt(doc, tokens);
  if (isSeq(parent)) return applyToSeq(doc, parent.items, op, last);
  if (isMap(parent)) {
    if (op.op === 'remove') return void parent.delete(last);
    if (op.op !== 'add' && op.op !== 'replace') throw unsupported(op);
    parent.set(last, doc.createNode(op.value, CREATE_NODE_OPTIONS));
    return;
  }
  throw new Error(`cannot apply "${op.op}" at ${op.path}: no map or list there`);
}

function applyToSeq(doc: Document, items: unknown[], op: Operation, token: string): void {
  const index = token === '-' ? items.length : Number(token);
  if (!Number.isInteger(index) || index < 0 || index > items.length) throw new Error(`cannot apply "${op.op}" at ${op.path}: bad index`);
  if (op.op === 'remove') return void items.splice(index, 1);
  if (op.op !== 'add' && op.op !== 'replace') throw unsupported(op);
  const node = doc.createNode(op.value, CREATE_NODE_OPTIONS);
  if (op.op === 'add') items.splice(index, 0, node);
  else items[index] = node;
}

/** The node at `tokens`; an empty flow collection about to receive items turns block-style, as written by hand. */
function nodeAt(doc: Document, tokens: readonly string[]): unknown {
  let node: unknown = doc.contents;
  for (const token of tokens) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isSeq(node)) node = node.items[Number(token)];
    else if (isMap(node)) node = node.get(token, true);
    else return undefined;
  }
  if (isCollection(node) && node.flow && node.items.length === 0) (node as Node & { flow: boolean }).flow = false;
  return node;
}

function unsupported(op: Operation): Error {
  return new Error(`unsupported patch operation "${op.op}" at ${op.path}`);
}
