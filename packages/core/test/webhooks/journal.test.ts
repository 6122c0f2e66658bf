// Patch-level checks: the patch is an exact RFC 6902 description of each change, applicable under
// the API server's strict rules (webhooks.md §6.2), and the input is never modified; unknown fields
// survive (spec/README.md "Unknown fields survive").
import { describe, expect, it } from 'vitest';
import {
  injectConfig,
  injectTags,
  injectAutoInstrumentation,
  mutate,
  escapePointerToken,
  toPointer,
  type Operation,
  type Pod,
} from '@dd-admission/core';
import { config, makePod, OPT_IN, deepFreeze, applyPatch, expectPatchGivesPod, containerOf, hostIpEnv, entityIdEnv } from '../helpers.js';

const A = 'admission.datadoghq.com/';
const socket = config({ 'admission_controller.inject_config.mode': 'socket' });
const ssiAll = config({ 'apm_config.instrumentation.enabled': true, 'admission_controller.inject_config.mode': 'socket' });

function richPod(): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'rich',
      namespace: 'shop',
      labels: { ...OPT_IN, 'tags.datadoghq.com/env': 'prod', 'example.com/a~b/c': 'x' },
      annotations: {
        [`${A}java-lib.version`]: 'v1',
        [`${A}app.python-lib.version`]: 'v2',
        [`${A}all-lib.config.v1`]: '{"service_name":"svc","tracing_tags":["a:b"]}',
        'example.com/unrelated': 'y',
      },
      finalizers: ['example.com/keep'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b4', uid: 'u', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      priorityClassName: 'high',
      futureField: { nested: [1, 2, { deep: true }] },
      containers: [
        {
          name: 'app',
          image: 'app:1',
          env: [{ name: 'A', value: 'a', futureEnvField: 'z' }, { name: 'PYTHONPATH', value: '/app' }],
          resources: { limits: { cpu: '1' } },
          securityContext: { runAsNonRoot: true },
          volumeMounts: [{ name: 'data', mountPath: '/data', subPathExpr: '$(POD)' }],
        },
        { name: 'sidecar', image: 'side:1', env: null },
      ],
      initContainers: [{ name: 'native-sidecar', image: 'proxy:1', restartPolicy: 'Always', startupProbe: { exec: { command: ['true'] } } }],
      volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }],
    },
    status: { phase: 'Pending' },
  } as unknown as Pod;
}

function allOps(patch: readonly Operation[]): void {
  for (const op of patch) {
    expect(op.op).toBe('add');
    expect(op.path.endsWith('/-')).toBe(false);
  }
}

