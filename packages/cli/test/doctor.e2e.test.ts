// `dd-mutate doctor` end to end: the real CLI process reads the seeded clusters live from the
// Kubernetes API double, whose creates run the registered webhooks against the real webhook
// server process (so the connectivity probe crosses the same path as on a cluster), and reads
// the same clusters dumped to YAML through --from. Each seeded cluster breaks the check it was
// made for; the healthy one passes all of them; a live run stores nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCTOR_CHECK_IDS, type DoctorReport, type Finding } from '@dd-admission/core';
import {
  AGENT_NAMESPACE,
  base64,
  clusterCertificate,
  dumpYaml,
  SEEDED_CLUSTERS,
  SERVICE_NAME,
  servingKey,
  startBlackhole,
  startKubeApi,
  type Blackhole,
  type KubeApi,
  type KubeObject,
  type SeededCluster,
} from '@dd-admission/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, spawnCli, type CliResult } from './helpers.js';

const SERVER = fileURLToPath(new URL('../../server-node/dist/dd-admission-webhook.js', import.meta.url));

type Obj = Record<string, any>;

let dir: string;
let hostip: WebhookProcess;
let socketMode: WebhookProcess;
let hole: Blackhole;

beforeAll(async () => {
  assertBuilt();
  if (!existsSync(SERVER)) throw new Error('packages/server-node/dist/dd-admission-webhook.js is missing: run the build (the root postinstall normally does it)');
  dir = await mkdtemp(join(tmpdir(), 'dd-doctor-'));
  await writeFile(join(dir, 'tls.crt'), clusterCertificate('serving'));
  await writeFile(join(dir, 'tls.key'), servingKey());
  // The Cluster Agent as the seeded clusters configure it (hostip, the defaults), and one with another configuration.
  [hostip, socketMode, hole] = await Promise.all([startWebhook({}), startWebhook({ DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE: 'socket' }), startBlackhole()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([hostip?.stop(), socketMode?.stop(), hole?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The webhook server process, serving the `serving` certificate. */
interface WebhookProcess {
  url: string;
  stop(): Promise<void>;
}

async function startWebhook(env: Record<string, string>): Promise<WebhookProcess> {
  const args = ['--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key'), '--port', '0', '--host', '127.0.0.1', '--no-controllers', '--agent-namespace', AGENT_NAMESPACE];
  // The seeded clusters run Cluster Agent 7.49.1: the server emulates that release, as it would in them.
  args.push('--agent-version', '7.49');
  // Its log lines go to stdout, as the Cluster Agent's do.
  const child = spawn(process.execPath, [SERVER, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const m = /listening on 127\.0\.0\.1 port (\d+)/.exec(text);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`the webhook server exited (${code}): ${text}`)));
  });
  return { url: `https://127.0.0.1:${port}`, stop: () => stop(child) };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** How the seeded cluster is served: which address answers for the Cluster Agent's Service, and what the cluster changes for it. */
interface Serving {
  address: string;
  edit?: (objects: Obj[]) => void;
}

/** The probe's path for the clusters whose break is in the probe: an address that never answers, or another configuration serving. */
function servingFor(cluster: SeededCluster): Serving {
  if (cluster.name === 'connectivity-timeout-eks') return { address: hole.url, edit: shortTimeouts };
  if (cluster.name === 'connectivity-other-version') return { address: socketMode.url };
  return { address: hostip.url };
}

/** One-second webhook timeouts (setting and entries), so waiting one out is short. */
function shortTimeouts(objects: Obj[]): void {
  const agent = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'datadog-cluster-agent')!;
  agent.spec.template.spec.containers[0].env.push({ name: 'DD_ADMISSION_CONTROLLER_TIMEOUT_SECONDS', value: '1' });
  for (const w of objects.find((o) => o.kind === 'MutatingWebhookConfiguration')!.webhooks) w.timeoutSeconds = 1;
}

/**
 * The cluster's objects, with the serving certificate wherever the healthy one is (the Secret
 * and the CA bundles), so the server's certificate verifies; the broken certificates stay.
 */
function clusterObjects(cluster: SeededCluster, serving: Serving): Obj[] {
  const text = JSON.stringify(cluster.objects()).replaceAll(base64(clusterCertificate('webhook')), base64(clusterCertificate('serving')));
  const objects = JSON.parse(text) as Obj[];
  serving.edit?.(objects);
  return objects;
}

/** A double holding `objects`, whose network sends the Cluster Agent's Service to `address`. */
async function liveCluster(objects: Obj[], address: string): Promise<KubeApi> {
  const kubelet = objects.find((o) => o.kind === 'Node')?.status.nodeInfo.kubeletVersion as string;
  const [, major, minor] = /^v(\d+)\.(\d+)/.exec(kubelet)!;
  const api = await startKubeApi({
    serverVersion: { major: major!, minor: minor!, gitVersion: kubelet },
    apiGroups: ['cilium.io'],
    webhooks: { serviceAddress: (namespace, name, port) => (namespace === AGENT_NAMESPACE && name === SERVICE_NAME && port === 443 ? address : undefined) },
  });
  for (const o of objects) api.apply(o as KubeObject);
  return api;
}

async function doctor(args: string[]): Promise<{ result: CliResult; report: DoctorReport }> {
  const result = await spawnCli(['doctor', ...args, '-o', 'json'], { cwd: dir, env: { HOME: dir } });
  if (result.stderr !== '') throw new Error(`doctor wrote to stderr: ${result.stderr}`);
  return { result, report: JSON.parse(result.stdout) as DoctorReport };
}

async function live(cluster: SeededCluster): Promise<{ result: CliResult; report: DoctorReport; api: KubeApi }> {
  const serving = servingFor(cluster);
  const api = await liveCluster(clusterObjects(cluster, serving), serving.address);
  const kubeconfig = join(dir, `${cluster.name}.kubeconfig`);
  await writeFile(kubeconfig, api.kubeconfig({ token: 'doctor', namespace: 'shop' }));
  try {
    return { ...(await doctor(['--kubeconfig', kubeconfig])), api };
  } finally {
    await api.close();
  }
}

async function fromDump(cluster: SeededCluster): Promise<{ result: CliResult; report: DoctorReport }> {
  const file = join(dir, `${cluster.name}.yaml`);
  await writeFile(file, dumpYaml(clusterObjects(cluster, servingFor(cluster))));
  return doctor(['--from', file]);
}

const check = (report: DoctorReport, id: string): Finding => report.checks.find((c) => c.id === id)!;
const text = (f: Finding) => [f.summary, ...f.details, f.fix ?? ''].join('\n');
const problems = (report: DoctorReport, except: readonly string[]) => report.checks.filter((c) => c.status !== 'ok' && !except.includes(c.id)).map((c) => `${c.id}: ${c.status}: ${c.summary}`);

describe('the healthy cluster, live', () => {
  it('passes every check, the probe included, exits 0, and stores nothing', async () => {
    const healthy = SEEDED_CLUSTERS.find((c) => c.breaks === null)!;
    const serving = servingFor(healthy);
    const api = await liveCluster(clusterObjects(healthy, serving), serving.address);
    try {
      const kubeconfig = join(dir, 'healthy-store.kubeconfig');
      await writeFile(kubeconfig, api.kubeconfig({ token: 'doctor', namespace: 'shop' }));
      const revision = api.store.revision();
      const { result, report } = await doctor(['--kubeconfig', kubeconfig]);
      expect(report.checks.map((c) => c.id)).toEqual(DOCTOR_CHECK_IDS);
      expect(problems(report, [])).toEqual([]);
      expect(check(report, 'connectivity').summary).toMatch(/^the API server called the webhook: the probe pod came back with env DD_AGENT_HOST \(probe\), env DD_ENTITY_ID \(probe\)/);
      expect(report.cluster).toMatchObject({ source: 'live', serverVersion: 'v1.29.3-eks-ae9a62a', distribution: { names: ['eks'] }, unreadable: [] });
      expect(result.status).toBe(0);

      // Read-only: the one write is the dry-run probe, which stored nothing.
      expect(api.store.revision()).toBe(revision);
      const writes = api.requests.filter((r) => r.method !== 'GET');
      expect(writes.map((r) => [r.method, r.resource, r.namespace, r.status])).toEqual([['POST', 'pods', 'shop', 201]]);
      expect(api.admissions.map((a) => a.dryRun)).toEqual([true]);
      expect(api.store.list('pods').some((p) => p.metadata.name?.startsWith('dd-admission-doctor-'))).toBe(false);
      // Paged lists, and only the Secret and ConfigMap the checks need.
      expect(api.requests.filter((r) => r.verb === 'list').map((r) => r.resource)).not.toContain('secrets');
      expect(api.requests.filter((r) => r.verb === 'get').map((r) => `${r.resource} ${r.namespace}/${r.name}`)).toEqual([
        'configmaps datadog/datadog-cluster-agent-admission',
        'secrets datadog/webhook-certificate',
      ]);
    } finally {
      await api.close();
    }
  });
});

describe('each seeded cluster breaks its check, live and from a dump alike', () => {
  for (const cluster of SEEDED_CLUSTERS.filter((c) => c.breaks !== null)) {
    it(`${cluster.name}: ${cluster.breaks} is ${cluster.status}`, async () => {
      const [liveRun, dumpRun] = await Promise.all([live(cluster), fromDump(cluster)]);
      const broken = check(liveRun.report, cluster.breaks!);
      expect(broken.status, text(broken)).toBe(cluster.status);
      expect(text(broken)).toContain(cluster.expect);
      expect(liveRun.result.status).toBe(cluster.status === 'fail' ? 1 : 0);

      // The same verdicts from the dump, but for the probe, which a dump cannot make.
      const statuses = (r: DoctorReport) => r.checks.filter((c) => c.id !== 'connectivity').map((c) => `${c.id}: ${c.status}`);
      expect(statuses(dumpRun.report)).toEqual(statuses(liveRun.report));
      expect(check(dumpRun.report, 'connectivity').status).toBe('skip');
      if (cluster.breaks !== 'connectivity') expect(text(check(dumpRun.report, cluster.breaks!))).toContain(cluster.expect);
    });
  }
});
