import type { Operation } from '@dd-admission/core';
import type { Document } from 'yaml';
import type { Input } from './documents.js';
import { parsePointer, patchDocument } from './patch-yaml.js';
import type { UnitPreview } from './preview.js';
import type { DiffInput } from './render-diff.js';
import { newDocument, TO_JS_OPTIONS, toStringOptions } from './yaml-style.js';

/** Each input document with its objects' patches applied, in input order. */
export function patchedDocuments(input: Input, previews: readonly UnitPreview[]): Document[] {
  const patches = documentPatches(input, previews);
  return input.documents.map((d, i) => patchDocument(d.yaml, patches[i]!));
}

/** The RFC 6902 patch of each input document (the patches of its List items joined). */
export function documentPatches(input: Input, previews: readonly UnitPreview[]): Operation[][] {
  const out = input.documents.map((): Operation[] => []);
  for (const p of previews) if (p.previewed) out[p.unit.document]!.push(...p.patch);
  return out;
}

/** The mutated documents as YAML: one document, or a `---`-separated stream. */
export function renderYaml(docs: readonly Document[], indentSeq: boolean): string {
  return docs.map((d) => d.toString(toStringOptions(indentSeq))).join('---\n');
}

/** The mutated documents as JSON: one object, or a v1 List of every object (Lists flattened). */
export function renderJson(docs: readonly Document[]): string {
  const values = docs.map((d) => d.toJS(TO_JS_OPTIONS) as Record<string, unknown>);
  if (values.length === 1) return JSON.stringify(values[0], null, 2) + '\n';
  const items = values.flatMap((v) => (v.kind === 'List' && Array.isArray(v.items) ? (v.items as unknown[]) : [v]));
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2) + '\n';
}

/** The patch: an RFC 6902 array for one document; for several, `[{document: "Kind ns/name", patch}]`. */
export function renderPatch(input: Input, previews: readonly UnitPreview[]): string {
  const patches = documentPatches(input, previews);
  if (patches.length === 1) return JSON.stringify(patches[0], null, 2) + '\n';
  const labelled = patches.map((patch, i) => ({ document: input.documents[i]!.location.label ?? `document ${i + 1}`, patch }));
  return JSON.stringify(labelled, null, 2) + '\n';
}

/** Before/after YAML of every previewed object, for the diff. */
export function diffInputs(input: Input, patched: readonly Document[], previews: readonly UnitPreview[]): DiffInput[] {
  return previews.flatMap((p) => {
    if (!p.previewed) return [];
    const before = input.documents[p.unit.document]!.yaml;
    const after = patched[p.unit.document]!;
    return [{ label: p.unit.location.label ?? '', before: objectText(before, p.unit.pointer, input.indentSeq), after: objectText(after, p.unit.pointer, input.indentSeq) }];
  });
}

/** The YAML of the object at `pointer` in a document (the whole document for ``). */
function objectText(doc: Document, pointer: string, indentSeq: boolean): string {
  if (pointer === '') return doc.toString(toStringOptions(indentSeq));
  const part = newDocument(null);
  part.contents = doc.getIn(parsePointer(pointer), true) as typeof part.contents;
  return part.toString(toStringOptions(indentSeq));
}