describe('patch shape: missing arrays', () => {
  it('a container without env: one add of the whole env array, then adds at index 0', () => {
    const input = makePod({ labels: OPT_IN });
    const r = injectConfig(input, {}, config());
    expect(r.patch).toEqual([
      { op: 'add', path: '/spec/containers/0/env', value: [hostIpEnv] },
      { op: 'add', path: '/spec/containers/0/env/0', value: entityIdEnv },
    ]);
    expectPatchGivesPod(input, r);
  });

  it('a pod without volumes / volumeMounts (socket mode): whole-array adds, no add to /-', () => {
    const input = makePod({ labels: OPT_IN, containers: [{ name: 'app', env: [] }] });
    const r = injectConfig(input, {}, socket);
    expect(r.patch).toContainEqual({ op: 'add', path: '/spec/containers/0/volumeMounts', value: [{ name: 'datadog', mountPath: '/var/run/datadog', readOnly: true }] });
    expect(r.patch).toContainEqual({ op: 'add', path: '/spec/volumes', value: [{ name: 'datadog', hostPath: { path: '/var/run/datadog', type: 'DirectoryOrCreate' } }] });
    expect(r.patch.filter((op) => op.path === '/spec/volumes')).toHaveLength(1);
    allOps(r.patch);
    expectPatchGivesPod(input, r);
  });

  it('a pod without initContainers (lib injection): one add of /spec/initContainers with the whole array', () => {
    const input = makePod({ labels: OPT_IN, annotations: { [`${A}java-lib.version`]: 'v1', [`${A}js-lib.version`]: 'v1' } });
    const r = injectAutoInstrumentation(input, {}, config());
    const creating = r.patch.filter((op) => op.path === '/spec/initContainers');
    expect(creating).toHaveLength(1);
    expect(Array.isArray((creating[0] as { value: unknown }).value)).toBe(true);
    expect(((creating[0] as { value: unknown[] }).value).length).toBe(1);
    allOps(r.patch);
    expectPatchGivesPod(input, r);
  });

  it('an env list that is JSON null is replaced by a whole array', () => {
    const input = makePod({ labels: OPT_IN, containers: [{ name: 'app', env: null }] });
    const r = injectConfig(input, {}, config());
    expect(r.patch[0]).toEqual({ op: 'add', path: '/spec/containers/0/env', value: [hostIpEnv] });
    expectPatchGivesPod(input, r);
  });

  it('appends use the explicit end index, never /-', () => {
    const input = makePod({ labels: OPT_IN, annotations: { [`${A}java-lib.version`]: 'v1' }, containers: [{ name: 'app', env: [{ name: 'A', value: 'a' }] }], volumes: [{ name: 'v', emptyDir: {} }] });
    const r = injectAutoInstrumentation(input, {}, config());
    expect(r.patch).toContainEqual(expect.objectContaining({ op: 'add', path: '/spec/containers/0/env/1' }));
    expect(r.patch).toContainEqual({ op: 'add', path: '/spec/volumes/1', value: { name: 'datadog-auto-instrumentation', emptyDir: {} } });
    allOps(r.patch);
  });
});

describe('patch shape: JSON pointer escaping', () => {
  it('"/" is escaped as ~1 and "~" as ~0 (RFC 6901)', () => {
    expect(escapePointerToken('admission.datadoghq.com/enabled')).toBe('admission.datadoghq.com~1enabled');
    expect(escapePointerToken('a~b')).toBe('a~0b');
    expect(escapePointerToken('~/')).toBe('~0~1');
    expect(escapePointerToken('/~')).toBe('~1~0');
    expect(escapePointerToken('plain')).toBe('plain');
    expect(escapePointerToken(3)).toBe('3');
    expect(toPointer(['metadata', 'labels', 'example.com/a~b/c'])).toBe('/metadata/labels/example.com~1a~0b~1c');
    expect(toPointer(['spec', 'containers', 0, 'env'])).toBe('/spec/containers/0/env');
  });

  it('an escaped pointer applies to the key it names', () => {
    const doc = { metadata: { labels: { 'a/b~c': 'old' } } };
    const out = applyPatch(doc, [{ op: 'replace', path: toPointer(['metadata', 'labels', 'a/b~c']), value: 'new' }]);
    expect(out).toEqual({ metadata: { labels: { 'a/b~c': 'new' } } });
  });
});

describe('the input is never modified (deep-frozen input)', () => {
  const webhooks = [
    ['config', (p: Pod) => injectConfig(p, { namespace: 'shop' }, socket)],
    ['tags', (p: Pod) => injectTags(p, { namespace: 'shop', owners: [] }, config())],
    ['auto-instrumentation', (p: Pod) => injectAutoInstrumentation(p, { namespace: 'shop' }, ssiAll)],
  ] as const;
  for (const [name, run] of webhooks) {
    it(`${name}: no throw on a frozen input, input equal to its snapshot, patch reproduces the result`, () => {
      const snapshot = richPod();
      const input = deepFreeze(richPod());
      const r = run(input);
      expect(r.failure).toBeUndefined();
      expect(r.patch.length).toBeGreaterThan(0);
      expect(input).toEqual(snapshot);
      allOps(r.patch);
      expectPatchGivesPod(snapshot, r);
    });
  }

  it('mutate: the whole path on a frozen input', () => {
    const snapshot = richPod();
    const input = deepFreeze(richPod());
    const owners = deepFreeze([
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-5d8f7c9b4', namespace: 'shop', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels: { 'tags.datadoghq.com/service': 'web' } } },
    ]);
    const m = mutate(input, { namespace: 'shop', agentNamespace: 'datadog', owners }, ssiAll);
    expect(m.failures).toEqual([]);
    expect(input).toEqual(snapshot);
    expectPatchGivesPod(snapshot, m);
  });

  it('failures and skips return the input pod itself, unchanged', () => {
    const input = deepFreeze(makePod({ labels: OPT_IN }));
    const r = injectConfig(input, {}, config({ 'admission_controller.inject_config.mode': 'bogus' }));
    expect(r.pod).toBe(input);
    expect(r.patch).toEqual([]);
  });
});

