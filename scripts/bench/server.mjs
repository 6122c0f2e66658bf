// Server benchmark: AdmissionReviews/s and p50/p99 latency over HTTPS keep-alive on
// loopback, for our server and for a bare node:https server answering a constant
// review, with the same client in the same run; plus each server's peak RSS. A third
// server, core-server.mjs, does only the core's work, to tell the adapter's cost from it.
// Ours runs as the image runs it (the Dockerfile ENTRYPOINT's node flags), a second time with
// the controllers on against the Kubernetes API double: the Deployment's mode, whose peak RSS
// sets the Deployment's memory request and limit (docs/server.md).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCertificate } from './certificate.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The node flags of the image's ENTRYPOINT (between the node binary and the script). */
export function imageNodeFlags() {
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(join(root, 'packages/server-node/Dockerfile'), 'utf8'));
  return entrypoint ? JSON.parse(entrypoint[1]).slice(1, -1) : [];
}

/** Starts a server process and resolves with its port once it says it listens. */
function start(args, env = {}) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${seen}`)), 15_000);
    const onData = (chunk) => {
      seen += chunk;
      const m = /listening on (?:\S+ )?port (\d+)/.exec(seen);
      if (!m) return;
      clearTimeout(timer);
      resolve({ child, port: Number(m[1]) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${seen}`)));
  });
}

/** Peak resident memory of a process, from /proc (Linux), in MiB. */
function peakRssMiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
}

function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs the comparison; `review` is the request body, `runLoad` the testing package's load
 * generator, `startKubeApi` its Kubernetes API double (for the controllers' run).
 */
export async function benchServer({ review, runLoad, startKubeApi, concurrency = 16, durationMs = 2000, rounds = 5 }) {
  const { certFile, keyFile, ca } = await writeCertificate();
  const api = await startKubeApi();
  const kubeconfig = join(certFile, '..', 'kubeconfig');
  writeFileSync(kubeconfig, api.kubeconfig());
  const oursArgs = [...imageNodeFlags(), 'packages/server-node/dist/dd-admission-webhook.js', '--tls-cert', certFile, '--tls-key', keyFile, '--port', '0', '--host', '127.0.0.1', '--agent-namespace', 'datadog'];
  const ours = await start(oursArgs, { DD_LOG_LEVEL: 'info' });
  // The certificate stays the files' (so the same client calls it); the controllers, the Kubernetes client and the certificate library all run.
  const controllers = await start([...oursArgs, '--kubeconfig', kubeconfig], { DD_LOG_LEVEL: 'info', DD_ADMISSION_CONTROLLER_ENABLED: 'true', DD_KUBE_RESOURCES_NAMESPACE: 'datadog' });
  const bare = await start(['scripts/bench/bare-server.mjs', certFile, keyFile]);
  const coreOnly = await start(['scripts/bench/core-server.mjs', certFile, keyFile]);
  const load = (port) =>
    runLoad({ url: `https://127.0.0.1:${port}/injectconfig`, ca, body: review, concurrency, durationMs, maxRequests: 1_000_000, headers: { 'content-type': 'application/json' } });
  const results = { ours: [], bare: [], coreOnly: [], controllers: [] };
  const servers = [['ours', ours], ['bare', bare], ['coreOnly', coreOnly], ['controllers', controllers]];
  try {
    for (const [, s] of servers) await load(s.port); // warm-up
    // Rounds alternate so that a change in the machine's load touches every server alike.
    // CPU time per review too: unlike reviews/s, it hardly moves when other processes share the cores.
    for (let round = 0; round < rounds; round++) {
      for (const [name, s] of servers) {
        const cpu = cpuMs(s.child.pid);
        const run = await load(s.port);
        results[name].push({ ...run, cpuPerReviewMs: (cpuMs(s.child.pid) - cpu) / Math.max(1, run.requests) });
      }
    }
  } finally {
    results.oursRss = peakRssMiB(ours.child.pid);
    results.bareRss = peakRssMiB(bare.child.pid);
    results.controllersRss = peakRssMiB(controllers.child.pid);
    await Promise.all(servers.map(([, s]) => stop(s.child)));
    await api.close();
  }
  const summary = (runs) => ({
    rps: runs.reduce((s, r) => s + r.reviewsPerSecond, 0) / runs.length,
    p50: runs.reduce((s, r) => s + r.p50, 0) / runs.length,
    p99: runs.reduce((s, r) => s + r.p99, 0) / runs.length,
    errors: runs.reduce((s, r) => s + r.errors, 0),
    non200: runs.reduce((s, r) => s + Object.entries(r.statusCounts).filter(([k]) => k !== '200').reduce((a, [, n]) => a + n, 0), 0),
  });
  // Ratios of rounds run back to back, then their median: a burst of load on the shared
  // machine during one round then moves one pair, not the result.
  const pairedRatio = (a, b) => median(a.map((r, i) => r.reviewsPerSecond / b[i].reviewsPerSecond));
  return {
    ours: summary(results.ours),
    bare: summary(results.bare),
    controllers: summary(results.controllers),
    nodeFlags: imageNodeFlags(),
    coreOnly: summary(results.coreOnly),
    rounds,
    ratio: pairedRatio(results.ours, results.bare),
    coreOnlyRatio: pairedRatio(results.coreOnly, results.bare),
    adapterRatio: pairedRatio(results.ours, results.coreOnly),
    // CPU per review, ours over bare: above 1, ours costs more per review.
    cpuRatio: median(results.ours.map((r, i) => r.cpuPerReviewMs / results.bare[i].cpuPerReviewMs)),
    oursRss: results.oursRss,
    bareRss: results.bareRss,
    controllersRss: results.controllersRss,
  };
}
