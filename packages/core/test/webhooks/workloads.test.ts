// Workload documents seen as the pod the webhook receives (spec/README.md "Preview = what the cluster
// would do"), checked against the owner rules of tags-injection.md §3 and lib-injection.md §5.2.
import { describe, expect, it } from 'vitest';
import {
  podView,
  documentWithPod,
  documentPatch,
  misplacedMetadata,
  podTemplateHash,
  deploymentOfReplicaSet,
  serviceNameFromOwner,
  mutate,
  injectTags,
  InvalidDocumentError,
} from '@dd-admission/core';
import { config, envValue, applyPatch } from '../helpers.js';

const deploymentDoc = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { 'tags.datadoghq.com/service': 'web-svc', 'tags.datadoghq.com/env': 'prod' } },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web', 'admission.datadoghq.com/enabled': 'true' } },
      spec: { containers: [{ name: 'app', image: 'web:1' }] },
    },
  },
});

const cronDoc = () => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'nightly', namespace: 'jobs', labels: { 'tags.datadoghq.com/service': 'cron-svc' } },
  spec: {
    schedule: '0 0 * * *',
    jobTemplate: {
      metadata: { labels: { 'tags.datadoghq.com/env': 'job-env' } },
      spec: { template: { metadata: { labels: { 'admission.datadoghq.com/enabled': 'true' } }, spec: { containers: [{ name: 'run', image: 'r:1' }], restartPolicy: 'Never' } } },
    },
  },
});

describe('podView: a Deployment becomes pod ← ReplicaSet ← Deployment', () => {
  it('the pod is owned by a ReplicaSet <deployment>-<pod-template-hash> that is owned by the Deployment', () => {
    const view = podView(deploymentDoc(), 'shop');
    expect(view.kind).toBe('Deployment');
    expect(view.templatePath).toEqual(['spec', 'template']);
    const ref = view.pod.metadata!.ownerReferences![0]!;
    expect(ref.kind).toBe('ReplicaSet');
    expect(ref.apiVersion).toBe('apps/v1');
    expect(ref.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{3,}$/);
    expect(view.pod.metadata!.namespace).toBe('shop');
    expect(view.pod.metadata!.labels).toEqual({ app: 'web', 'admission.datadoghq.com/enabled': 'true' });
    expect(view.owners.map((o) => o.kind)).toEqual(['ReplicaSet', 'Deployment']);
    expect(view.owners[0]!.metadata.ownerReferences![0]).toMatchObject({ kind: 'Deployment', name: 'web' });
  });

  it('pod-template-hash uses the safe alphabet, so SSI derives DD_SERVICE = the Deployment name (§5.2)', () => {
    const hash = podTemplateHash(deploymentDoc().spec.template);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{3,}$/);
    const view = podView(deploymentDoc(), 'shop');
    expect(deploymentOfReplicaSet(view.pod.metadata!.ownerReferences![0]!.name)).toBe('web');
    expect(serviceNameFromOwner(view.pod)).toBe('web');
  });

  it('tags webhook: the ReplicaSet hop reaches the Deployment\'s own labels (§3)', () => {
    const view = podView(deploymentDoc(), 'shop');
    const r = injectTags(view.pod, { namespace: 'shop', owners: view.owners }, config());
    expect(envValue(r.pod, 'app', 'DD_SERVICE')).toBe('web-svc');
    expect(envValue(r.pod, 'app', 'DD_ENV')).toBe('prod');
  });

  it('the metadata namespace wins over the default namespace', () => {
    const doc = deploymentDoc();
    (doc.metadata as Record<string, unknown>).namespace = 'prod-ns';
    expect(podView(doc, 'shop').pod.metadata!.namespace).toBe('prod-ns');
  });
});