describe('unknown fields survive (README decision)', () => {
  it('native sidecar restartPolicy, future fields, status, extra env fields are all kept', () => {
    const input = richPod();
    const m = mutate(input, { namespace: 'shop', agentNamespace: 'datadog' }, ssiAll);
    const pod = m.pod as unknown as Record<string, any>;
    expect(containerOf(m.pod, 'native-sidecar')).toMatchObject({ restartPolicy: 'Always', startupProbe: { exec: { command: ['true'] } } });
    expect(pod.spec.priorityClassName).toBe('high');
    expect(pod.spec.futureField).toEqual({ nested: [1, 2, { deep: true }] });
    expect(pod.status).toEqual({ phase: 'Pending' });
    expect(pod.metadata.finalizers).toEqual(['example.com/keep']);
    expect(pod.metadata.ownerReferences[0].blockOwnerDeletion).toBe(true);
    expect(containerOf(m.pod, 'app')).toMatchObject({ resources: { limits: { cpu: '1' } }, securityContext: { runAsNonRoot: true } });
    expect((containerOf(m.pod, 'app').env ?? []).find((e) => e.name === 'A')).toEqual({ name: 'A', value: 'a', futureEnvField: 'z' });
    expect(containerOf(m.pod, 'app').volumeMounts?.[0]).toEqual({ name: 'data', mountPath: '/data', subPathExpr: '$(POD)' });
    expect(pod.spec.volumes[0]).toEqual({ name: 'data', emptyDir: { sizeLimit: '1Gi' } });
    expect(m.pod.metadata).toEqual(input.metadata);
    expectPatchGivesPod(input, m);
  });

  it('the patch only adds: no remove or replace of anything the user wrote', () => {
    const input = richPod();
    const m = mutate(input, { namespace: 'shop', agentNamespace: 'datadog' }, ssiAll);
    allOps(m.patch);
  });
});

// The journal copies objects with Object.assign for speed, except those with an own
// `__proto__` key (JSON.parse makes one a plain data member), which assign would drop.
describe('copy-on-write keeps an own "__proto__" member', () => {
  it('on the pod, the spec and a container, through every webhook', () => {
    const input = JSON.parse(
      JSON.stringify(makePod({ labels: OPT_IN, containers: [{ name: 'app', env: [] }] }))
        .replace('"spec":{', '"spec":{"__proto__":{"s":1},')
        .replace('"name":"app"', '"name":"app","__proto__":{"c":2}')
        .replace('{"apiVersion"', '{"__proto__":{"p":3},"apiVersion"'),
    ) as Pod;
    const spec = (input as { spec: object }).spec;
    expect(Object.hasOwn(input, '__proto__') && Object.hasOwn(spec, '__proto__')).toBe(true);
    const m = mutate(input, { namespace: 'shop', agentNamespace: 'datadog' }, socket);
    expect(m.patch.length).toBeGreaterThan(0);
    const pod = m.pod as unknown as Record<string, any>;
    for (const [node, value] of [[pod, { p: 3 }], [pod.spec, { s: 1 }], [pod.spec.containers[0], { c: 2 }]] as const) {
      expect(Object.getPrototypeOf(node)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(node, '__proto__')?.value).toEqual(value);
    }
    expect(JSON.stringify(pod)).toBe(JSON.stringify(applyPatch(input, m.patch)));
  });
});
