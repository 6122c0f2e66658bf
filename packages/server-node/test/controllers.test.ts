// The certificate Secret and webhook configuration controllers with leader election, against
// the Kubernetes API double through @kubernetes/client-node (controllers spec §1-§4).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { certificateHosts, sameWebhooks, webhookConfiguration } from '@dd-admission/core';
import { connectKube, RESOURCES } from '@dd-admission/kube';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { generateCertificate } from '../src/controllers/certificate.js';
import { microTime } from '../src/controllers/leader-election.js';
import { watchObject } from '../src/controllers/object-watch.js';
import { createLogger } from '../src/logger.js';
import { startKubeApi, type KubeApi } from '@dd-admission/testing';
import {
  admitPod,
  controllerConfig,
  eventually,
  expectedWebhooks,
  manualClock,
  MWC,
  NAMESPACE,
  scratch,
  servedFingerprint,
  serviceClients,
  startReplica,
  storedConfiguration,
  storedSecret,
  type Replica,
} from './controller-harness.js';

const HOUR = 3_600_000;
let dir: string;
let removeDir: () => Promise<void>;
let api: KubeApi;
const running: Replica[] = [];

beforeAll(async () => {
  ({ dir, remove: removeDir } = await scratch());
});

afterAll(async () => {
  await removeDir();
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  await api?.close();
});

async function replica(identity: string, options: Parameters<typeof startReplica>[3] = {}): Promise<Replica> {
  const r = await startReplica(api, dir, identity, options);
  running.push(r);
  return r;
}

const pem = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

/** The Secret and the webhook configuration exist and agree (the CA bundle is the Secret's cert.pem). */
async function converged(): Promise<{ cert: string; caBundle: string }> {
  return eventually('the Secret and a webhook configuration with its CA bundle', () => {
    const secret = storedSecret(api);
    const configuration = storedConfiguration(api);
    const cert = secret?.data?.['cert.pem'];
    if (!cert || !configuration) return undefined;
    const bundles = new Set(configuration.webhooks?.map((w) => w.clientConfig.caBundle));
    return bundles.size === 1 && bundles.has(cert) ? { cert, caBundle: cert } : undefined;
  });
}

