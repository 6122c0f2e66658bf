import { describe, expect, it } from 'vitest';
import { combinationRule, deepFreeze, patchViolations, preservationViolations, userEnvViolations } from '@dd-admission/testing';

// The invariant checkers must catch what they claim to, or the core properties
// built on them would pass vacuously.

const pod = (env: object[], extra: object = {}) => ({
  metadata: { labels: { 'a/b': 'x' } },
  spec: { containers: [{ name: 'app', image: 'x', env, ...extra }], 'x-future': 1 },
});

describe('userEnvViolations', () => {
  const user = [{ name: 'A', value: '1' }, { name: 'JAVA_TOOL_OPTIONS', value: '-Xmx1g' }, { name: 'PYTHONPATH', value: '/app' }, { name: 'CORECLR_PROFILER', value: 'x' }];

  it('accepts prepended and appended entries and the documented combinations', () => {
    const out = pod([
      { name: 'DD_ENTITY_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'A', value: '1' },
      { name: 'JAVA_TOOL_OPTIONS', value: '-Xmx1g -javaagent:x' },
      { name: 'PYTHONPATH', value: '/datadog-lib/:/app' },
      { name: 'CORECLR_PROFILER', value: '{846F}' },
      { name: 'NODE_OPTIONS', value: ' --require=x' },
    ]);
    expect(userEnvViolations(pod(user), out)).toEqual([]);
  });

  it('flags a removed, changed or reordered entry', () => {
    expect(userEnvViolations(pod(user), pod(user.slice(1)))).toHaveLength(1);
    expect(userEnvViolations(pod(user), pod([{ name: 'A', value: '2' }, ...user.slice(1)]))).toHaveLength(1);
    expect(userEnvViolations(pod(user), pod([user[1]!, user[0]!, ...user.slice(2)]))).toHaveLength(1);
  });

  it('flags a combination that loses the user value', () => {
    const replaced = pod([user[0]!, { name: 'JAVA_TOOL_OPTIONS', value: '-javaagent:x' }, ...user.slice(2)]);
    expect(userEnvViolations(pod(user), replaced)[0]).toMatch(/does not start with/);
    const appended = pod([...user.slice(0, 2), { name: 'PYTHONPATH', value: '/app:/datadog-lib/' }, user[3]!]);
    expect(userEnvViolations(pod(user), appended)[0]).toMatch(/does not end with/);
  });

  it('allows combinations only in application containers', () => {
    const init = (value: string) => ({ spec: { containers: [], initContainers: [{ name: 'i', env: [{ name: 'JAVA_TOOL_OPTIONS', value }] }] } });
    expect(userEnvViolations(init('a'), init('a b'))).toHaveLength(1);
    expect(combinationRule('LD_PRELOAD')).toBe('prefix');
    expect(combinationRule('RUBYOPT')).toBe('append');
    expect(combinationRule('DD_TRACE_LOG_DIRECTORY')).toBe('replace');
    expect(combinationRule('DD_ENV')).toBeUndefined();
  });

  it('flags a lost container', () => {
    expect(userEnvViolations(pod(user), { spec: { containers: [] } })).toEqual(['containers app: container is gone']);
  });
});

describe('preservationViolations', () => {
  it('accepts changes at the injection points only', () => {
    const out = {
      metadata: { labels: { 'a/b': 'x' } },
      spec: { initContainers: [{ name: 'datadog-lib-java-init' }], containers: [{ name: 'app', image: 'x', env: [{ name: 'B' }], volumeMounts: [{ name: 'v', mountPath: '/v' }] }], 'x-future': 1, volumes: [{ name: 'v' }] },
    };
    expect(preservationViolations(pod([]), out)).toEqual([]);
  });

  it('flags dropped unknown fields, changed metadata, a changed container field, a new app container', () => {
    expect(preservationViolations(pod([]), { ...pod([]), spec: { containers: pod([]).spec.containers } })).toEqual(['spec.x-future changed']);
    expect(preservationViolations(pod([]), { ...pod([]), metadata: {} })).toEqual(['metadata changed']);
    expect(preservationViolations(pod([], { 'x-future': 1 }), pod([]))).toEqual(['spec.containers app.x-future changed']);
    const extra = pod([]);
    extra.spec.containers.push({ name: 'new', image: 'y', env: [] });
    expect(preservationViolations(pod([]), extra)).toContain('number of application containers changed');
  });
});

describe('patchViolations', () => {
  const doc = { metadata: { labels: { 'a/b': 'x' } }, spec: { containers: [{ name: 'a' }] } };

  it('accepts a canonical patch whose values land at their paths', () => {
    expect(
      patchViolations(doc, [
        { op: 'add', path: '/spec/containers/0/env', value: [{ name: 'X' }] },
        { op: 'add', path: '/metadata/labels/c~1d~0e', value: 'y' },
      ]),
    ).toEqual([]);
  });

  it('flags add to "-", a non-canonical or unresolvable path', () => {
    expect(patchViolations(doc, [{ op: 'add', path: '/spec/containers/-', value: { name: 'b' } }])).toEqual(['op 0: add to "-" (/spec/containers/-)']);
    expect(patchViolations(doc, [{ op: 'add', path: '/metadata/labels/a/b', value: 'y' }])[0]).toMatch(/op 0/);
    expect(patchViolations(doc, [{ op: 'add', path: '/spec/volumes/-', value: {} }])).toHaveLength(2);
    expect(patchViolations(doc, [{ op: 'add', path: '/x~2', value: 1 }])[0]).toMatch(/~/);
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays so writes throw', () => {
    const v = deepFreeze({ a: [{ b: 1 }] });
    expect(() => {
      (v.a[0] as { b: number }).b = 2;
    }).toThrow(TypeError);
    expect(() => v.a.push({ b: 3 })).toThrow(TypeError);
  });
});

describe('preservationViolations: injected annotations', () => {
  const SAFE = 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes';
  const withAnnotations = (annotations?: Record<string, string>) => ({ metadata: { name: 'p', ...(annotations ? { annotations } : {}) }, spec: { containers: [] } });

  it('allows the safe-to-evict annotation to appear or to gain names after a comma', () => {
    expect(preservationViolations(withAnnotations(), withAnnotations({ [SAFE]: 'datadog' }))).toEqual([]);
    expect(preservationViolations(withAnnotations({ [SAFE]: 'cache' }), withAnnotations({ [SAFE]: 'cache,datadog' }))).toEqual([]);
  });

  it('flags a rewritten safe-to-evict value, a changed or dropped user annotation, and any other new annotation', () => {
    expect(preservationViolations(withAnnotations({ [SAFE]: 'cache' }), withAnnotations({ [SAFE]: 'datadog' }))).toEqual([`annotation ${SAFE} changed`]);
    expect(preservationViolations(withAnnotations({ a: '1' }), withAnnotations({ a: '2' }))).toEqual(['annotation a changed']);
    expect(preservationViolations(withAnnotations({ a: '1' }), withAnnotations({ [SAFE]: 'x' }))).toEqual(['annotation a changed']);
    expect(preservationViolations(withAnnotations(), withAnnotations({ b: '1' }))).toEqual(['annotation b added']);
  });
});
