// The bundled entry point as the image runs it: built with tsup, copied alone to an empty directory, run with node.
import { spawn, execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApi, watchProcess, type WatchedProcess } from '@dd-admission/testing';
import { admissionReview } from './helpers.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = join(PACKAGE_DIR, 'dist', 'dd-admission-webhook.js');
let dir: string;
let bundle: string;

beforeAll(async () => {
  const tsup = createRequire(import.meta.url).resolve('tsup/package.json').replace(/package\.json$/, 'dist/cli-default.js');
  await promisify(execFile)(process.execPath, [tsup], { cwd: PACKAGE_DIR });
  dir = await mkdtemp(join(tmpdir(), 'dd-bundle-'));
  bundle = join(dir, 'dd-admission-webhook.js');
  await copyFile(BUNDLE, bundle);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A started bundle: its output lines as they come, and a way to wait for one. */
type Running = WatchedProcess;

/** Runs the bundle (by default the copy in the clean directory) with nothing but node and a minimal environment. */
function run(args: string[], env: Record<string, string> = {}, script = bundle): Running {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: dir,
    // These tests state 7.49 facts unless they name a release.
    env: { PATH: process.env.PATH ?? '', HOME: dir, TMPDIR: dir, DD_ADMISSION_AGENT_VERSION: '7.49', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watchProcess(child);
}

/** The CA bundle PEM printed by --dev. */
function caFromBanner(stderr: string[]): string {
  const text = stderr.join('\n');
  const start = text.indexOf('-----BEGIN CERTIFICATE-----');
  const end = text.indexOf('-----END CERTIFICATE-----') + '-----END CERTIFICATE-----'.length;
  return `${text.slice(start, end)}\n`;
}

describe('the bundle', () => {
  it('starts from a clean directory with --dev --port 0, prints the port, the CA and a curl line, and serves', async () => {
    const p = run(['--dev', '--port', '0', '--host', '127.0.0.1']);
    try {
      const [, port] = await p.waitFor('stderr', /listening on port (\d+)/);
      await p.waitFor('stderr', /^curl .*\/metrics$/);
      const ca = caFromBanner(p.stderr);
      expect(p.stderr).toContain('CA bundle (base64, for a webhook caBundle):');
      expect(p.stderr.some((l) => /^curl --cacert \S+ca\.pem -H 'Content-Type: application\/json' --data @\S+review\.json https:\/\/localhost:\d+\/injectconfig$/.test(l))).toBe(true);
      const client = new Agent({ connect: { ca } });
      try {
        const base = `https://127.0.0.1:${port}`;
        const health = await request(`${base}/healthz`, { dispatcher: client });
        expect([health.statusCode, await health.body.text()]).toEqual([200, 'ok\n']);

        const body = admissionReview('admission.k8s.io/v1', { generateName: 'example-pod-123-', labels: { 'admission.datadoghq.com/enabled': 'true' } });
        const res = await request(`${base}/injectconfig?timeout=10s`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), dispatcher: client });
        const answer = (await res.body.json()) as { response: { uid: string; patch: string } };
        expect(res.statusCode).toBe(200);
        expect(answer.response.uid).toBe((body as { request: { uid: string } }).request.uid);
        expect(Buffer.from(answer.response.patch, 'base64').toString()).toContain('"fieldPath":"status.hostIP"');
        await p.waitFor('stdout', /\| DEBUG \| \(pkg\/clusteragent\/admission\/mutate\/common\.go:74 in injectEnv\) \| Injecting env var 'DD_AGENT_HOST' into pod with generate name example-pod-123-$/);

        // The webhook's own metrics, then the process metrics main adds.
        const metrics = await request(`${base}/metrics`, { dispatcher: client });
        const exposition = await metrics.body.text();
        expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
        expect(exposition).toContain('admission_webhooks_webhooks_received{mutation_type="agent_config",webhook_name="agent_config",webhook_type="mutating"} 1\n');
        expect(exposition).toMatch(/^admission_webhooks_mutation_attempts\{mutation_type="agent_config",status="success",injected="true",error=""\} 1$/m);
        expect(exposition).toMatch(/^process_cpu_user_seconds_total \d/m);
        expect(exposition).toMatch(/^nodejs_heap_size_used_bytes \d/m);

        // No @kubernetes/client-node next to the bundle: an owner lookup fails open and says why.
        const owned = admissionReview('admission.k8s.io/v1', { name: 'web-0', namespace: 'shop', labels: { 'admission.datadoghq.com/enabled': 'true' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1' }] });
        const tags = await request(`${base}/injecttags`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(owned), dispatcher: client });
        const tagsAnswer = (await tags.body.json()) as { response: { allowed: boolean; patch?: string; status: { message: string } } };
        expect(tagsAnswer.response.allowed).toBe(true);
        expect(tagsAnswer.response.patch).toBeUndefined();
        expect(tagsAnswer.response.status.message).toContain('cannot get owner ReplicaSet web-1 in namespace shop: the Kubernetes client @kubernetes/client-node is not installed');
      } finally {
        await client.close();
      }
      p.child.kill('SIGTERM');
      expect(await p.exit).toBe(0);
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  it('finishes a request in flight on SIGTERM, refuses new connections, then exits 0', async () => {
    const p = run(['--dev', '--port', '0', '--host', '127.0.0.1'], { DD_LOG_LEVEL: 'trace' });
    try {
      const [, port] = await p.waitFor('stderr', /listening on port (\d+)/);
      await p.waitFor('stderr', /^curl .*\/metrics$/);
      const ca = caFromBanner(p.stderr);
      const body = JSON.stringify(admissionReview('admission.k8s.io/v1beta1', { generateName: 'inflight-', labels: { 'admission.datadoghq.com/enabled': 'true' } }));
      const half = Math.floor(body.length / 2);

      const socket = connect({ host: '127.0.0.1', port: Number(port), ca, servername: 'localhost' });
      const reply = new Promise<string>((resolve) => {
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
        socket.on('error', () => {});
      });
      await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
      socket.write(`POST /injectconfig HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`);
      await p.waitFor('stdout', /\| TRACE \| .* Handling POST \/injectconfig/);

      p.child.kill('SIGTERM');
      await p.waitFor('stdout', /Received SIGTERM, shutting down/);
      await p.waitFor('stdout', /Stopping the admission controller webhook server/);
      // The listening socket closes on the next turn of the event loop: poll (bounded) until connections are refused.
      let refused = '';
      for (let i = 0; i < 100 && refused !== 'ECONNREFUSED'; i++) {
        refused = await new Promise<string>((resolve) => {
          const probe = netConnect(Number(port), '127.0.0.1');
          probe.on('connect', () => {
            probe.destroy();
            setTimeout(() => resolve('connected'), 20);
          });
          probe.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        });
      }
      expect(refused).toBe('ECONNREFUSED');

      socket.write(body.slice(half));
      const text = await reply;
      expect(text.startsWith('HTTP/1.1 200 OK')).toBe(true);
      const answer = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { apiVersion: string; response: { uid: string; patchType: string } };
      expect(answer.apiVersion).toBe('admission.k8s.io/v1beta1');
      expect(answer.response.uid).toBe((JSON.parse(body) as { request: { uid: string } }).request.uid);
      expect(answer.response.patchType).toBe('JSONPatch');
      expect(await p.exit).toBe(0);
      expect(p.stdout.some((l) => l.includes('The admission controller webhook server stopped'))).toBe(true);
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  it('prints the help and exits 0; refuses a bad command line with exit 2', async () => {
    const help = run(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.stdout.join('\n')).toContain('Usage: dd-admission-webhook [options]');
    const bad = run(['--port', 'eighty']);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr.join('\n')).toContain('--port expects a whole number, got "eighty"');
    const noCert = run([]);
    expect(await noCert.exit).toBe(2);
    expect(noCert.stderr.join('\n')).toContain('--tls-cert and --tls-key are required');
  });

  it("carries zod's English messages and none of its other locales (about 290 KB of minified source V8 would hold)", async () => {
    const text = await readFile(bundle, 'utf8');
    expect(text).toContain('Invalid input: expected');
    // French and German wordings of the same message, as zod's fr and de locales write it.
    expect(text).not.toContain('attendu');
    expect(text).not.toContain('erwartet');
  });

  it('refuses an unsupported Cluster Agent release at startup with exit 1, naming where it was set', async () => {
    const fromEnv = run(['--dev', '--port', '0'], { DD_ADMISSION_AGENT_VERSION: '7.81' });
    expect(await fromEnv.exit).toBe(1);
    expect(fromEnv.stderr.join('\n')).toContain('DD_ADMISSION_AGENT_VERSION: Cluster Agent 7.81 is not emulated: supported are 7.49 to 7.78.x');
    const fromFlag = run(['--dev', '--port', '0', '--agent-version', 'latest']);
    expect(await fromFlag.exit).toBe(1);
    expect(fromFlag.stderr.join('\n')).toContain('--agent-version: "latest" is not an agent version');
  });
});

describe('the bundle with the controllers', () => {
  // The bundle copied alone, with only @kubernetes/client-node next to it, as in the image.
  let withClient: string;
  beforeAll(async () => {
    const home = join(dir, 'with-client');
    await mkdir(join(home, 'node_modules', '@kubernetes'), { recursive: true });
    const client = dirname(createRequire(import.meta.url).resolve('@kubernetes/client-node/package.json'));
    await symlink(await realpath(client), join(home, 'node_modules', '@kubernetes', 'client-node'), 'dir');
    withClient = join(home, 'dd-admission-webhook.js');
    await copyFile(bundle, withClient);
  });

  /** The line, or a clear failure when the process ends first. */
  const lineOrExit = (p: Running, match: RegExp) =>
    Promise.race([
      p.waitFor('stdout', match),
      p.exit.then((code) => {
        throw new Error(`exited with ${code} before printing ${match}:\n${p.stdout.join('\n')}\n${p.stderr.join('\n')}`);
      }),
    ]);

  it('creates the Secret and the webhook configuration, serves the Secret certificate, releases the lease on SIGTERM', async () => {
    const api = await startKubeApi();
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, api.kubeconfig());
    const p = run(['--port', '0', '--host', '127.0.0.1', '--kubeconfig', kubeconfig], { DD_ADMISSION_CONTROLLER_ENABLED: 'true', DD_KUBE_RESOURCES_NAMESPACE: 'datadog' }, withClient);
    try {
      const [, port] = await lineOrExit(p, /listening on \S+ port (\d+)/);
      await lineOrExit(p, /\| INFO \| .* This replica \(\S+\) is now the leader/);
      const secret = api.read('v1', 'Secret', 'webhook-certificate', 'datadog') as { data: Record<string, string> } | undefined;
      expect(secret).toBeDefined();
      const cert = Buffer.from(secret!.data['cert.pem']!, 'base64').toString('utf8');
      // The webhook is written after the Secret the server waited for; poll (bounded) until it is there.
      const readWebhooks = () => (api.read('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'datadog-webhook') as { webhooks: { clientConfig: { caBundle: string } }[] } | undefined)?.webhooks;
      let webhooks = readWebhooks();
      for (let i = 0; i < 200 && !webhooks; i++) {
        await new Promise((r) => setTimeout(r, 25));
        webhooks = readWebhooks();
      }
      expect(webhooks?.map((w) => w.clientConfig.caBundle)).toEqual(Array(3).fill(secret!.data['cert.pem']));
      const fingerprint = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: Number(port), ca: cert, servername: 'datadog-admission-controller.datadog.svc' }, () => {
          resolve(socket.getPeerCertificate().fingerprint256);
          socket.end();
        });
        socket.on('error', reject);
      });
      expect(fingerprint).toBe(new X509Certificate(cert).fingerprint256);

      p.child.kill('SIGTERM');
      expect(await p.exit).toBe(0);
      const lease = api.read('coordination.k8s.io/v1', 'Lease', 'dd-admission-webhook-leader-election', 'datadog') as unknown as { spec: { holderIdentity: string } };
      expect(lease.spec.holderIdentity).toBe('');
    } finally {
      p.child.kill('SIGKILL');
      await api.close();
    }
  });

  it('with a kubeconfig that cannot be read, says why and exits 1', async () => {
    const noKube = run(['--port', '0', '--kubeconfig', join(dir, 'missing.kubeconfig')], { DD_ADMISSION_CONTROLLER_ENABLED: 'true' }, withClient);
    expect(await noKube.exit).toBe(1);
    expect(noKube.stdout.join('\n')).toMatch(/\| ERROR \| \(cmd\/cluster-agent\/subcommands\/start\/command\.go:\d+ in start\) \| Could not start admission controller: cannot read the kubeconfig \S+missing\.kubeconfig: no such file$/m);
  });

  it('with no Kubernetes configuration at all, says so instead of trying localhost:8080', async () => {
    const nowhere = run(['--port', '0'], { DD_ADMISSION_CONTROLLER_ENABLED: 'true' }, withClient);
    expect(await nowhere.exit).toBe(1);
    expect(nowhere.stdout.join('\n')).toContain('Could not start admission controller: no Kubernetes configuration found: set KUBECONFIG, create ~/.kube/config, or pass --kubeconfig <file>');
  });

  it('without the Kubernetes client next to it, says so and exits 1', async () => {
    const noClient = run(['--port', '0'], { DD_ADMISSION_CONTROLLER_ENABLED: 'true' });
    expect(await noClient.exit).toBe(1);
    expect(noClient.stdout.join('\n')).toContain('Could not start admission controller: the Kubernetes client @kubernetes/client-node is not installed');
  });
});