describe('first start on an empty cluster', () => {
  it('creates the Secret and the datadog-webhook configuration; the CA bundle is the served certificate', async () => {
    api = await startKubeApi();
    const config = controllerConfig();
    const a = await replica('replica-a', { withServer: true });
    const { cert } = await converged();

    // The Secret: cert.pem and key.pem, type Opaque, nothing else set by us.
    const secret = storedSecret(api)!;
    expect(Object.keys(secret.data!).sort()).toEqual(['cert.pem', 'key.pem']);
    expect(secret.type).toBe('Opaque');
    expect(secret.metadata.labels).toBeUndefined();
    expect(pem(secret.data!['key.pem']!)).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(createPrivateKey(pem(secret.data!['key.pem']!)).asymmetricKeyDetails?.modulusLength).toBe(2048);

    // The certificate of controllers spec §2.2.
    const x509 = new X509Certificate(pem(cert));
    expect(x509.subject).toBe('O=Datadog');
    expect(x509.issuer).toBe('O=Datadog');
    expect(x509.ca).toBe(true);
    expect(x509.subjectAltName).toBe(certificateHosts('datadog-admission-controller', NAMESPACE).map((h) => `DNS:${h}`).join(', '));
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(Date.parse(x509.validTo) - Date.parse(x509.validFrom)).toBe(8760 * HOUR + 5 * 60_000);
    expect(Date.parse(x509.validFrom)).toBeLessThan(Date.now() - 4 * 60_000);
    expect(BigInt(`0x${x509.serialNumber}`)).toBeLessThan(2n ** 128n);

    // The configuration: spec's fields with this CA bundle (the double added the API server's defaults).
    const stored = storedConfiguration(api)!;
    expect(stored.metadata.name).toBe('datadog-webhook');
    expect(stored.metadata.labels).toBeUndefined();
    expect(sameWebhooks(stored.webhooks, expectedWebhooks(config, cert)!)).toBe(true);
    expect(stored.webhooks!.map((w) => [w.name, w.clientConfig.service, w.failurePolicy, w.sideEffects, w.reinvocationPolicy, w.timeoutSeconds])).toEqual([
      ['datadog.webhook.config', { namespace: NAMESPACE, name: 'datadog-admission-controller', port: 443, path: '/injectconfig' }, 'Ignore', 'None', 'IfNeeded', 10],
      ['datadog.webhook.tags', { namespace: NAMESPACE, name: 'datadog-admission-controller', port: 443, path: '/injecttags' }, 'Ignore', 'None', 'IfNeeded', 10],
      ['datadog.webhook.auto.instrumentation', { namespace: NAMESPACE, name: 'datadog-admission-controller', port: 443, path: '/injectlib' }, 'Ignore', 'None', 'IfNeeded', 10],
    ]);

    // The server serves exactly that certificate, and the API server's call through the configuration works.
    expect(await servedFingerprint(a.server!.port, pem(cert))).toBe(x509.fingerprint256);
    const clients = serviceClients();
    try {
      const result = await admitPod(api, a.server!.port, clients, 'web-0');
      expect(result.rejected).toBeUndefined();
      expect(result.failedOpen).toEqual([]);
      expect(result.pod.spec?.containers?.[0]?.env?.map((e) => e.name)).toContain('DD_AGENT_HOST');
    } finally {
      await clients.close();
    }
    expect(a.logs.some((l) => l.includes('| DEBUG | (pkg/clusteragent/admission/controllers/secret/controller.go:174 in processNextWorkItem) | Secret datadog/webhook-certificate reconciled successfully'))).toBe(true);
    expect(a.logs.some((l) => l.includes('| INFO | (pkg/clusteragent/admission/controllers/secret/controller.go:73 in Run) | Starting secrets controller for datadog/webhook-certificate'))).toBe(true);
  });
});

describe('manual edits', () => {
  it('reverts an edit of the webhooks (keeping the rest of the object) and recreates a deleted configuration', async () => {
    api = await startKubeApi();
    const config = controllerConfig();
    await replica('replica-a');
    const { cert } = await converged();
    const stored = storedConfiguration(api)!;
    api.apply({
      ...stored,
      metadata: { ...stored.metadata, labels: { team: 'platform' } },
      webhooks: stored.webhooks!
        .filter((w) => w.name !== 'datadog.webhook.tags')
        .map((w) => ({ ...w, failurePolicy: 'Fail', clientConfig: { ...w.clientConfig, caBundle: Buffer.from('not the CA').toString('base64') } })),
    });
    const reverted = await eventually('the edit reverted', () => {
      const now = storedConfiguration(api);
      return now && sameWebhooks(now.webhooks, expectedWebhooks(config, cert)!) ? now : undefined;
    });
    expect(reverted.metadata.labels).toEqual({ team: 'platform' });

    expect(api.remove(MWC, 'MutatingWebhookConfiguration', 'datadog-webhook')).toBe(true);
    const recreated = await eventually('the configuration recreated', () => storedConfiguration(api));
    expect(sameWebhooks(recreated.webhooks, expectedWebhooks(config, cert)!)).toBe(true);
  });
});

