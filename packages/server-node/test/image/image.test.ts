// The packaged webhook image, run for real (`pnpm image:test`, after `pnpm image`): the OCI
// archive is unpacked with umoci and its own entrypoint started with runc, as uid 65532, with a
// read-only root filesystem, a tmpfs /tmp and no capabilities, as deploy/deployment.yaml runs it.
// The container shares the host's loopback, where the API server's dispatcher harness and the
// Kubernetes API double run.
import { X509Certificate } from 'node:crypto';
import { readdir, readFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '@dd-admission/core';
import {
  dispatch,
  extractOciArchive,
  layersContaining,
  runContainer,
  startKubeApi,
  unpackImage,
  type ContainerOptions,
  type OciImage,
  type RunningContainer,
  type UnpackedImage,
} from '@dd-admission/testing';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const PACKAGE = JSON.parse(await readFile(join(ROOT, 'packages/server-node/package.json'), 'utf8')) as { version: string; license: string };
const DEPLOYMENT = parseYaml(await readFile(join(ROOT, 'packages/server-node/deploy/deployment.yaml'), 'utf8')) as { spec: { template: { spec: { terminationGracePeriodSeconds: number } } } };
const GRACE_MS = DEPLOYMENT.spec.template.spec.terminationGracePeriodSeconds * 1000;

/** dist/image/build.json, written by `pnpm image` (scripts/image/build.mjs): what the checks need of it. */
interface BuildReport {
  digest: string;
  archive: string;
  /** The CA file the build trusted (NODE_EXTRA_CA_CERTS or npm's cafile), if any. */
  caFile?: string;
}
const report = await readFile(join(ROOT, 'dist/image/build.json'), 'utf8').then(
  (text) => JSON.parse(text) as BuildReport,
  () => {
    throw new Error('no image to test: dist/image/build.json is missing, run `pnpm image` first');
  },
);

let work: string;
let image: OciImage;
let unpacked: UnpackedImage;
const running: RunningContainer[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'dd-admission-image-test-'));
  image = await extractOciArchive(join(ROOT, report.archive), join(work, 'layout'));
  unpacked = await unpackImage(image, work);
}, 300_000);

afterAll(async () => {
  await Promise.all(running.map((c) => c.remove()));
  await rm(work, { recursive: true, force: true });
});

/** Starts the image's entrypoint with these arguments (each run in its own bundle folder). */
async function start(options: Omit<ContainerOptions, 'dir'>): Promise<RunningContainer> {
  const container = await runContainer(unpacked, { ...options, dir: join(work, `run-${running.length}`) });
  running.push(container);
  return container;
}

/** SIGTERM, then the exit code; fails if the container outlives the Deployment's grace period. */
async function terminate(container: RunningContainer): Promise<number | null> {
  await container.signal('TERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running ${GRACE_MS} ms after SIGTERM: the kubelet would have killed it`)), GRACE_MS);
  });
  try {
    return await Promise.race([container.exit, killed]);
  } finally {
    clearTimeout(timer);
  }
}

async function filesUnder(dir: string): Promise<{ path: string; size: number }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return Promise.all(files.map(async (f) => ({ path: relative(dir, f), size: (await stat(f)).size })));
}

