// The connectivity probe end to end (spec/7.78/probe-7.78.md §3): a 7.78 replica (controllers and
// HTTPS server) against the Kubernetes API double, which runs the registered mutating webhooks on the
// probe's dry-run ConfigMap create. Reachable webhook: the ConfigMap comes back annotated and the run
// succeeds. Webhook unreachable or not registered: the run fails with the spec's message and log line.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startKubeApi, type KubeApi } from '@dd-admission/testing';
import { controllerConfig, controllerSuite, eventually, NAMESPACE, startReplica, type Replica } from './controller-harness.js';

const suite = controllerSuite();
let api: KubeApi | undefined;

/** Probe on, no grace period, a run every second. */
const PROBING = { 'admission_controller.probe.enabled': true, 'admission_controller.probe.grace_period': 0, 'admission_controller.probe.interval': 1 };

const NOT_HANDLED =
  "Admission controller probe failed: the webhook did not handle the probe configmap. This indicates a network connectivity issue between the Kubernetes API server and the cluster agent admission webhook. Ensure proper inbound network connectivity to the cluster agent's node on port 8000.";

/**
 * A double that routes calls to the webhook's Service to `port()` on 127.0.0.1 (as the cluster
 * network routes `<svc>.<ns>.svc` to a pod), with that Service and a ready endpoint stored as the
 * chart deploys them: the API server resolves a Service reference through both before it calls.
 */
async function doubleCalling(port: () => number): Promise<KubeApi> {
  suite.api = await startKubeApi({ webhooks: { serviceAddress: () => `https://127.0.0.1:${port()}` } });
  const metadata = { name: 'datadog-admission-controller', namespace: NAMESPACE };
  suite.api.apply({ apiVersion: 'v1', kind: 'Service', metadata, spec: { ports: [{ port: 443, targetPort: 8000 }] } });
  suite.api.apply({ apiVersion: 'v1', kind: 'Endpoints', metadata, subsets: [{ addresses: [{ ip: '10.0.0.7' }], ports: [{ port: 8000 }] }] });
  return suite.api;
}

async function replica(values: Record<string, unknown>): Promise<Replica> {
  const r = await startReplica(api!, suite.dir, 'replica-a', { config: controllerConfig({ ...PROBING, ...values }, '7.78'), withServer: true });
  suite.running.push(r);
  return r;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const probeCreates = (double: KubeApi) => double.requests.filter((q) => q.verb === 'create' && q.resource === 'configmaps');

describe('the probe against the API double', () => {
  it('webhook reachable: the dry-run ConfigMap comes back annotated, the run succeeds, nothing is stored', async () => {
    let port = 0;
    api = await doubleCalling(() => port);
    const r = await replica({});
    port = r.server!.port;
    const status = await eventually('a successful probe', () => {
      const s = r.controllers.probeStatus();
      return s.HasStats && (s.SuccessCount ?? 0) > 0 ? s : undefined;
    });
    expect(status).toMatchObject({ Enabled: true, HasStats: true, LastExecutionSuccess: true, LastExecutionError: '' });
    expect(api.store.list('configmaps')).toEqual([]);
    expect(probeCreates(api)[0]).toMatchObject({ namespace: NAMESPACE, status: 201 });
    expect(r.logs.some((l) => l.includes(`Admission controller probe is now active (namespace=${NAMESPACE}, interval=1s)`))).toBe(true);
    expect(r.logs.filter((l) => l.includes('Admission controller probe failed'))).toEqual([]);
  });

  it('webhook unreachable (failurePolicy Ignore fails open): the ConfigMap is not annotated; one error line with the hint', async () => {
    const port = await closedPort();
    api = await doubleCalling(() => port);
    const r = await replica({});
    const status = await eventually('two failed probes', () => {
      const s = r.controllers.probeStatus();
      return (s.FailCount ?? 0) >= 2 ? s : undefined;
    });
    expect(status).toMatchObject({ LastExecutionSuccess: false, LastExecutionError: 'dry-run probe configmap was not annotated by the webhook', SuccessCount: 0 });
    // The limiter: however many runs fail within ten minutes, one line.
    expect(r.logs.filter((l) => l.includes('Admission controller probe failed')).map((l) => l.slice(l.indexOf('Admission controller probe failed')))).toEqual([NOT_HANDLED]);
  });

  it('webhook not registered (mutation.enabled false: no MutatingWebhookConfiguration): the same failure', async () => {
    let port = 0;
    api = await doubleCalling(() => port);
    const r = await replica({ 'admission_controller.mutation.enabled': false });
    port = r.server!.port;
    const status = await eventually('a failed probe', () => {
      const s = r.controllers.probeStatus();
      return (s.FailCount ?? 0) >= 1 ? s : undefined;
    });
    expect(status.LastExecutionError).toBe('dry-run probe configmap was not annotated by the webhook');
    expect(r.logs.some((l) => l.endsWith(NOT_HANDLED))).toBe(true);
  });

  it('no RBAC to create ConfigMaps: a configuration error in the status', async () => {
    api = await doubleCalling(() => 0);
    api.faults.add({ match: { methods: ['POST'], resources: ['configmaps'] }, action: { kind: 'status', code: 403, message: 'configmaps is forbidden: User "replica-a" cannot create resource "configmaps"' } });
    const r = await replica({});
    const status = await eventually('a configuration error', () => {
      const s = r.controllers.probeStatus();
      return s.Error ? s : undefined;
    });
    expect(status).toEqual({
      Enabled: true,
      Error: `The cluster agent service account does not have permission to create configmaps in namespace "${NAMESPACE}". Grant configmap creation RBAC to enable connectivity probing.`,
    });
  });
});