describe('certificate rotation', () => {
  it('regenerates a certificate near expiry while reviews keep flowing: no failed request, the new certificate served', async () => {
    api = await startKubeApi();
    const config = controllerConfig();
    const hosts = certificateHosts('datadog-admission-controller', NAMESPACE);
    // What a previous leader left: a certificate with 100 h left (threshold 720 h), its webhook configuration, and its
    // lease, which stays live on replica-b's clock until the test moves that clock past the lease's 2 s.
    const clock = manualClock();
    const old = await generateCertificate({ hosts, notBefore: clock.now() - 5 * 60_000, notAfter: clock.now() + 100 * HOUR });
    const oldCa = Buffer.from(old.cert).toString('base64');
    api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'webhook-certificate', namespace: NAMESPACE }, data: { 'cert.pem': oldCa, 'key.pem': Buffer.from(old.key).toString('base64') } });
    api.apply(webhookConfiguration(config, oldCa, { namespace: NAMESPACE }) as never);
    const renewed = microTime(clock.now());
    api.apply({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'dd-admission-webhook-leader-election', namespace: NAMESPACE },
      spec: { holderIdentity: 'replica-old', leaseDurationSeconds: 2, acquireTime: renewed, renewTime: renewed },
    });

    const b = await replica('replica-b', { withServer: true, clock });
    const port = b.server!.port;
    expect(b.controllers.isLeader()).toBe(false);
    expect(await servedFingerprint(port, old.cert)).toBe(new X509Certificate(old.cert).fingerprint256);

    // A steady stream of pod creations through the registered configuration, 4 at a time.
    const clients = serviceClients();
    const outcomes: { ca: string; ok: boolean; why?: string }[] = [];
    let streaming = true;
    const worker = async (w: number) => {
      const until = Date.now() + 30_000;
      for (let i = 0; i < 2_000 && streaming && Date.now() < until; i++) {
        const ca = storedConfiguration(api)!.webhooks![0]!.clientConfig.caBundle!;
        const result = await admitPod(api, port, clients, `pod-${w}-${i}`);
        const ok = result.allowed && result.failedOpen.length === 0 && result.patches.length > 0;
        outcomes.push({ ca, ok, ...(ok ? {} : { why: JSON.stringify({ rejected: result.rejected, failedOpen: result.failedOpen }) }) });
      }
    };
    const stream = Promise.all([0, 1, 2, 3].map(worker));
    try {
      await eventually('reviews with the old certificate', () => outcomes.filter((o) => o.ca === oldCa).length >= 20);
      // The old leader goes away: once its lease has expired, replica-b takes it and finds the certificate expiring.
      expect(b.controllers.isLeader()).toBe(false);
      clock.advance(2_001);
      const newCa = await eventually('a new certificate in the Secret and the webhook', () => {
        const cert = storedSecret(api)?.data?.['cert.pem'];
        const bundles = storedConfiguration(api)?.webhooks?.map((w) => w.clientConfig.caBundle);
        return cert && cert !== oldCa && bundles?.every((b) => b === cert) ? cert : undefined;
      });
      await eventually('reviews with the new certificate', () => outcomes.filter((o) => o.ca === newCa).length >= 20);
      streaming = false;
      await stream;

      expect(outcomes.filter((o) => !o.ok)).toEqual([]);
      const fresh = new X509Certificate(pem(newCa));
      expect(await servedFingerprint(port, pem(newCa))).toBe(fresh.fingerprint256);
      expect(Date.parse(fresh.validTo) - Date.now()).toBeGreaterThan(8759 * HOUR);
      expect(b.controllers.isLeader()).toBe(true);
      expect(b.logs.some((l) => l.includes('Refreshing the certificate of Secret datadog/webhook-certificate: the certificate expires in 99h'))).toBe(true);
    } finally {
      streaming = false;
      await stream;
      await clients.close();
    }
  });
});

