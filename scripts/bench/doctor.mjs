// Doctor benchmark: (1) the pod scan's cost per pod (the stale-pod verdict and the other
// checks' tallies) against the core preview's (one mutate per pod) over the same pods,
// interleaved in one run; (2) the peak RSS of a live `dd-mutate doctor` with 1,000 and
// with 10,000 pods served by the Kubernetes API double, which answers its lists in pages
// of 500, each cluster with a node Agent pod per 20 pods in the Cluster Agent's namespace:
// the doctor scans each page of pods and drops it, so the two should be close.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const REPORT_RSS = fileURLToPath(new URL('./report-rss.mjs', import.meta.url));

/** ns per pod: the doctor's pod scan over the snapshot, and the core's mutate of the same pods as the preview runs it. */
function scanCost(core, testing, compare, count) {
  const snapshot = core.snapshotFromDocuments(testing.healthyClusterWithWebPods(count));
  const context = core.doctorContext(snapshot, { now: Date.parse(testing.CLUSTER_NOW), readCertificate: testing.readCertificateFacts });
  const config = context.config;
  const pods = snapshot.objects.pods;
  const staleCount = (scan) => scan.stale.reduce((sum, w) => sum + w.count, 0);
  const preview = { namespace: 'shop', agentNamespace: 'datadog', namespaceLabels: { 'kubernetes.io/metadata.name': 'shop' } };
  let stale = 0;
  const { a, b } = compare(
    () => (stale = staleCount(core.scanPods(snapshot, context))),
    () => {
      for (const pod of pods) core.mutate(pod, { ...preview, namespace: pod.metadata.namespace ?? 'default' }, config);
    },
    9,
    200,
  );
  return { pods: pods.length, stale, scan: a / pods.length, preview: b / pods.length };
}

/** Runs a live doctor against a double holding `count` pods; its peak RSS (MiB) and wall time (ms). */
async function liveRun(testing, dir, count) {
  const api = await testing.startKubeApi({ serverVersion: { major: '1', minor: '29', gitVersion: 'v1.29.3-eks-ae9a62a' } });
  try {
    for (const o of testing.healthyClusterWithWebPods(count, { nodeAgents: count / 20 })) api.apply(o);
    const kubeconfig = join(dir, `${count}.kubeconfig`);
    await writeFile(kubeconfig, api.kubeconfig({ token: 'bench', namespace: 'shop' }));
    const started = performance.now();
    const { code, stderr } = await run([process.execPath, '--import', REPORT_RSS, 'packages/cli/bin/dd-mutate.js', 'doctor', '--kubeconfig', kubeconfig, '--no-probe', '-o', 'json']);
    const ms = performance.now() - started;
    const rss = /maxRSS (\d+)/.exec(stderr);
    if (!rss || code > 1) throw new Error(`doctor exited ${code}: ${stderr}`);
    const pages = api.requests.filter((r) => r.verb === 'list' && r.resource === 'pods' && r.namespace === undefined).length;
    return { rssMiB: Number(rss[1]) / 1024, ms, pages };
  } finally {
    await api.close();
  }
}

function run([command, ...args]) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: tmpdir() }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Both measurements. */
export async function benchDoctor({ core, testing, compare }) {
  const scan = scanCost(core, testing, compare, 500);
  const dir = await mkdtemp(join(tmpdir(), 'dd-bench-doctor-'));
  try {
    const small = await liveRun(testing, dir, 1000);
    const large = await liveRun(testing, dir, 10_000);
    return { scan, small, large };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
