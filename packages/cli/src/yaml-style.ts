import { Document, type DocumentOptions, type ParseOptions, type SchemaOptions, type Tags, type ToStringOptions } from 'yaml';

/**
 * kubectl reads manifests with a YAML 1.1 parser (go-yaml v2): `yes`/`on` are
 * booleans, `0644` is octal and `<<` merges, so we parse the same way. go-yaml
 * keeps timestamp-like and `1:20`-like plain scalars as strings when decoding
 * into untyped JSON, so those two 1.1 tags are dropped.
 */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: (tags: Tags) =>
    tags.filter((t) => typeof t === 'string' || (t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME')),
};

/**
 * How to print one document: never fold long strings (diffs and kubectl stay
 * exact), sequences indented as the input has them, and no `---`: streams are
 * joined by the caller.
 */
export function toStringOptions(indentSeq: boolean): ToStringOptions {
  return { lineWidth: 0, indentSeq, directives: false };
}

// `key:` followed by a sequence item at the same indentation (kubectl's own output style).
const COMPACT_SEQUENCE = /^( *)[^\s#-][^\n]*:[ \t]*\r?\n\1- /m;

/** Whether the input indents block sequences under their key (`key:\n  - a`) rather than kubectl-style (`key:\n- a`). */
export function detectIndentSeq(text: string): boolean {
  return !COMPACT_SEQUENCE.test(text);
}

/** A fresh document for a plain value, with our schema. */
export function newDocument(value: unknown): Document {
  return new Document(value, { ...YAML_OPTIONS, ...CREATE_NODE_OPTIONS });
}

/** Objects shared in memory (the same env entry in two containers) are written out in full, never as `&a1`/`*a1`. */
export const CREATE_NODE_OPTIONS = { aliasDuplicateObjects: false } as const;

/** Alias uses allowed when a document becomes plain data (the library's default of 100 is too low for real manifests). */
export const TO_JS_OPTIONS = { maxAliasCount: 1000 } as const;