describe('podView: a CronJob becomes pod ← Job ← CronJob; the Job is not followed (tags-injection §3 Depth)', () => {
  it('tags come from the Job (jobTemplate labels), never from the CronJob', () => {
    const view = podView(cronDoc(), 'default');
    expect(view.templatePath).toEqual(['spec', 'jobTemplate', 'spec', 'template']);
    expect(view.pod.metadata!.ownerReferences![0]).toMatchObject({ kind: 'Job', apiVersion: 'batch/v1' });
    const r = injectTags(view.pod, { namespace: 'jobs', owners: view.owners }, config());
    expect(envValue(r.pod, 'run', 'DD_ENV')).toBe('job-env');
    expect(envValue(r.pod, 'run', 'DD_SERVICE')).toBeUndefined();
  });

  it('misplacedMetadata explains the CronJob-label trap', () => {
    const doc = cronDoc();
    const notes = misplacedMetadata(doc, podView(doc, 'default'));
    expect(notes.some((n) => n.includes('tags.datadoghq.com/service') && n.includes('CronJob'))).toBe(true);
  });
});

describe('podView: other kinds', () => {
  it('StatefulSet / DaemonSet / Job own their pods directly', () => {
    for (const [kind, apiVersion] of [['StatefulSet', 'apps/v1'], ['DaemonSet', 'apps/v1'], ['Job', 'batch/v1']] as const) {
      const view = podView({ apiVersion, kind, metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'c' }] } } } }, 'ns');
      expect(view.pod.metadata!.ownerReferences![0]).toMatchObject({ kind, name: 'x' });
      expect(serviceNameFromOwner(view.pod)).toBe('x');
    }
  });

  it('a Pod is itself, with its namespace defaulted', () => {
    const view = podView({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } }, 'ns');
    expect(view.templatePath).toEqual([]);
    expect(view.owners).toEqual([]);
    expect(view.pod.metadata!.namespace).toBe('ns');
  });

  it('a kind without a pod template is rejected', () => {
    expect(() => podView({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }, 'ns')).toThrow(InvalidDocumentError);
  });
});

describe('documentPatch / documentWithPod', () => {
  it('the pod patch re-rooted at the template applies to the document and gives documentWithPod', () => {
    const doc = deploymentDoc();
    const view = podView(doc, 'shop');
    const m = mutate(view.pod, { namespace: 'shop', owners: view.owners }, config());
    expect(m.patch.length).toBeGreaterThan(0);
    const patch = documentPatch(m.patch, view);
    for (const op of patch) expect(op.path.startsWith('/spec/template/')).toBe(true);
    const out = documentWithPod(doc, view, m.pod);
    expect(applyPatch(doc, patch)).toEqual(out);
    expect(doc).toEqual(deploymentDoc());
  });

  it('7.58+: the annotations a webhook adds go to the pod template, the patch agrees, the workload\'s own metadata is untouched', () => {
    const doc = deploymentDoc();
    const view = podView(doc, 'shop');
    const m = mutate(view.pod, { namespace: 'shop', owners: view.owners }, config({ 'admission_controller.inject_config.mode': 'socket' }, '7.78'));
    const out = documentWithPod(doc, view, m.pod) as ReturnType<typeof deploymentDoc>;
    expect((out.spec.template.metadata as { annotations?: object }).annotations).toEqual({ 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'datadog' });
    expect(out.metadata).toEqual(doc.metadata);
    expect(out.spec.template.metadata.labels).toEqual(doc.spec.template.metadata.labels);
    expect(applyPatch(doc, documentPatch(m.patch, view))).toEqual(out);
  });

  it('a CronJob patch is rooted at /spec/jobTemplate/spec/template', () => {
    const view = podView(cronDoc(), 'default');
    const patch = documentPatch([{ op: 'add', path: '/spec/volumes', value: [] }], view);
    expect(patch).toEqual([{ op: 'add', path: '/spec/jobTemplate/spec/template/spec/volumes', value: [] }]);
  });

  it('misplacedMetadata: an enabled label on the workload instead of the pod template', () => {
    const doc = deploymentDoc();
    (doc.metadata.labels as Record<string, string>)['admission.datadoghq.com/enabled'] = 'true';
    delete (doc.spec.template.metadata.labels as Record<string, string>)['admission.datadoghq.com/enabled'];
    const notes = misplacedMetadata(doc, podView(doc, 'shop'));
    expect(notes.some((n) => n.includes('admission.datadoghq.com/enabled'))).toBe(true);
  });
});