describe('the image', () => {
  it('runs its entrypoint as 65532:65532, exposes 8000 and carries the OCI labels', () => {
    expect(image.config.User).toBe('65532:65532');
    expect(image.config.ExposedPorts).toEqual({ '8000/tcp': {} });
    expect(image.config.Entrypoint).toEqual(['/nodejs/bin/node', '--max-semi-space-size=2', '--v8-pool-size=2', '/app/dd-admission-webhook.js']);
    expect(image.config.Cmd ?? []).toEqual([]);
    expect(image.config.Env).toContain('NODE_ENV=production');
    expect(image.config.Labels).toMatchObject({
      'org.opencontainers.image.title': 'dd-admission-webhook',
      'org.opencontainers.image.version': PACKAGE.version,
      'org.opencontainers.image.licenses': PACKAGE.license,
      'org.opencontainers.image.description': expect.stringContaining('admission webhook'),
      'org.opencontainers.image.revision': expect.stringMatching(/^([0-9a-f]{40}|unknown)$/),
      'org.opencontainers.image.source': expect.stringMatching(/^(https:\/\/\S+|unknown)$/),
    });
    expect(image.manifestDigest).toBe(report.digest);
    // What runc will run: umoci's reading of the image configuration.
    expect(unpacked.spec.process.user).toMatchObject({ uid: 65532, gid: 65532 });
  });

  it('holds in /app only the bundle, the bundled Kubernetes client and their licence notices, under 15 MB, and no shell', async () => {
    const app = await filesUnder(join(unpacked.rootfs, 'app'));
    expect(app.map((f) => f.path).sort()).toEqual([
      'THIRD_PARTY_NOTICES.md',
      'dd-admission-webhook.js',
      'node_modules/@kubernetes/client-node/index.js',
      'node_modules/@kubernetes/client-node/package.json',
    ]);
    expect(app.reduce((n, f) => n + f.size, 0)).toBeLessThan(15_000_000);
    const notices = await readFile(join(unpacked.rootfs, 'app/THIRD_PARTY_NOTICES.md'), 'utf8');
    for (const name of ['@kubernetes/client-node', 'zod', 'prom-client', '@peculiar/x509', 'yaml', 'ws']) expect(notices).toMatch(new RegExp(`^## ${name} \\d`, 'm'));
    await expect(stat(join(unpacked.rootfs, 'bin/sh'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.runIf(report.caFile !== undefined)('keeps the CA the build trusted out of every layer', async () => {
    const pem = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const body = (cert: string) => cert.split('\n')[1]!;
    const shipped = new Set(pem(await readFile(join(unpacked.rootfs, 'etc/ssl/certs/ca-certificates.crt'), 'utf8')).map(body));
    // The certificates the build was given beyond those the base image ships (a proxy's CA).
    const extra = pem(await readFile(report.caFile!, 'utf8')).map(body).filter((line) => !shipped.has(line));
    expect(await layersContaining(image, extra)).toEqual([]);
  });
});

const SERVICE = 'datadog-admission-controller';

/** A pod the three webhooks all change, needing no owner lookup (its tags are labels). */
function appPod(): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'web-',
      namespace: 'shop',
      labels: { 'admission.datadoghq.com/enabled': 'true', 'tags.datadoghq.com/env': 'prod', 'tags.datadoghq.com/service': 'web', 'tags.datadoghq.com/version': '1.4.2' },
      annotations: { 'admission.datadoghq.com/java-lib.version': 'v1.31.0' },
    },
    spec: { containers: [{ name: 'app', image: 'shop/web:1.4.2' }] },
  };
}

describe('the image with --dev', () => {
  it('serves /healthz, /readyz, every webhook through the dispatcher and /metrics, and exits 0 on SIGTERM', async () => {
    const container = await start({ args: ['--dev', '--port', '0', '--host', '127.0.0.1'] });
    const [, port] = await container.waitFor('stderr', /listening on port (\d+)/);
    await container.waitFor('stderr', /^curl .*\/metrics$/);
    const banner = container.stderr.join('\n');
    const ca = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(banner)![0];
    const base = `https://localhost:${port}`;
    const client = new Agent({ connect: { ca } });
    try {
      for (const path of ['/healthz', '/readyz']) {
        const res = await request(`${base}${path}`, { dispatcher: client });
        expect([path, res.statusCode, await res.body.text()]).toEqual([path, 200, 'ok\n']);
      }
      const paths = { 'datadog.webhook.config': '/injectconfig', 'datadog.webhook.tags': '/injecttags', 'datadog.webhook.auto.instrumentation': '/injectlib' };
      const result = await dispatch(appPod(), {
        namespace: 'shop',
        webhooks: Object.entries(paths).map(([name, path]) => ({
          name,
          url: `${base}${path}`,
          caBundle: Buffer.from(ca).toString('base64'),
          failurePolicy: 'Fail' as const,
          sideEffects: 'None' as const,
          timeoutSeconds: 10,
          admissionReviewVersions: ['v1'],
        })),
      });
      expect(result.rejected).toBeUndefined();
      expect(result.patches.map((p) => p.webhook)).toEqual(Object.keys(paths));
      const app = result.pod.spec!.containers![0]!;
      expect(app.env).toEqual(expect.arrayContaining([{ name: 'DD_AGENT_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }, { name: 'DD_ENV', value: 'prod' }]));
      // The image emulates the newest release by default (7.78): the library and the apm-inject injector.
      expect(result.pod.spec!.initContainers?.map((c) => c.name)).toEqual(['datadog-lib-java-init', 'datadog-init-apm-inject']);

      const metrics = await request(`${base}/metrics`, { dispatcher: client });
      const exposition = await metrics.body.text();
      for (const type of ['agent_config', 'standard_tags', 'lib_injection']) {
        expect(exposition).toContain(`admission_webhooks_webhooks_received{mutation_type="${type}",webhook_name="${type}",webhook_type="mutating"} 1\n`);
      }
      expect(exposition).toMatch(/^process_resident_memory_bytes \d/m);
    } finally {
      await client.close();
    }
    expect(await terminate(container)).toBe(0);
    expect(container.stdout.some((l) => l.includes('The admission controller webhook server stopped'))).toBe(true);
  });
});

describe('the image with the controllers, against the Kubernetes API double', () => {
  it('creates the Secret and the MutatingWebhookConfiguration, serves the Secret certificate, and exits 0 on SIGTERM', async () => {
    const api = await startKubeApi();
    try {
      const kubeconfig = join(work, 'kubeconfig');
      await writeFile(kubeconfig, api.kubeconfig());
      const container = await start({
        args: ['--port', '0', '--host', '127.0.0.1', '--kubeconfig', '/etc/dd-admission/kubeconfig'],
        // debug: the controllers say when the webhook configuration is written.
        env: { DD_ADMISSION_CONTROLLER_ENABLED: 'true', DD_KUBE_RESOURCES_NAMESPACE: 'datadog', DD_LOG_LEVEL: 'debug' },
        binds: [{ source: kubeconfig, destination: '/etc/dd-admission/kubeconfig' }],
      });
      const [, port] = await container.waitFor('stdout', /listening on \S+ port (\d+)/);
      await container.waitFor('stdout', /\| INFO \| .* This replica \(\S+\) is now the leader/);
      const secret = api.read('v1', 'Secret', 'webhook-certificate', 'datadog') as { data: Record<string, string> } | undefined;
      const certPem = Buffer.from(secret!.data['cert.pem']!, 'base64').toString('utf8');
      // The webhook configuration is written once the Secret exists: the controller says so.
      await container.waitFor('stdout', /\| DEBUG \| .* Webhook datadog-webhook reconciled successfully$/);
      const webhook = api.read('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'datadog-webhook') as { webhooks: { clientConfig: { caBundle: string } }[] } | undefined;
      expect(webhook?.webhooks.map((w) => w.clientConfig.caBundle)).toEqual(Array(3).fill(secret!.data['cert.pem']));

      const served = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: Number(port), ca: certPem, servername: `${SERVICE}.datadog.svc` }, () => {
          resolve(socket.getPeerCertificate().fingerprint256);
          socket.end();
        });
        socket.on('error', reject);
      });
      expect(served).toBe(new X509Certificate(certPem).fingerprint256);

      expect(await terminate(container)).toBe(0);
      const lease = api.read('coordination.k8s.io/v1', 'Lease', 'dd-admission-webhook-leader-election', 'datadog') as { spec: { holderIdentity: string } } | undefined;
      expect(lease?.spec.holderIdentity).toBe('');
    } finally {
      await api.close();
    }
  });
});