describe('two replicas', () => {
  it('elect one leader that alone writes; both serve the same certificate; the other takes over when it stops', async () => {
    api = await startKubeApi();
    const config = controllerConfig();
    // The clock stands still: no lease ever expires, so only a release moves leadership.
    const clock = manualClock();
    const a = await replica('replica-a', { withServer: true, clock });
    const b = await replica('replica-b', { withServer: true, clock });
    const { cert } = await converged();
    const leader = await eventually('exactly one leader', () => (a.controllers.isLeader() !== b.controllers.isLeader() ? (a.controllers.isLeader() ? a : b) : undefined));
    const follower = leader === a ? b : a;

    const writes = () => api.requests.filter((r) => ['create', 'update', 'patch', 'delete'].includes(r.verb) && ['secrets', 'mutatingwebhookconfigurations'].includes(r.resource ?? ''));
    expect(writes().length).toBeGreaterThan(0);
    expect(new Set(writes().map((w) => w.user))).toEqual(new Set([leader.identity]));
    const fingerprint = new X509Certificate(pem(cert)).fingerprint256;
    expect(await servedFingerprint(a.server!.port, pem(cert))).toBe(fingerprint);
    expect(await servedFingerprint(b.server!.port, pem(cert))).toBe(fingerprint);

    // Over several lease renewals (counted at the API, not timed), leadership stays with one replica.
    const renewals = () => api.requests.filter((r) => r.resource === 'leases' && r.verb === 'update' && r.user === leader.identity).length;
    for (let i = 0; i < 5; i++) {
      const before = renewals();
      await eventually('the next lease renewal', () => renewals() > before);
      expect([a.controllers.isLeader(), b.controllers.isLeader()].filter(Boolean)).toHaveLength(1);
    }

    const before = writes().length;
    running.splice(running.indexOf(leader), 1);
    await leader.stop();
    await eventually('the follower leads', () => follower.controllers.isLeader());
    const stored = storedConfiguration(api)!;
    api.apply({ ...stored, webhooks: stored.webhooks!.map((w) => ({ ...w, timeoutSeconds: 30 })) });
    await eventually('the edit reverted by the new leader', () => sameWebhooks(storedConfiguration(api)?.webhooks, expectedWebhooks(config, cert)!));
    expect(new Set(writes().slice(before).map((w) => w.user))).toEqual(new Set([follower.identity]));
  });
});

describe('API server failures', () => {
  it('down at start: retries without crashing, then creates everything when it comes back', async () => {
    api = await startKubeApi();
    await api.refuseConnections();
    const config = controllerConfig();
    const a = await replica('replica-a');
    expect(a.controllers.apiVersion).toBe('v1');
    await eventually('retries logged', () => a.logs.some((l) => /\| WARN \| .* Failed to list or watch v1\/secrets: .*ECONNREFUSED.*; retrying in \d+ms/.test(l)));
    await eventually('lease errors logged', () => a.logs.some((l) => l.includes('Cannot read the lease datadog/dd-admission-webhook-leader-election')));
    expect(a.controllers.isLeader()).toBe(false);

    await api.acceptConnections();
    const { cert } = await converged();
    expect(sameWebhooks(storedConfiguration(api)!.webhooks, expectedWebhooks(config, cert)!)).toBe(true);
    const tls = await a.controllers.tls;
    expect(tls.current().cert).toBe(pem(cert));
  });

  it('down or failing during operation: keeps serving, never writes a bad CA bundle, and recovers', async () => {
    api = await startKubeApi();
    const config = controllerConfig();
    const a = await replica('replica-a', { withServer: true });
    const { cert } = await converged();
    const written: string[] = [];
    api.store.subscribe((e) => {
      if (e.storage === 'mutatingwebhookconfigurations.admissionregistration.k8s.io') for (const w of (e.object.webhooks as { clientConfig: { caBundle?: string } }[]) ?? []) written.push(w.clientConfig.caBundle ?? '');
    });
    const clients = serviceClients();
    const edit = (timeoutSeconds: number) => {
      const stored = storedConfiguration(api)!;
      api.apply({ ...stored, webhooks: stored.webhooks!.map((w) => ({ ...w, timeoutSeconds })) });
    };
    const reverted = () => eventually('the edit reverted', () => sameWebhooks(storedConfiguration(api)?.webhooks, expectedWebhooks(config, cert)!));
    try {
      // 1. Every request answered 503; open watches cut, so the controllers must list again.
      api.faults.add({ action: { kind: 'status', code: 503, message: 'etcdserver: leader changed' } });
      api.closeWatches();
      edit(20);
      await eventually('503s logged', () => a.logs.some((l) => l.includes('etcdserver: leader changed (HTTP 503)')));
      const during = await admitPod(api, a.server!.port, clients, 'during-503');
      expect([during.allowed, during.failedOpen]).toEqual([true, []]);
      api.faults.clear();
      await reverted();

      // 2. Connections refused.
      await api.refuseConnections();
      edit(25);
      await eventually('refused connections logged', () => a.logs.filter((l) => l.includes('ECONNREFUSED')).length >= 2);
      const refused = await admitPod(api, a.server!.port, clients, 'during-outage');
      expect([refused.allowed, refused.failedOpen]).toEqual([true, []]);
      await api.acceptConnections();
      await reverted();
    } finally {
      await clients.close();
    }
    // Only our edits changed timeoutSeconds; every CA bundle ever stored is the Secret's certificate.
    expect(new Set(written)).toEqual(new Set([cert]));
  });

  it('a Secret whose certificate is unreadable is not copied into the webhook; deleting it makes a new one', async () => {
    api = await startKubeApi();
    const config = controllerConfig();
    const a = await replica('replica-a', { withServer: true });
    const { cert } = await converged();
    const secret = storedSecret(api)!;
    api.apply({ ...secret, data: { ...secret.data, 'cert.pem': Buffer.from('-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n').toString('base64') } });
    await eventually('the secret controller error', () => a.logs.some((l) => l.includes("Couldn't reconcile Secret datadog/webhook-certificate: secret datadog/webhook-certificate: cannot decode the certificate")));
    await eventually('the webhook controller error', () => a.logs.some((l) => l.includes("Couldn't reconcile Webhook datadog-webhook: secret datadog/webhook-certificate: cannot decode the certificate")));
    expect(storedConfiguration(api)!.webhooks!.every((w) => w.clientConfig.caBundle === cert)).toBe(true);
    expect(await servedFingerprint(a.server!.port, pem(cert))).toBe(new X509Certificate(pem(cert)).fingerprint256);

    api.remove('v1', 'Secret', 'webhook-certificate', NAMESPACE);
    const { cert: fresh } = await converged();
    expect(fresh).not.toBe(cert);
    expect(sameWebhooks(storedConfiguration(api)!.webhooks, expectedWebhooks(config, fresh)!)).toBe(true);
    await eventually('the new certificate served', async () => (await servedFingerprint(a.server!.port, pem(fresh))) === new X509Certificate(pem(fresh)).fingerprint256);
  });
});

