import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { podArbitrary, validatePod } from '@dd-admission/testing';

type Obj = Record<string, unknown>;

const pod = (spec: Obj): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
const app = (extra: Obj = {}): Obj => ({ name: 'app', image: 'nginx', ...extra });
const paths = (p: unknown) => validatePod(p).map((e) => e.path);

describe('validatePod', () => {
  it('accepts a minimal pod and one with every optional list', () => {
    expect(validatePod(pod({ containers: [app()] }))).toEqual([]);
    expect(
      validatePod(
        pod({
          initContainers: [{ name: 'init', image: 'busybox', restartPolicy: 'Always', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
          containers: [app({ env: [{ name: 'A', value: '' }, { name: 'B', value: '', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } }], volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }] })],
          volumes: [{ name: 'data', emptyDir: {} }, { name: 'dd', hostPath: { path: '/var/run/datadog', type: 'DirectoryOrCreate' } }],
          'x-future': { anything: true },
        }),
      ),
    ).toEqual([]);
  });

  it('requires a spec with at least one container, each with a name and an image', () => {
    expect(paths({ metadata: {} })).toEqual(['spec']);
    expect(paths(pod({ containers: [] }))).toEqual(['spec.containers']);
    expect(paths(pod({}))).toEqual(['spec.containers']);
    expect(validatePod(pod({ containers: [{ name: 'app' }] }))).toEqual([{ path: 'spec.containers[0].image', message: 'Required value' }]);
    expect(paths(pod({ containers: [{ image: 'x' }] }))).toEqual(['spec.containers[0].name']);
  });

  it('requires DNS-1123 label container names, unique across containers and init containers', () => {
    expect(paths(pod({ containers: [app({ name: 'App' })] }))).toEqual(['spec.containers[0].name']);
    expect(paths(pod({ containers: [app({ name: 'a'.repeat(64) })] }))).toEqual(['spec.containers[0].name']);
    expect(paths(pod({ containers: [app({ name: 'my_app' })] }))).toEqual(['spec.containers[0].name']);
    const dup = validatePod(pod({ initContainers: [app()], containers: [app()] }));
    expect(dup).toEqual([{ path: 'spec.containers[0].name', message: 'Duplicate value: "app"' }]);
    expect(paths(pod({ containers: [app(), app()] }))).toEqual(['spec.containers[1].name']);
  });

  it('checks env entries: a name, not both a value and a valueFrom, exactly one source', () => {
    const env = (...entries: Obj[]) => pod({ containers: [app({ env: entries })] });
    expect(paths(env({ value: 'x' }))).toEqual(['spec.containers[0].env[0].name']);
    expect(paths(env({ name: '' }))).toEqual(['spec.containers[0].env[0].name']);
    expect(paths(env({ name: 'A=B' }))).toEqual(['spec.containers[0].env[0].name']);
    expect(paths(env({ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } }))).toEqual(['spec.containers[0].env[0].valueFrom']);
    expect(paths(env({ name: 'A', valueFrom: {} }))).toEqual(['spec.containers[0].env[0].valueFrom']);
    expect(paths(env({ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' }, secretKeyRef: { name: 's', key: 'k' } } }))).toEqual([
      'spec.containers[0].env[0].valueFrom',
    ]);
    expect(paths(env({ name: 'A', valueFrom: { fieldRef: { fieldPath: 'status.nope' } } }))).toEqual(['spec.containers[0].env[0].valueFrom.fieldRef.fieldPath']);
    expect(paths(env({ name: 'A', valueFrom: { secretKeyRef: { name: 's' } } }))).toEqual(['spec.containers[0].env[0].valueFrom.secretKeyRef.key']);
    expect(validatePod(env({ name: 'A', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }))).toEqual([]);
  });

  it('checks volumes: unique DNS-1123 names, a hostPath path, one source', () => {
    const vols = (...volumes: Obj[]) => pod({ containers: [app()], volumes });
    expect(paths(vols({ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }))).toEqual(['spec.volumes[1].name']);
    expect(paths(vols({ name: 'Data', emptyDir: {} }))).toEqual(['spec.volumes[0].name']);
    expect(paths(vols({ name: 'h', hostPath: {} }))).toEqual(['spec.volumes[0].hostPath.path']);
    expect(paths(vols({ name: 'h', hostPath: { path: '/x', type: 'Nope' } }))).toEqual(['spec.volumes[0].hostPath.type']);
    expect(paths(vols({ name: 'h', emptyDir: {}, hostPath: { path: '/x' } }))).toEqual(['spec.volumes[0].hostPath']);
    // No source at all is defaulted to emptyDir by the API server.
    expect(validatePod(vols({ name: 'bare' }))).toEqual([]);
  });

  it('checks mounts: an existing volume, unique mount paths within a container', () => {
    const spec = (mounts: Obj[], volumes: Obj[] = [{ name: 'data', emptyDir: {} }]) => pod({ containers: [app({ volumeMounts: mounts })], volumes });
    expect(validatePod(spec([{ name: 'missing', mountPath: '/m' }]))).toEqual([{ path: 'spec.containers[0].volumeMounts[0].name', message: 'Not found: "missing"' }]);
    expect(paths(spec([{ name: 'data', mountPath: '/m' }, { name: 'data', mountPath: '/m' }]))).toEqual(['spec.containers[0].volumeMounts[1].mountPath']);
    expect(paths(spec([{ name: 'data', mountPath: '' }]))).toEqual(['spec.containers[0].volumeMounts[0].mountPath']);
    // The same path in two containers is fine.
    expect(
      validatePod(pod({ containers: [app({ volumeMounts: [{ name: 'data', mountPath: '/m' }] }), { name: 'b', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/m' }] }], volumes: [{ name: 'data' }] })),
    ).toEqual([]);
    expect(paths(pod({ initContainers: [{ name: 'i', image: 'x', volumeMounts: [{ name: 'nope', mountPath: '/m' }] }], containers: [app()] }))).toEqual([
      'spec.initContainers[0].volumeMounts[0].name',
    ]);
  });

  it('reports every problem, not only the first', () => {
    const errors = validatePod(pod({ containers: [{ name: 'Bad', env: [{ name: 'A', value: 'x', valueFrom: {} }] }, { name: 'Bad', image: 'x' }] }));
    expect(errors.map((e) => e.path).sort()).toEqual(
      ['spec.containers[0].name', 'spec.containers[0].image', 'spec.containers[1].name', 'spec.containers[1].name', 'spec.containers[0].env[0].valueFrom', 'spec.containers[0].env[0].valueFrom'].sort(),
    );
  });

  it('accepts every generated pod that has a container (the arbitrary is valid by construction)', () => {
    fc.assert(
      fc.property(podArbitrary(), (p) => {
        const errors = validatePod(p);
        const hasContainers = Array.isArray(p.spec?.containers) && p.spec.containers.length > 0;
        expect(errors).toEqual(hasContainers ? [] : [{ path: 'spec.containers', message: 'Required value' }]);
      }),
      { numRuns: 300 },
    );
  });
});
