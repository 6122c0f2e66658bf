// End to end through the real HTTPS server: every webhook path, both AdmissionReview versions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionReview, config, metricValue, patchOf, review, send, startServer, uidOf, type TestServer } from './helpers.js';

const VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
const NOON = Date.UTC(2026, 10, 27, 10, 0, 0);
const OPTED_IN = { 'admission.datadoghq.com/enabled': 'true' };

let t: TestServer;
beforeAll(async () => {
  t = await startServer({ clock: { now: () => NOON }, agentNamespace: 'datadog-agent' });
});
afterAll(() => t.close());

describe.each(VERSIONS)('AdmissionReview %s', (apiVersion) => {
  it('/injectconfig: DD_AGENT_HOST from status.hostIP and DD_ENTITY_ID from metadata.uid', async () => {
    const body = admissionReview(apiVersion, { generateName: 'example-pod-123-', labels: OPTED_IN });
    const answer = await review(t, '/injectconfig', body);
    expect(answer.apiVersion).toBe(apiVersion);
    expect(answer.kind).toBe('AdmissionReview');
    expect(answer.response.uid).toBe(uidOf(body));
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.patchType).toBe('JSONPatch');
    expect(patchOf(answer)).toEqual([
      { op: 'add', path: '/spec/containers/0/env', value: [{ name: 'DD_AGENT_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }] },
      { op: 'add', path: '/spec/containers/0/env/0', value: { name: 'DD_ENTITY_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } } },
    ]);
  });

  it('/injectconfig in service mode uses the namespace the server runs in', async () => {
    const labels = { ...OPTED_IN, 'admission.datadoghq.com/config.mode': 'service' };
    const answer = await review(t, '/injectconfig', admissionReview(apiVersion, { name: 'web-0', labels }));
    expect(patchOf(answer)[0]).toEqual({
      op: 'add',
      path: '/spec/containers/0/env',
      value: [{ name: 'DD_AGENT_HOST', value: 'datadog.datadog-agent.svc.cluster.local' }],
    });
  });

  it('/injecttags: DD_ENV, DD_SERVICE and DD_VERSION from the pod labels', async () => {
    const labels = { ...OPTED_IN, 'tags.datadoghq.com/env': 'prod', 'tags.datadoghq.com/service': 'shop', 'tags.datadoghq.com/version': '1.2.3' };
    const body = admissionReview(apiVersion, { name: 'web-0', labels });
    const answer = await review(t, '/injecttags', body);
    expect(answer.apiVersion).toBe(apiVersion);
    expect(answer.response.uid).toBe(uidOf(body));
    expect(patchOf(answer)).toEqual([
      { op: 'add', path: '/spec/containers/0/env', value: [{ name: 'DD_ENV', value: 'prod' }] },
      { op: 'add', path: '/spec/containers/0/env/0', value: { name: 'DD_SERVICE', value: 'shop' } },
      { op: 'add', path: '/spec/containers/0/env/0', value: { name: 'DD_VERSION', value: '1.2.3' } },
    ]);
    expect(t.fetched).toEqual([]); // labels on the pod: no owner lookup
  });

  it('/injectlib: the python init container, volume, mount and PYTHONPATH', async () => {
    const annotations = { 'admission.datadoghq.com/python-lib.version': 'v1.18.0' };
    const body = admissionReview(apiVersion, { generateName: 'example-pod-123-', labels: OPTED_IN, annotations });
    const answer = await review(t, '/injectlib', body);
    expect(answer.apiVersion).toBe(apiVersion);
    expect(answer.response.uid).toBe(uidOf(body));
    const ops = patchOf(answer);
    expect(ops).toContainEqual({ op: 'add', path: '/spec/containers/0/env', value: [{ name: 'PYTHONPATH', value: '/datadog-lib/' }] });
    expect(ops).toContainEqual({
      op: 'add',
      path: '/spec/initContainers',
      value: [
        {
          name: 'datadog-lib-python-init',
          image: 'gcr.io/datadoghq/dd-lib-python-init:v1.18.0',
          command: ['sh', 'copy-lib.sh', '/datadog-lib'],
          volumeMounts: [{ name: 'datadog-auto-instrumentation', mountPath: '/datadog-lib' }],
        },
      ],
    });
    expect(ops).toContainEqual({ op: 'add', path: '/spec/volumes', value: [{ name: 'datadog-auto-instrumentation', emptyDir: {} }] });
  });

  it.each(['/injectconfig', '/injecttags', '/injectlib'])('%s: no patch and no patchType when nothing changes', async (path) => {
    const body = admissionReview(apiVersion, { name: 'web-0', labels: { 'admission.datadoghq.com/enabled': 'false' } });
    const answer = await review(t, path, body);
    expect(answer).toEqual({ apiVersion, kind: 'AdmissionReview', response: { uid: uidOf(body), allowed: true } });
  });
});

describe('fail open', () => {
  it('a webhook error is allowed, with no patch, the error as status and warning, a log line and a metric', async () => {
    const failing = await startServer({ config: config({ admission_controller: { inject_config: { mode: 'HostIP' } } }) });
    try {
      const body = admissionReview('admission.k8s.io/v1', { name: 'web-0', labels: OPTED_IN });
      const answer = await review(failing, '/injectconfig', body);
      expect(answer.response).toEqual({
        uid: uidOf(body),
        allowed: true,
        status: { message: 'invalid injection mode "HostIP"' },
        warnings: ['datadog config webhook: invalid injection mode "HostIP"; pod admitted without its changes'],
      });
      expect(failing.logs.some((l) => l.endsWith('| Failed to mutate: invalid injection mode "HostIP"') && l.includes('| WARN |'))).toBe(true);
      const text = (await send(failing, '/metrics', { method: 'GET', contentType: null })).text;
      expect(metricValue(text, 'admission_webhooks_mutation_errors', { mutation_type: 'agent_config', reason: 'unknown mode' })).toBe(1);
      expect(metricValue(text, 'admission_webhooks_mutation_attempts', { mutation_type: 'agent_config', status: 'error', injected: 'false' })).toBe(1);
    } finally {
      await failing.close();
    }
  });
});

describe('logs', () => {
  it('writes the cluster agent debug lines, one per env var per pod, with the injected clock', async () => {
    const before = t.logs.length;
    const containers = [
      { name: 'a', image: 'a:1' },
      { name: 'b', image: 'b:1' },
    ];
    await review(t, '/injectconfig', admissionReview('admission.k8s.io/v1', { generateName: 'example-pod-123-', namespace: 'shop', labels: OPTED_IN, containers }));
    const lines = t.logs.slice(before);
    expect(lines).toContain(
      "2026-11-27 10:00:00 UTC | CLUSTER | DEBUG | (pkg/clusteragent/admission/mutate/common.go:74 in injectEnv) | Injecting env var 'DD_AGENT_HOST' into pod with generate name example-pod-123-",
    );
    expect(lines.filter((l) => l.includes("Injecting env var 'DD_AGENT_HOST'"))).toHaveLength(1);
    expect(lines.filter((l) => l.includes("Injecting env var 'DD_ENTITY_ID'"))).toHaveLength(1);
  });

  it('names a pod with name and namespace as <ns>/<name>, and logs the init container line', async () => {
    const before = t.logs.length;
    const annotations = { 'admission.datadoghq.com/python-lib.version': 'v1.18.0' };
    await review(t, '/injectlib', admissionReview('admission.k8s.io/v1', { name: 'web-0', namespace: 'shop', labels: OPTED_IN, annotations }));
    const lines = t.logs.slice(before);
    expect(lines).toContain(
      '2026-11-27 10:00:00 UTC | CLUSTER | DEBUG | (pkg/clusteragent/admission/mutate/auto_instrumentation.go:336 in injectLibInitContainer) | Injecting init container named "datadog-lib-python-init" with image "gcr.io/datadoghq/dd-lib-python-init:v1.18.0" into pod shop/web-0',
    );
    // The library's own variables are set without a log line, as in the agent.
    expect(lines.some((l) => l.includes('PYTHONPATH'))).toBe(false);
  });

  it('writes JSON lines with --log-format json', async () => {
    const json = await startServer({ logFormat: 'json', clock: { now: () => NOON } });
    try {
      await review(json, '/injectconfig', admissionReview('admission.k8s.io/v1', { generateName: 'example-pod-123-', labels: OPTED_IN }));
      const entries = json.logs.map((l) => JSON.parse(l) as Record<string, string>);
      expect(entries).toContainEqual({
        agent: 'cluster',
        time: '2026-11-27 10:00:00 UTC',
        level: 'DEBUG',
        file: 'pkg/clusteragent/admission/mutate/common.go',
        line: '74',
        func: 'injectEnv',
        msg: "Injecting env var 'DD_AGENT_HOST' into pod with generate name example-pod-123-",
      });
    } finally {
      await json.close();
    }
  });
});

describe('/metrics', () => {
  it('exposes the admission_webhooks_* series after requests', async () => {
    const m = await startServer();
    try {
      await review(m, '/injectconfig', admissionReview('admission.k8s.io/v1', { name: 'p', labels: OPTED_IN }));
      await review(m, '/injectconfig', admissionReview('admission.k8s.io/v1beta1', { name: 'p', labels: { 'admission.datadoghq.com/enabled': 'false' } }));
      await review(m, '/injectlib', admissionReview('admission.k8s.io/v1', { name: 'p', labels: OPTED_IN, annotations: { 'admission.datadoghq.com/java-lib.version': 'v1.20.0' } }));
      await send(m, '/injecttags', { method: 'GET' });
      const reply = await send(m, '/metrics', { method: 'GET', contentType: null });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toContain('text/plain');
      const text = reply.text;
      const config = { mutation_type: 'agent_config', webhook_name: 'agent_config', webhook_type: 'mutating' };
      expect(metricValue(text, 'admission_webhooks_webhooks_received', config)).toBe(2);
      expect(metricValue(text, 'admission_webhooks_response_duration_count', config)).toBe(2);
      expect(metricValue(text, 'admission_webhooks_mutation_attempts', { mutation_type: 'agent_config', status: 'success', injected: 'true' })).toBe(1);
      expect(metricValue(text, 'admission_webhooks_mutation_attempts', { mutation_type: 'agent_config', status: 'success', injected: 'false' })).toBe(1);
      expect(metricValue(text, 'admission_webhooks_mutation_attempts', { mutation_type: 'lib_injection', status: 'success', injected: 'true' })).toBe(1);
      expect(metricValue(text, 'admission_webhooks_library_injection_attempts', { language: 'java', injected: 'true' })).toBe(1);
      expect(metricValue(text, 'admission_webhooks_rejected_requests', { mutation_type: 'standard_tags', status_code: '405' })).toBe(1);
      // The dev certificate is valid for a year: 8760 hours, less the seconds since it was made.
      const expiry = metricValue(text, 'admission_webhooks_certificate_expiry')!;
      expect(expiry).toBeGreaterThan(8759);
      expect(expiry).toBeLessThanOrEqual(8760.02);
    } finally {
      await m.close();
    }
  });
});