describe('API versions and selectors', () => {
  it('falls back to admissionregistration v1beta1 when v1 is not served', async () => {
    api = await startKubeApi({ admissionVersions: ['v1beta1'] });
    const a = await replica('replica-a');
    expect(a.controllers.apiVersion).toBe('v1beta1');
    const stored = await eventually('a v1beta1 configuration', () => api.read('admissionregistration.k8s.io/v1beta1', 'MutatingWebhookConfiguration', 'datadog-webhook'));
    expect(stored.apiVersion).toBe('admissionregistration.k8s.io/v1beta1');
    expect((stored.webhooks as { name: string }[]).map((w) => w.name)).toEqual(['datadog.webhook.config', 'datadog.webhook.tags', 'datadog.webhook.auto.instrumentation']);
    expect(api.requests.some((r) => r.path === '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations' && r.status === 404)).toBe(true);
  });

  it('Kubernetes 1.14 with the namespace-selector fallback and AKS selectors: converges without rewriting', async () => {
    api = await startKubeApi({ serverVersion: { major: '1', minor: '14+' } });
    const config = controllerConfig({ 'admission_controller.namespace_selector_fallback': true, 'admission_controller.add_aks_selectors': true });
    const a = await replica('replica-a', { config });
    await converged();
    const webhooks = storedConfiguration(api)!.webhooks!;
    expect(webhooks.map((w) => w.namespaceSelector)).toEqual(
      Array(3).fill({
        matchLabels: { 'admission.datadoghq.com/enabled': 'true' },
        matchExpressions: [
          { key: 'control-plane', operator: 'DoesNotExist' },
          { key: 'control-plane', operator: 'NotIn', values: ['true'] },
          { key: 'kubernetes.azure.com/managedby', operator: 'NotIn', values: ['aks'] },
        ],
      }),
    );
    // The API server's defaults (objectSelector {}, scope *) are not a difference: no update after the create.
    await eventually('a reconcile of the stored object', () => a.logs.some((l) => l.includes('The Webhook datadog-webhook is up-to-date, doing nothing')));
    expect(api.requests.filter((r) => r.resource === 'mutatingwebhookconfigurations' && r.verb === 'update')).toEqual([]);
  });
});

