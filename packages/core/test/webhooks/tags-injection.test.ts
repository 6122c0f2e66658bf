// Spec conformance: spec/tags-injection.md (tags webhook, 7.47 - 7.49).
// Label check: spec/README.md "Decisions" — the tags webhook uses the shared "should inject" check.
import { describe, expect, it } from 'vitest';
import {
  injectTags,
  mutate,
  ownerResource,
  ownerCacheKey,
  resolveOwner,
  reviewWebhook,
  parseAdmissionReview,
  type KubeObject,
  type Pod,
} from '@dd-admission/core';
import {
  config,
  makePod,
  OPT_IN,
  ENABLED,
  envOf,
  envNames,
  envEntry,
  expectPatchGivesPod,
  expectFailure,
  expectUnchanged,
  type PodOptions,
} from '../helpers.js';

const cfg = config();
const ENV = 'tags.datadoghq.com/env';
const SERVICE = 'tags.datadoghq.com/service';
const VERSION = 'tags.datadoghq.com/version';
const allTags = { [ENV]: 'prod', [SERVICE]: 'web', [VERSION]: '1.2.3' };

const rsRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b4', uid: 'rs-uid', controller: true };
const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { [ENV]: 'deploy-env', [SERVICE]: 'deploy-svc', [VERSION]: 'deploy-v' } },
};
const replicaSet: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: 'web-5d8f7c9b4',
    namespace: 'shop',
    labels: { [ENV]: 'rs-env', [SERVICE]: 'rs-svc', [VERSION]: 'rs-v' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }],
  },
};

function tagPod(o: PodOptions = {}): Pod {
  return makePod({ namespace: 'shop', ...o, labels: { ...OPT_IN, ...(o.labels ?? {}) } });
}

function tagEnv(pod: Pod, container = 'app'): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const e of envOf(pod, container)) if (['DD_ENV', 'DD_SERVICE', 'DD_VERSION'].includes(e.name)) out[e.name] = e.value ?? '';
  return out;
}

describe('tags-injection §1 label → env var mapping', () => {
  it('tags.datadoghq.com/env → DD_ENV, /service → DD_SERVICE, /version → DD_VERSION, literal values (no valueFrom)', () => {
    const input = tagPod({ labels: allTags });
    const r = injectTags(input, { namespace: 'shop' }, cfg);
    expect(tagEnv(r.pod)).toEqual({ DD_ENV: 'prod', DD_SERVICE: 'web', DD_VERSION: '1.2.3' });
    for (const name of ['DD_ENV', 'DD_SERVICE', 'DD_VERSION']) {
      expect(envEntry(r.pod, 'app', name)?.valueFrom).toBeUndefined();
    }
    expectPatchGivesPod(input, r);
  });

  it('label values are used verbatim', () => {
    const r = injectTags(tagPod({ labels: { [ENV]: 'Prod_EU-1', [VERSION]: 'v1.0.0+build.7' } }), { namespace: 'shop' }, cfg);
    expect(tagEnv(r.pod)).toEqual({ DD_ENV: 'Prod_EU-1', DD_VERSION: 'v1.0.0+build.7' });
  });

  it('only the three pod-level keys are read: per-container labels tags.datadoghq.com/<container>.env are not handled', () => {
    const input = tagPod({ labels: { 'tags.datadoghq.com/app.env': 'prod', 'tags.datadoghq.com/app.service': 'svc' } });
    const r = injectTags(input, { namespace: 'shop' }, cfg);
    expect(tagEnv(r.pod)).toEqual({});
  });

  it('every container and init container gets the same values, prepended before user vars (relative order of the three unspecified)', () => {
    const input = tagPod({
      labels: allTags,
      containers: [{ name: 'app', env: [{ name: 'A', value: 'a' }] }, { name: 'sidecar' }],
      initContainers: [{ name: 'init', env: [{ name: 'I', value: 'i' }] }],
    });
    const r = injectTags(input, { namespace: 'shop' }, cfg);
    for (const c of ['app', 'sidecar', 'init']) expect(tagEnv(r.pod, c)).toEqual({ DD_ENV: 'prod', DD_SERVICE: 'web', DD_VERSION: '1.2.3' });
    expect(envNames(r.pod, 'app').slice(0, 3).sort()).toEqual(['DD_ENV', 'DD_SERVICE', 'DD_VERSION']);
    expect(envNames(r.pod, 'app')[3]).toBe('A');
    expect(envNames(r.pod, 'init')[3]).toBe('I');
    expectPatchGivesPod(input, r);
  });
});

