import { describe, expect, it } from 'vitest';
import { objectLabel, parseDocuments } from '../src/documents.js';
import { formatProblem, InputError } from '../src/errors.js';
import { MAX_INPUT_BYTES, readText, type Io } from '../src/io.js';

const problemsOf = (text: string, file = 'in.yaml') => {
  try {
    parseDocuments(text, file, 'default');
  } catch (e) {
    if (e instanceof InputError) return e.problems.map(formatProblem);
    throw e;
  }
  throw new Error('expected an InputError');
};

describe('parseDocuments', () => {
  it('reads a multi-document stream; empty documents are skipped but keep their number', () => {
    const input = parseDocuments('apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n# nothing here\n---\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n', 'in.yaml', 'shop');
    expect(input.documents.map((d) => d.location)).toEqual([
      { file: 'in.yaml', document: 1, label: 'Pod shop/a' },
      { file: 'in.yaml', document: 3, label: 'ConfigMap x/c' },
    ]);
    expect(input.units.map((u) => [u.document, u.pointer, u.object.kind])).toEqual([
      [0, '', 'Pod'],
      [1, '', 'ConfigMap'],
    ]);
  });

  it('splits a List into its items, each addressed under /items/<i>', () => {
    const input = parseDocuments('apiVersion: v1\nkind: List\nitems:\n- {kind: Pod, metadata: {name: a}}\n- {kind: Deployment, metadata: {name: b}}\n', 'l.yaml', 'default');
    expect(input.documents).toHaveLength(1);
    expect(input.units.map((u) => [u.pointer, u.location])).toEqual([
      ['/items/0', { file: 'l.yaml', document: 1, item: 0, label: 'Pod default/a' }],
      ['/items/1', { file: 'l.yaml', document: 1, item: 1, label: 'Deployment default/b' }],
    ]);
  });

  it('reads JSON, and prints it back as block YAML', () => {
    const input = parseDocuments('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"}}', '-', 'default');
    expect(input.units[0]!.object).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' } });
    expect(String(input.documents[0]!.yaml)).toBe('apiVersion: v1\nkind: Pod\nmetadata:\n  name: j\n');
  });

  it('reads YAML as kubectl does (1.1): yes is a boolean, 0644 octal; timestamps and 1:20 stay strings', () => {
    const input = parseDocuments('kind: X\nmetadata: {name: n}\na: yes\nb: 0644\nc: 2024-01-01\nd: 1:20\ne: "on"\n', 'f', 'default');
    expect(input.units[0]!.object).toMatchObject({ a: true, b: 420, c: '2024-01-01', d: '1:20', e: 'on' });
  });

  it('notices the kubectl-style (unindented) sequence layout', () => {
    expect(parseDocuments('kind: X\nlist:\n- a\n', 'f', 'default').indentSeq).toBe(false);
    expect(parseDocuments('kind: X\nlist:\n  - a\n', 'f', 'default').indentSeq).toBe(true);
  });

  it('names the file, document, item, line and field of every problem', () => {
    expect(problemsOf('kind: Pod\n---\nmetadata: {name: [oops\n---\n- 1\n---\nkind: List\nitems: 3\n---\nkind: List\nitems: [{kind: Pod}, 7]\n')).toEqual([
      'in.yaml: document 2, line 4, column 1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'in.yaml: document 3: expected a Kubernetes object (a map), got a list',
      'in.yaml: document 4 (List), field items: expected a list of objects, got a number (3)',
      'in.yaml: document 5, item 1, field items[1]: expected a Kubernetes object (a map), got a number (7)',
    ]);
    expect(problemsOf('', 'empty.yaml')).toEqual(['empty.yaml: no Kubernetes objects in the input']);
    expect(problemsOf('"just a string"\n')).toEqual(['in.yaml: document 1: expected a Kubernetes object (a map), got a string ("just a string")']);
  });
});

describe('objectLabel', () => {
  it('names objects Kind ns/name, cluster-scoped ones Kind name', () => {
    expect(objectLabel({ kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } }, 'default')).toBe('Deployment shop/web');
    expect(objectLabel({ kind: 'Pod', metadata: { generateName: 'web-' } }, 'ns')).toBe('Pod ns/web-');
    expect(objectLabel({ kind: 'Namespace', metadata: { name: 'shop' } }, 'default')).toBe('Namespace shop');
    expect(objectLabel({ metadata: {} }, 'default')).toBe('(no kind) (unnamed)');
  });
});

describe('readText', () => {
  const io = (files: Record<string, string>, stdin: string[] = []): Io => ({
    stdin: (async function* () {
      yield* stdin.map((s) => new TextEncoder().encode(s));
    })(),
    stdout: { write: () => true },
    stderr: { write: () => true },
    readFile: async (path) => {
      if (path in files) return files[path]!;
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    },
    isTTY: { stdout: false, stderr: false },
    env: {},
  });

  it('reads - from stdin, joining chunks (a multi-byte character may straddle two)', async () => {
    const bytes = new TextEncoder().encode('é');
    const split = { ...io({}), stdin: (async function* () {
      yield bytes.slice(0, 1);
      yield bytes.slice(1);
    })() };
    expect(await readText('-', io({}, ['kind: ', 'Pod\n']))).toBe('kind: Pod\n');
    expect(await readText('-', split)).toBe('é');
  });

  it(`refuses more than ${MAX_INPUT_BYTES} bytes, and stops reading stdin there`, async () => {
    let chunks = 0;
    const endless: Io = { ...io({}), stdin: (async function* () {
      for (;;) {
        chunks++;
        yield new Uint8Array(1024 * 1024);
      }
    })() };
    const refusal = new InputError([{ location: { file: '<stdin>' }, message: 'refused: larger than 16 MiB, the most dd-mutate reads (split the input into smaller files)' }]);
    await expect(readText('-', endless)).rejects.toThrow(refusal);
    expect(chunks).toBe(17);
    await expect(readText('big.yaml', io({ 'big.yaml': 'a'.repeat(MAX_INPUT_BYTES + 1) }))).rejects.toThrow(refusal.message.replace('<stdin>', 'big.yaml'));
    expect(await readText('limit.yaml', io({ 'limit.yaml': 'a'.repeat(MAX_INPUT_BYTES) }))).toHaveLength(MAX_INPUT_BYTES);
  });

  it('names a missing file without the system path', async () => {
    await expect(readText('gone.yaml', io({}))).rejects.toThrow(new InputError([{ location: { file: 'gone.yaml' }, message: 'cannot read: no such file' }]));
  });
});
