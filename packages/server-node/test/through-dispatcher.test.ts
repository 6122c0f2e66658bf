// The server end to end as kube-apiserver calls it: the dispatcher harness of
// packages/testing (TLS verified against the CA bundle, ?timeout=10s, response
// rules, strict patch application, Pod validation, reinvocation) against the real
// HTTPS server; the same golden corpus the core and the CLI are checked with.
import { afterAll, describe, expect, it } from 'vitest';
import {
  documentWithPod,
  isPodBearing,
  isWebhookEnabled,
  mutate,
  podView,
  WEBHOOKS,
  webhookSelectors,
  type AdmissionConfig,
  type KubeObject,
  type OwnerResource,
  type Pod,
  type WebhookName,
} from '@dd-admission/core';
import { dispatch, loadFixtures, type WebhookRegistration } from '@dd-admission/testing';
import { config, startServer, type TestServer } from './helpers.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const PATHS: Record<WebhookName, string> = { config: '/injectconfig', tags: '/injecttags', 'auto-instrumentation': '/injectlib' };
const NAMES: Record<WebhookName, string> = {
  config: 'datadog.webhook.config',
  tags: 'datadog.webhook.tags',
  'auto-instrumentation': 'datadog.webhook.auto.instrumentation',
};

/** The registrations the cluster agent writes for this config, pointed at the test server. */
function registrations(server: TestServer, cfg: AdmissionConfig, version: 'v1' | 'v1beta1'): WebhookRegistration[] {
  const selectors = webhookSelectors(cfg);
  return WEBHOOKS.filter((w) => isWebhookEnabled(cfg, w)).map((w) => ({
    name: NAMES[w],
    url: `${server.base}${PATHS[w]}`,
    caBundle: Buffer.from(server.ca).toString('base64'),
    failurePolicy: 'Ignore' as const,
    reinvocationPolicy: 'IfNeeded' as const,
    sideEffects: 'None' as const,
    timeoutSeconds: 10,
    admissionReviewVersions: [version],
    ...selectors,
  }));
}

/** An owner fetch over a set of objects, as the Kubernetes API would answer. */
function fetchFrom(objects: readonly KubeObject[]) {
  return async (r: OwnerResource): Promise<KubeObject> => {
    const found = objects.find((o) => o.kind === r.kind && o.metadata.name === r.name);
    if (!found) throw new Error(`${r.resource} "${r.name}" not found`);
    return found;
  };
}

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serverFor(values: Record<string, unknown>, owners: readonly KubeObject[], agentNamespace = 'datadog', agentVersion?: string): Promise<{ server: TestServer; cfg: AdmissionConfig }> {
  const cfg = config(values, agentVersion);
  const server = await startServer({ config: cfg, fetch: fetchFrom(owners), agentNamespace, logLevel: 'error' });
  servers.push(server);
  return { server, cfg };
}

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { 'tags.datadoghq.com/env': 'prod', 'tags.datadoghq.com/service': 'web', 'tags.datadoghq.com/version': '1.4.2' } },
};
const replicaSet: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-5d8f7c9b4', namespace: 'shop', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd1' }] },
};

function appPod(extraLabels: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'web-5d8f7c9b4-',
      namespace: 'shop',
      labels: { app: 'web', 'admission.datadoghq.com/enabled': 'true', ...extraLabels },
      annotations: { 'admission.datadoghq.com/java-lib.version': 'v1.31.0' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b4', uid: 'r1', controller: true }],
    },
    spec: {
      containers: [{ name: 'app', image: 'shop/web:1.4.2', env: [{ name: 'JAVA_TOOL_OPTIONS', value: '-Xmx512m' }] }],
      initContainers: [{ name: 'migrate', image: 'shop/migrate:1' }],
    },
  };
}

const envOf = (pod: Pod, list: 'containers' | 'initContainers', name: string) => pod.spec?.[list]?.find((c) => c.name === name)?.env ?? [];
const envValue = (pod: Pod, list: 'containers' | 'initContainers', container: string, name: string) => envOf(pod, list, container).find((e) => e.name === name);