describe('tags-injection §2 decision flow', () => {
  it('§2 step 1: a missing pod is an error and is admitted unchanged', () => {
    const review = parseAdmissionReview({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', namespace: 'shop', object: null } });
    const { response, result } = reviewWebhook(review, 'tags', {}, cfg);
    expect(result.failure).toBeDefined();
    expect(response.response.allowed).toBe(true);
    expect(response.response.patch).toBeUndefined();
  });

  it('§2 step 2: label admission.datadoghq.com/enabled "false" → stop, no change', () => {
    const input = makePod({ namespace: 'shop', labels: { [ENABLED]: 'false', ...allTags } });
    expectUnchanged(input, injectTags(input, { namespace: 'shop' }, config({ 'admission_controller.mutate_unlabelled': true })));
  });

  it('§2 step 2 (README decision, shared "should inject" check): label absent → mutate iff mutate_unlabelled or SSI active for the namespace', () => {
    const input = makePod({ namespace: 'shop', labels: allTags });
    expectUnchanged(input, injectTags(input, { namespace: 'shop' }, cfg));
    expect(tagEnv(injectTags(input, { namespace: 'shop' }, config({ 'admission_controller.mutate_unlabelled': true })).pod)).toEqual({ DD_ENV: 'prod', DD_SERVICE: 'web', DD_VERSION: '1.2.3' });
    expect(tagEnv(injectTags(input, { namespace: 'shop' }, config({ 'apm_config.instrumentation.enabled_namespaces': ['shop'] })).pod)).toEqual({ DD_ENV: 'prod', DD_SERVICE: 'web', DD_VERSION: '1.2.3' });
  });

  it('§2 step 2 (README decision): SSI accept-all selector lets through an unlabelled pod whose namespace has SSI off → left alone', () => {
    // tags-injection §2: "mutated under the rule above, left alone under the shared check"
    const ssiCfg = config({ 'apm_config.instrumentation.enabled': true });
    const input = makePod({ namespace: 'kube-system', labels: allTags });
    const m = mutate(input, { namespace: 'kube-system' }, ssiCfg, ['tags']);
    expect(m.patch).toEqual([]);
    expect(m.pod).toEqual(input);
  });

  it('§2 step 2 (README decision): another label value → warning, then the absent-label fallback', () => {
    const input = makePod({ namespace: 'shop', labels: { [ENABLED]: 'yes', ...allTags } });
    const skip = injectTags(input, { namespace: 'shop' }, cfg);
    expectUnchanged(input, skip);
    expect(skip.warnings.length).toBeGreaterThan(0);
    const go = injectTags(input, { namespace: 'shop' }, config({ 'admission_controller.mutate_unlabelled': true }));
    expect(tagEnv(go.pod)).toEqual({ DD_ENV: 'prod', DD_SERVICE: 'web', DD_VERSION: '1.2.3' });
    expect(go.warnings.length).toBeGreaterThan(0);
  });

  it('§2 step 3: pod labels first — if one of the three exists, inject those that exist and stop (owners not consulted)', () => {
    const input = tagPod({ labels: { [ENV]: 'pod-env' }, ownerReferences: [rsRef] });
    const r = injectTags(input, { namespace: 'shop', owners: [replicaSet, deployment] }, cfg);
    expect(tagEnv(r.pod)).toEqual({ DD_ENV: 'pod-env' });
  });

  it('§2 step 3: pod labels first even when the owner would be missing (no lookup, no error)', () => {
    const input = tagPod({ labels: { [VERSION]: 'v9' }, ownerReferences: [rsRef] });
    const r = injectTags(input, { namespace: 'shop', owners: [] }, cfg);
    expect(r.failure).toBeUndefined();
    expect(tagEnv(r.pod)).toEqual({ DD_VERSION: 'v9' });
  });

  it('§2 step 3: a standard label that exists with an empty value counts as present', () => {
    const input = tagPod({ labels: { [ENV]: '' }, ownerReferences: [rsRef] });
    const r = injectTags(input, { namespace: 'shop', owners: [replicaSet, deployment] }, cfg);
    expect(tagEnv(r.pod)).toEqual({ DD_ENV: '' });
  });

  it('§2 step 4: the namespace is the AdmissionRequest namespace, else the pod metadata.namespace', () => {
    const noNs = makePod({ namespace: '', labels: OPT_IN, ownerReferences: [rsRef] });
    const fromRequest = injectTags(noNs, { namespace: 'shop', owners: [replicaSet, deployment] }, cfg);
    expect(tagEnv(fromRequest.pod)).toEqual({ DD_ENV: 'deploy-env', DD_SERVICE: 'deploy-svc', DD_VERSION: 'deploy-v' });
    const fromPod = injectTags(tagPod({ ownerReferences: [rsRef] }), { owners: [replicaSet, deployment] }, cfg);
    expect(tagEnv(fromPod.pod)).toEqual({ DD_ENV: 'deploy-env', DD_SERVICE: 'deploy-svc', DD_VERSION: 'deploy-v' });
  });

  it('§2 step 4: both namespaces empty → error "cannot get standard tags from parent object: empty namespace", admitted unchanged', () => {
    const input = makePod({ namespace: '', labels: OPT_IN, ownerReferences: [rsRef] });
    const r = injectTags(input, { owners: [replicaSet, deployment] }, cfg);
    expectFailure(input, r, 'cannot get standard tags from parent object: empty namespace');
  });

  it('§2 step 4 comes before step 5: empty namespace is an error even without owner references', () => {
    const input = makePod({ namespace: '', labels: OPT_IN });
    expectFailure(input, injectTags(input, {}, cfg), 'cannot get standard tags from parent object: empty namespace');
  });

  it('§2 step 5: no ownerReferences → stop, no change', () => {
    const input = tagPod();
    const r = injectTags(input, { namespace: 'shop', owners: [deployment] }, cfg);
    expectUnchanged(input, r);
  });

  it('§2 step 6: owner lookup error (owner not found) → error, admitted unchanged (no patch at all)', () => {
    const input = tagPod({ ownerReferences: [rsRef] });
    const r = injectTags(input, { namespace: 'shop', owners: [] }, cfg);
    expect(r.failure).toBeDefined();
    expect(r.patch).toEqual([]);
    expect(r.pod).toEqual(input);
  });

  it('§2 step 7: inject the labels of the owner object\'s own metadata.labels, not its pod template labels', () => {
    const sts: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'shop', labels: { [SERVICE]: 'db-own' } },
      spec: { template: { metadata: { labels: { [SERVICE]: 'db-template', [ENV]: 'template-env' } } } },
    } as KubeObject;
    const input = tagPod({ ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }] });
    const r = injectTags(input, { namespace: 'shop', owners: [sts] }, cfg);
    expect(tagEnv(r.pod)).toEqual({ DD_SERVICE: 'db-own' });
    expectPatchGivesPod(input, r);
  });

  it('§2 step 7: owner without standard labels → no change', () => {
    const ds: KubeObject = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'shop', labels: { app: 'ds' } } };
    const input = tagPod({ ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds' }] });
    const r = injectTags(input, { namespace: 'shop', owners: [ds] }, cfg);
    expect(r.failure).toBeUndefined();
    expect(r.patch).toEqual([]);
  });
});

