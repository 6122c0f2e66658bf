import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parseDocument, type Document } from 'yaml';
import { parsePointer, patchDocument } from '../src/patch-yaml.js';
import { toStringOptions, YAML_OPTIONS } from '../src/yaml-style.js';

const doc = (text: string) => parseDocument(text, YAML_OPTIONS);
const text = (d: Document, indentSeq = true) => d.toString(toStringOptions(indentSeq));

describe('patchDocument', () => {
  it('inserts into lists and maps, keeping comments, key order and quoting elsewhere', () => {
    const before = doc('# top\nspec:\n  containers:\n    - name: app # main\n      env:\n        - name: A\n          value: "on"\n  zeta: 1\n');
    const after = patchDocument(before, [
      { op: 'add', path: '/spec/containers/0/env/0', value: { name: 'DD_ENV', value: 'yes' } },
      { op: 'add', path: '/spec/volumes', value: [{ name: 'v', emptyDir: {} }] },
    ]);
    expect(text(after)).toBe(
      '# top\nspec:\n  containers:\n    - name: app # main\n      env:\n        - name: DD_ENV\n          value: "yes"\n        - name: A\n          value: "on"\n  zeta: 1\n  volumes:\n    - name: v\n      emptyDir: {}\n',
    );
    // The input document is untouched.
    expect(text(before)).toContain('      env:\n        - name: A\n');
  });

  it('turns an empty flow collection that receives items into block style', () => {
    const after = patchDocument(doc('env: []\n'), [{ op: 'add', path: '/env/0', value: { name: 'X', value: '1' } }]);
    expect(text(after, false)).toBe('env:\n- name: X\n  value: "1"\n');
  });

  it('replaces a value and removes entries', () => {
    const after = patchDocument(doc('a: [1, 2, 3]\nb: {c: old}\n'), [
      { op: 'replace', path: '/b/c', value: 'new' },
      { op: 'remove', path: '/a/1' },
      { op: 'add', path: '/a/-', value: 4 },
    ]);
    expect(after.toJS()).toEqual({ a: [1, 3, 4], b: { c: 'new' } });
  });

  it('does not edit through anchors, which would change every alias', () => {
    const before = doc('base: &b {name: app}\ncontainers:\n  - *b\nother:\n  - *b\n');
    const after = patchDocument(before, [{ op: 'add', path: '/containers/0/image', value: 'x' }]);
    expect(after.toJS()).toEqual({ base: { name: 'app' }, containers: [{ name: 'app', image: 'x' }], other: [{ name: 'app' }] });
  });

  it('fails loudly on a path that is not there', () => {
    expect(() => patchDocument(doc('a: 1\n'), [{ op: 'add', path: '/b/c', value: 1 }])).toThrow('cannot apply "add" at /b/c: no map or list there');
  });
});

describe('parsePointer', () => {
  it('unescapes ~1 and ~0 (in that order)', () => {
    expect(parsePointer('/metadata/annotations/admission.datadoghq.com~1x~01')).toEqual(['metadata', 'annotations', 'admission.datadoghq.com/x~1']);
    expect(parsePointer('')).toEqual([]);
  });
});

describe('documents the YAML tree cannot be edited in place (review findings)', () => {
  it('an inline merge key: the merged env list is patched, nothing is lost', () => {
    const [doc] = parseAllDocuments('spec:\n  containers:\n    - <<: {image: nginx, env: [{name: A, value: x}]}\n      name: app\n', YAML_OPTIONS);
    const out = patchDocument(doc!, [{ op: 'add', path: '/spec/containers/0/env/0', value: { name: 'DD_ENTITY_ID', value: 'u' } }]);
    expect(out.toJS()).toEqual({ spec: { containers: [{ image: 'nginx', name: 'app', env: [{ name: 'DD_ENTITY_ID', value: 'u' }, { name: 'A', value: 'x' }] }] } });
  });

  it('more than 100 alias uses (the yaml library default) are accepted', () => {
    const annotations = Array.from({ length: 120 }, (_, i) => `    a${i}: *v`).join('\n');
    const [doc] = parseAllDocuments(`metadata:\n  annotations:\n    x: &v val\n${annotations}\nspec:\n  containers: [{name: app}]\n`, YAML_OPTIONS);
    const out = patchDocument(doc!, [{ op: 'add', path: '/spec/containers/0/env', value: [{ name: 'A', value: '1' }] }]);
    const js = out.toJS({ maxAliasCount: 1000 }) as { metadata: { annotations: Record<string, string> }; spec: { containers: { env: unknown[] }[] } };
    expect(js.metadata.annotations.a119).toBe('val');
    expect(js.spec.containers[0]!.env).toEqual([{ name: 'A', value: '1' }]);
  });
});
