import { isMap, type Document } from 'yaml';
import { InputError, type Location, type Problem } from './errors.js';
import { loadYaml } from './load-yaml.js';
import { detectIndentSeq, newDocument } from './yaml-style.js';

type Obj = Record<string, unknown>;

/** One non-empty document of the input stream. */
export interface InputDocument {
  location: Location;
  /** The parsed YAML, kept so output preserves comments, key order and scalar styles. */
  yaml: Document;
  /** The document as plain JSON. */
  value: Obj;
}

/** One Kubernetes object to consider: a top-level document, or an item of a List document. */
export interface Unit {
  location: Location;
  object: Obj;
  /** Index of the document it belongs to, in `Input.documents`. */
  document: number;
  /** JSON pointer of the object inside its document: `` or `/items/3`. */
  pointer: string;
}

/** The whole input: its documents, the objects in them, and how its YAML is indented. */
export interface Input {
  file: string;
  documents: InputDocument[];
  units: Unit[];
  indentSeq: boolean;
}

/**
 * Parses a YAML (or JSON) stream of Kubernetes objects. Empty documents are
 * skipped but still counted, so `document N` matches what the user sees.
 * Throws InputError listing every document that cannot be used.
 */
export function parseDocuments(text: string, file: string, defaultNamespace: string): Input {
  const problems: Problem[] = [];
  const documents: InputDocument[] = [];
  loadYaml(text).forEach((doc, i) => {
    const location: Location = { file, document: i + 1 };
    if ('problem' in doc) {
      problems.push({ location, ...doc.problem });
      return;
    }
    const { yaml, value } = doc;
    if (value === null || value === undefined) return;
    if (!isObject(value)) {
      problems.push({ location, message: `expected a Kubernetes object (a map), got ${describeType(value)}` });
      return;
    }
    location.label = objectLabel(value, defaultNamespace);
    documents.push({ location, yaml: isMap(yaml.contents) && yaml.contents.flow ? newDocument(value) : yaml, value });
  });
  if (problems.length === 0 && documents.length === 0) problems.push({ location: { file }, message: 'no Kubernetes objects in the input' });
  const units = documents.flatMap((d, i) => unitsOf(d, i, defaultNamespace, problems));
  if (problems.length > 0) throw new InputError(problems);
  return { file, documents, units, indentSeq: detectIndentSeq(text) };
}

function unitsOf(doc: InputDocument, index: number, defaultNamespace: string, problems: Problem[]): Unit[] {
  if (!isList(doc.value)) return [{ location: doc.location, object: doc.value, document: index, pointer: '' }];
  const items = doc.value.items;
  if (!Array.isArray(items)) {
    problems.push({ location: doc.location, field: 'items', message: `expected a list of objects, got ${describeType(items)}` });
    return [];
  }
  const units: Unit[] = [];
  items.forEach((item, i) => {
    const location: Location = { file: doc.location.file, document: doc.location.document!, item: i };
    if (!isObject(item)) {
      problems.push({ location, field: `items[${i}]`, message: `expected a Kubernetes object (a map), got ${describeType(item)}` });
      return;
    }
    location.label = objectLabel(item, defaultNamespace);
    units.push({ location, object: item, document: index, pointer: `/items/${i}` });
  });
  return units;
}

/** Whether an object is a `kind: List` (as `kubectl get -o yaml` prints several objects). */
export function isList(value: Obj): boolean {
  return value.kind === 'List' || (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items));
}

// Cluster-scoped kinds a manifest commonly holds: their label has no namespace.
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
]);

/** `Kind namespace/name` (or `Kind name` for cluster-scoped kinds), as messages and patch output name objects. */
export function objectLabel(value: Obj, defaultNamespace: string): string {
  const kind = typeof value.kind === 'string' && value.kind ? value.kind : '(no kind)';
  const meta = isObject(value.metadata) ? value.metadata : {};
  const name = stringOr(meta.name, stringOr(meta.generateName, ''));
  if (isList(value)) return kind;
  if (!name) return `${kind} (unnamed)`;
  if (CLUSTER_SCOPED.has(kind)) return `${kind} ${name}`;
  return `${kind} ${stringOr(meta.namespace, defaultNamespace)}/${name}`;
}

function stringOr(v: unknown, fallback: string): string {
  return typeof v === 'string' && v !== '' ? v : fallback;
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeType(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null || v === undefined) return 'nothing';
  return `a ${typeof v} (${JSON.stringify(v)})`;
}