describe('tags-injection §3 owner lookup', () => {
  it('only ownerReferences[0] of the pod is used', () => {
    const sts: KubeObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'first', namespace: 'shop', labels: { [ENV]: 'first-env' } } };
    const other: KubeObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'second', namespace: 'shop', labels: { [ENV]: 'second-env' } } };
    const input = tagPod({
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'first' },
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'second' },
      ],
    });
    expect(tagEnv(injectTags(input, { namespace: 'shop', owners: [other, sts] }, cfg).pod)).toEqual({ DD_ENV: 'first-env' });
    // ownerReferences[0] missing → error even though [1] exists
    expect(injectTags(input, { namespace: 'shop', owners: [other] }, cfg).failure).toBeDefined();
  });

  it('resource to fetch: group/version from apiVersion; resource = lower-cased kind + "s"', () => {
    expect(ownerResource({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b4' }, 'shop')).toMatchObject({ group: 'apps', version: 'v1', resource: 'replicasets', name: 'web-5d8f7c9b4', namespace: 'shop' });
    expect(ownerResource({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 's' }, 'ns').resource).toBe('statefulsets');
    expect(ownerResource({ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'd' }, 'ns').resource).toBe('daemonsets');
    expect(ownerResource({ apiVersion: 'batch/v1', kind: 'Job', name: 'j' }, 'ns')).toMatchObject({ group: 'batch', version: 'v1', resource: 'jobs' });
    expect(ownerResource({ apiVersion: 'v1', kind: 'ReplicationController', name: 'rc' }, 'ns')).toMatchObject({ group: '', version: 'v1', resource: 'replicationcontrollers' });
  });

  it('cache key <namespace>/<name>/<group>/<version>, Resource=<resource>; core group renders as /v1, Resource=…', () => {
    expect(ownerCacheKey(ownerResource({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b4' }, 'shop'))).toBe('shop/web-5d8f7c9b4/apps/v1, Resource=replicasets');
    expect(ownerCacheKey(ownerResource({ apiVersion: 'v1', kind: 'ReplicationController', name: 'rc' }, 'shop'))).toBe('shop/rc//v1, Resource=replicationcontrollers');
  });

  it('the owner is fetched in the namespace from step 4 (an object of that name in another namespace is not it)', () => {
    const elsewhere: KubeObject = { ...deployment, metadata: { ...deployment.metadata, namespace: 'other' } };
    const input = tagPod({ ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }] });
    expect(injectTags(input, { namespace: 'shop', owners: [elsewhere] }, cfg).failure).toBeDefined();
    expect(tagEnv(injectTags(input, { namespace: 'shop', owners: [deployment] }, cfg).pod)).toEqual({ DD_ENV: 'deploy-env', DD_SERVICE: 'deploy-svc', DD_VERSION: 'deploy-v' });
  });

  it('ReplicaSet hop: a ReplicaSet with an owner reference → its ownerReferences[0] (the Deployment) is used', () => {
    const input = tagPod({ ownerReferences: [rsRef] });
    const r = injectTags(input, { namespace: 'shop', owners: [replicaSet, deployment] }, cfg);
    expect(tagEnv(r.pod)).toEqual({ DD_ENV: 'deploy-env', DD_SERVICE: 'deploy-svc', DD_VERSION: 'deploy-v' });
    const owner = resolveOwner(input, 'shop', [replicaSet, deployment]);
    expect('object' in owner && owner.object.kind).toBe('Deployment');
  });

  it('ReplicaSet hop: the Deployment not found → error, admitted unchanged', () => {
    const input = tagPod({ ownerReferences: [rsRef] });
    const r = injectTags(input, { namespace: 'shop', owners: [replicaSet] }, cfg);
    expect(r.failure).toBeDefined();
    expect(r.patch).toEqual([]);
  });

  it('ReplicaSet without owner references → the ReplicaSet\'s own labels', () => {
    const bare: KubeObject = { ...replicaSet, metadata: { ...replicaSet.metadata, ownerReferences: [] } };
    const r = injectTags(tagPod({ ownerReferences: [rsRef] }), { namespace: 'shop', owners: [bare] }, cfg);
    expect(tagEnv(r.pod)).toEqual({ DD_ENV: 'rs-env', DD_SERVICE: 'rs-svc', DD_VERSION: 'rs-v' });
  });

  it('Depth: a Job owned by a CronJob is NOT followed — the Job\'s labels are used', () => {
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'nightly-28000000', namespace: 'shop', labels: { [SERVICE]: 'job-svc' }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly' }] },
    };
    const cron: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'shop', labels: { [SERVICE]: 'cron-svc', [ENV]: 'cron-env' } } };
    const input = tagPod({ ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'nightly-28000000' }] });
    const r = injectTags(input, { namespace: 'shop', owners: [job, cron] }, cfg);
    expect(tagEnv(r.pod)).toEqual({ DD_SERVICE: 'job-svc' });
    // and the CronJob being absent is no error: it is never fetched
    expect(tagEnv(injectTags(input, { namespace: 'shop', owners: [job] }, cfg).pod)).toEqual({ DD_SERVICE: 'job-svc' });
  });

  it('Depth: exactly one extra hop — a Deployment with an owner reference is not followed further', () => {
    const ownedDeploy: KubeObject = {
      ...deployment,
      metadata: { ...deployment.metadata, ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Rollout', name: 'r' }] },
    };
    const r = injectTags(tagPod({ ownerReferences: [rsRef] }), { namespace: 'shop', owners: [replicaSet, ownedDeploy] }, cfg);
    expect(tagEnv(r.pod)).toEqual({ DD_ENV: 'deploy-env', DD_SERVICE: 'deploy-svc', DD_VERSION: 'deploy-v' });
  });
});