describe('conflicts and the watch', () => {
  it('a write that loses a race (409 Conflict) is retried on a fresh read', async () => {
    api = await startKubeApi();
    const config = controllerConfig();
    const a = await replica('replica-a');
    const { cert } = await converged();
    api.faults.add({
      match: { resources: ['mutatingwebhookconfigurations'], methods: ['PUT'] },
      action: { kind: 'status', code: 409, message: 'Operation cannot be fulfilled on mutatingwebhookconfigurations.admissionregistration.k8s.io "datadog-webhook": the object has been modified' },
      times: 1,
    });
    const stored = storedConfiguration(api)!;
    api.apply({ ...stored, webhooks: stored.webhooks!.map((w) => ({ ...w, failurePolicy: 'Fail' })) });
    await eventually('the edit reverted', () => sameWebhooks(storedConfiguration(api)?.webhooks, expectedWebhooks(config, cert)!));
    expect(a.logs.some((l) => l.includes('Webhook datadog-webhook changed while being written (attempt 1), reading it again'))).toBe(true);
    const puts = api.requests.filter((r) => r.resource === 'mutatingwebhookconfigurations' && r.verb === 'update').map((r) => r.status);
    expect(puts).toEqual([409, 200]);
  });

  it('replays the cached object every resync period, resumes after the server ends a watch, lists again after 410 Gone', async () => {
    api = await startKubeApi({ historyLimit: 2 });
    const file = join(dir, 'watch.kubeconfig');
    await writeFile(file, api.kubeconfig());
    const client = await connectKube({ kubeconfig: file, env: {} });
    const seen: string[] = [];
    const logs: string[] = [];
    const watch = watchObject<{ metadata?: { name?: string; resourceVersion?: string }; data?: Record<string, string> }>({
      client,
      resource: RESOURCES.secrets,
      namespace: NAMESPACE,
      name: 'watched',
      resyncMs: 100,
      onEvent: (e) => seen.push(`${e.type} ${e.object.data?.v ?? ''} ${e.type === 'update' && e.previous === e.object ? 'resync' : ''}`.trim()),
      logger: createLogger({ level: 'debug', format: 'text', sink: (l) => logs.push(l), clock: systemClock }),
      clock: systemClock,
      backoff: { baseMs: 20, maxMs: 200 },
    });
    try {
      await watch.synced;
      const secret = (v: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'watched', namespace: NAMESPACE }, data: { v: Buffer.from(v).toString('base64') } });
      api.apply(secret('1'));
      await eventually('the add', () => seen.includes('add MQ=='));
      await eventually('two resyncs', () => seen.filter((s) => s === 'update MQ== resync').length >= 2);

      api.closeWatches();
      api.apply(secret('2'));
      await eventually('the update after the watch ended', () => seen.includes('update Mg=='));

      // The next watch is held back while four changes push its resourceVersion out of the history: 410 Gone, then a new list.
      const lists = () => api!.requests.filter((r) => r.verb === 'list').length;
      const listsBefore = lists();
      api.faults.add({ match: { watch: true }, action: { kind: 'delay', ms: 300 }, times: 1 });
      api.closeWatches();
      for (const v of ['3', '4', '5', '6']) api.apply(secret(v));
      await eventually('the latest value after a new list', () => watch.current()?.data?.v === Buffer.from('6').toString('base64'));
      expect(lists()).toBe(listsBefore + 1);
      expect(logs.some((l) => l.includes('Failed to list or watch'))).toBe(false);
      api.remove('v1', 'Secret', 'watched', NAMESPACE);
      await eventually('the delete', () => seen.includes('delete Ng=='));
      expect(watch.current()).toBeUndefined();
      expect(logs.some((l) => l.includes('Sync done for informer v1/secrets in'))).toBe(true);
    } finally {
      watch.stop();
    }
  });
});