describe('every webhook and mode through the dispatcher and the real server', () => {
  const modes = [
    { mode: 'hostip', check: (p: Pod) => expect(envValue(p, 'containers', 'app', 'DD_AGENT_HOST')).toEqual({ name: 'DD_AGENT_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }) },
    { mode: 'service', check: (p: Pod) => expect(envValue(p, 'containers', 'app', 'DD_AGENT_HOST')).toEqual({ name: 'DD_AGENT_HOST', value: 'datadog.datadog.svc.cluster.local' }) },
    {
      mode: 'socket',
      check: (p: Pod) => {
        expect(envValue(p, 'containers', 'app', 'DD_TRACE_AGENT_URL')?.value).toBe('unix:///var/run/datadog/apm.socket');
        expect(envValue(p, 'containers', 'app', 'DD_DOGSTATSD_URL')?.value).toBe('unix:///var/run/datadog/dsd.socket');
        expect(p.spec?.volumes).toContainEqual({ name: 'datadog', hostPath: { path: '/var/run/datadog', type: 'DirectoryOrCreate' } });
        expect(p.spec?.containers?.[0]?.volumeMounts).toContainEqual({ name: 'datadog', mountPath: '/var/run/datadog', readOnly: true });
      },
    },
  ] as const;

  for (const { mode, check } of modes) {
    for (const version of ['v1', 'v1beta1'] as const) {
      it(`${mode} mode, AdmissionReview ${version}: the cluster's result equals the core's`, async () => {
        const { server, cfg } = await serverFor({ admission_controller: { inject_config: { mode } } }, [replicaSet, deployment]);
        const pod = appPod();
        const result = await dispatch(pod, { namespace: 'shop', webhooks: registrations(server, cfg, version) });
        expect(result.rejected).toBeUndefined();
        expect(result.allowed).toBe(true);
        expect(result.failedOpen).toEqual([]);
        // Same core through both doors: the preview's answer is what the cluster gets.
        const preview = mutate(pod, { namespace: 'shop', agentNamespace: 'datadog', owners: [replicaSet, deployment] }, cfg);
        expect(result.pod).toEqual(JSON.parse(JSON.stringify(preview.pod)));
        check(result.pod);
        expect(envValue(result.pod, 'containers', 'app', 'DD_ENTITY_ID')).toEqual({ name: 'DD_ENTITY_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } });
        // tags from the Deployment, through the ReplicaSet hop, fetched by the server
        expect(envValue(result.pod, 'containers', 'app', 'DD_ENV')?.value).toBe('prod');
        expect(envValue(result.pod, 'containers', 'app', 'DD_VERSION')?.value).toBe('1.4.2');
        expect(server.fetched.map((r) => `${r.kind}/${r.name}`)).toEqual(['ReplicaSet/web-5d8f7c9b4', 'Deployment/web']);
        // library: init container first, JAVA_TOOL_OPTIONS combined with the user's value
        expect(result.pod.spec?.initContainers?.map((c) => c.name)).toEqual(['datadog-lib-java-init', 'migrate']);
        expect(envValue(result.pod, 'containers', 'app', 'JAVA_TOOL_OPTIONS')?.value).toMatch(/^-Xmx512m -javaagent:\/datadog-lib\/dd-java-agent\.jar /);
        // reinvocation: config and tags ran again and reached the new init container; that change
        // came after library injection ran, so it is called again too (and changes nothing)
        expect(result.reinvoked).toBe(true);
        expect(envValue(result.pod, 'initContainers', 'datadog-lib-java-init', 'DD_ENTITY_ID')).toBeDefined();
        expect(result.calls.map((c) => `${c.webhook}${c.reinvocation ? ' (again)' : ''}`)).toEqual([
          'datadog.webhook.config',
          'datadog.webhook.tags',
          'datadog.webhook.auto.instrumentation',
          'datadog.webhook.config (again)',
          'datadog.webhook.tags (again)',
          'datadog.webhook.auto.instrumentation (again)',
        ]);
        expect(result.calls.at(-1)?.changed).toBe(false);
        expect(result.calls.every((c) => c.version === version)).toBe(true);
      });
    }
  }

  it('an unlabelled pod is not sent to any webhook (objectSelector), as in the cluster', async () => {
    const { server, cfg } = await serverFor({}, []);
    const pod = appPod();
    delete (pod.metadata!.labels as Record<string, string>)['admission.datadoghq.com/enabled'];
    const result = await dispatch(pod, { namespace: 'shop', webhooks: registrations(server, cfg, 'v1') });
    expect(result.calls).toEqual([]);
    expect(result.pod).toEqual(pod);
  });

  it('a webhook failure fails open: allowed, that webhook changes nothing, the others still apply', async () => {
    const { server, cfg } = await serverFor({ admission_controller: { inject_config: { mode: 'HostIP' } } }, [replicaSet, deployment]);
    const result = await dispatch(appPod(), { namespace: 'shop', webhooks: registrations(server, cfg, 'v1') });
    expect(result.allowed).toBe(true);
    expect(result.warnings.some((w) => w.includes('invalid injection mode "HostIP"'))).toBe(true);
    expect(envValue(result.pod, 'containers', 'app', 'DD_AGENT_HOST')).toBeUndefined();
    expect(envValue(result.pod, 'containers', 'app', 'DD_ENTITY_ID')).toBeUndefined();
    expect(envValue(result.pod, 'containers', 'app', 'DD_ENV')?.value).toBe('prod');
  });

  it('dry run: the same answer, and no owner is cached', async () => {
    const { server, cfg } = await serverFor({}, [replicaSet, deployment]);
    const first = await dispatch(appPod(), { namespace: 'shop', dryRun: true, webhooks: registrations(server, cfg, 'v1') });
    const second = await dispatch(appPod(), { namespace: 'shop', dryRun: true, webhooks: registrations(server, cfg, 'v1') });
    expect(second.pod).toEqual(first.pod);
    expect(envValue(first.pod, 'containers', 'app', 'DD_SERVICE')?.value).toBe('web');
    // without a cache write, each dry run fetched the owners again (twice per run: first call and reinvocation)
    expect(server.fetched.filter((r) => r.kind === 'ReplicaSet').length).toBe(4);
  });
});

describe('golden fixtures through the dispatcher and the real server', () => {
  const fixtures = loadFixtures();

  for (const fixture of fixtures) {
    it(fixture.name, async () => {
      const objects = fixture.inputDocs.flatMap((d) => (isObject(d) && d.kind === 'List' && Array.isArray(d.items) ? d.items : [d])).filter(isObject);
      const namespaceLabels = (ns: string) => {
        const found = objects.find((o) => o.kind === 'Namespace' && (o.metadata as Obj | undefined)?.name === ns);
        return ((found?.metadata as Obj | undefined)?.labels as Record<string, string> | undefined) ?? {};
      };
      const run = async (doc: unknown): Promise<unknown> => {
        if (!isObject(doc)) return doc;
        if (doc.kind === 'List' && Array.isArray(doc.items)) return { ...doc, items: await Promise.all(doc.items.map(run)) };
        if (!isPodBearing(doc.kind)) return doc;
        const view = podView(doc, fixture.context.namespace);
        const others = objects.filter((o) => o !== doc && isObject(o.metadata)) as unknown as KubeObject[];
        const { server, cfg } = await serverFor(fixture.config ?? {}, [...view.owners, ...others], fixture.context.agentNamespace, fixture.agentVersion);
        const namespace = view.pod.metadata?.namespace ?? fixture.context.namespace;
        const result = await dispatch(view.pod, { namespace, webhooks: registrations(server, cfg, 'v1'), namespaceLabels: namespaceLabels(namespace) });
        expect(result.rejected, JSON.stringify(result.rejected)).toBeUndefined();
        return documentWithPod(doc, view, result.pod);
      };
      const outputs = [];
      for (const doc of fixture.inputDocs) outputs.push(await run(doc));
      expect(JSON.parse(JSON.stringify(outputs))).toEqual(fixture.expectedDocs);
    });
  }
});