describe('tags-injection §4 precedence', () => {
  it('a var already present in a container (user or earlier webhook) is never touched; other containers get the label value', () => {
    const userEnv = { name: 'DD_ENV', value: 'staging' };
    const userSvc = { name: 'DD_SERVICE', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } };
    const input = tagPod({
      labels: allTags,
      containers: [{ name: 'app', env: [userEnv, userSvc] }, { name: 'other' }],
    });
    const r = injectTags(input, { namespace: 'shop' }, cfg);
    expect(envOf(r.pod, 'app')).toEqual([{ name: 'DD_VERSION', value: '1.2.3' }, userEnv, userSvc]);
    expect(tagEnv(r.pod, 'other')).toEqual({ DD_ENV: 'prod', DD_SERVICE: 'web', DD_VERSION: '1.2.3' });
  });

  it('owner labels do not overwrite existing vars either', () => {
    const input = tagPod({ ownerReferences: [rsRef], containers: [{ name: 'app', env: [{ name: 'DD_SERVICE', value: 'mine' }] }] });
    const r = injectTags(input, { namespace: 'shop', owners: [replicaSet, deployment] }, cfg);
    expect(tagEnv(r.pod)).toEqual({ DD_ENV: 'deploy-env', DD_SERVICE: 'mine', DD_VERSION: 'deploy-v' });
  });

  it('pod labels (any of the three) win over the owner entirely', () => {
    const input = tagPod({ labels: { [SERVICE]: 'pod-svc' }, ownerReferences: [rsRef] });
    const r = injectTags(input, { namespace: 'shop', owners: [replicaSet, deployment] }, cfg);
    expect(tagEnv(r.pod)).toEqual({ DD_SERVICE: 'pod-svc' });
  });

  it('the tags webhook runs before lib injection, so its DD_SERVICE wins over the lib.config.v1 service_name', () => {
    const input = tagPod({
      labels: { [SERVICE]: 'from-label' },
      annotations: {
        'admission.datadoghq.com/python-lib.version': 'v1.18.0',
        'admission.datadoghq.com/python-lib.config.v1': '{"service_name":"from-lib-config"}',
      },
    });
    const m = mutate(input, { namespace: 'shop' }, cfg, ['tags', 'auto-instrumentation']);
    expect(envEntry(m.pod, 'app', 'DD_SERVICE')).toEqual({ name: 'DD_SERVICE', value: 'from-label' });
  });
});

describe('tags-injection §5 config keys', () => {
  it('defaults: inject_tags.enabled true, endpoint /injecttags, pod_owners_cache_validity 10', () => {
    expect(cfg.admission_controller.inject_tags.enabled).toBe(true);
    expect(cfg.admission_controller.inject_tags.endpoint).toBe('/injecttags');
    expect(cfg.admission_controller.pod_owners_cache_validity).toBe(10);
  });
});
