#!/usr/bin/env node
// pnpm bench: cost ratios measured against a baseline in the same run (never absolute times).
//  - core: one AdmissionReview handled (parse, validate, mutate, patch, serialize) vs a bare
//    JSON.parse + JSON.stringify of the same review. Target <= 1.5x. A row over it also shows
//    its answer's floor: the same baseline's decoding plus encoding that row's patch, no mutation.
//  - cli: `dd-mutate example.yaml` cold start vs `node -e 0`. Target <= 3x.
//  - server: reviews/s over HTTPS keep-alive vs a bare node:https server answering a constant
//    review, same client, same run. Target >= 0.8x. Plus p50/p99 latency and peak RSS, a
//    reference server doing only the core's work, which tells the adapter's cost from the core's,
//    and ours with the controllers on (the Deployment's mode): its peak RSS.
//  - image: the size of the image `pnpm image` built, when there is one.
//  - doctor: the pod scan's cost per pod (stale-pod verdicts and the checks' tallies) vs the core
//    preview's (one mutate per pod) over the same pods; and a live doctor's peak RSS with 10,000
//    pods vs 1,000 served by the API double (pods are scanned page by page, so about 1x).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = fileURLToPath(new URL('..', import.meta.url));
const core = await import(new URL('../packages/core/dist/index.js', import.meta.url).href).catch(() => {
  console.error('packages/core/dist is missing: run the install (it builds the packages) first.');
  process.exit(1);
});

// A pod as the API server sends it to a mutating webhook: created by the ReplicaSet
// controller and already defaulted (probes, policies, tolerations, the projected
// service-account token volume), as in a real AdmissionReview.
function pod(containers) {
  const container = (i) => ({
    name: `app-${i}`,
    image: `registry.example.com/team/app-${i}:1.2.3`,
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
      { name: 'JAVA_TOOL_OPTIONS', value: '-Xmx512m' },
    ],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/app' },
      { name: 'kube-api-access-x7k2p', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ],
    readinessProbe: { httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: '/live', port: 8080, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
  });
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      generateName: 'web-5d8f7c9b4-',
      namespace: 'shop',
      creationTimestamp: null,
      labels: {
        app: 'web',
        'pod-template-hash': '5d8f7c9b4',
        'admission.datadoghq.com/enabled': 'true',
        'tags.datadoghq.com/env': 'prod',
        'tags.datadoghq.com/service': 'web',
        'tags.datadoghq.com/version': '1.2.3',
      },
      annotations: {
        'admission.datadoghq.com/java-lib.version': 'v1.31.0',
        'admission.datadoghq.com/java-lib.config.v1': '{"tracing_sampling_rate":0.4,"tracing_tags":["team:a"]}',
      },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b4', uid: '0c7a9d8e-4f1b-4c2d-9a8e-3b6f2d1c0e9a', controller: true, blockOwnerDeletion: true },
      ],
      managedFields: [
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: '2026-11-27T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {} } } } },
      ],
    },
    spec: {
      volumes: [
        { name: 'config', configMap: { name: 'web-config', defaultMode: 420 } },
        {
          name: 'kube-api-access-x7k2p',
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
            defaultMode: 420,
          },
        },
      ],
      containers: Array.from({ length: containers }, (_, i) => container(i)),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      serviceAccountName: 'web',
      serviceAccount: 'web',
      securityContext: { fsGroup: 2000 },
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {},
  };
}

function review(p) {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts'] },
      object: p,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  });
}

// The oldest and the newest emulated release: each must stay within the target.
const VERSIONS = [core.OLDEST_AGENT_VERSION, core.LATEST_AGENT_VERSION];
const configs = new Map(VERSIONS.map((v) => [v, core.parseConfigOrThrow({ origin: 'bench', values: {} }, { agentVersion: v })]));
const context = { agentNamespace: 'datadog', owners: [] };

function baseline(text) {
  return JSON.stringify(JSON.parse(text)).length;
}

function handle(text, webhook, config) {
  const parsed = core.parseAdmissionReview(JSON.parse(text));
  const { response } = core.reviewWebhook(parsed, webhook, context, config);
  return core.encodeReviewResponse(response).length;
}

/** Median ns per call over interleaved rounds, so both sides see the same machine load. */
function compare(a, b, rounds = 15, minMs = 40) {
  const ta = [];
  const tb = [];
  const time = (fn) => {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < minMs) {
      for (let i = 0; i < 50; i++) fn();
      n += 50;
      now = performance.now();
    }
    return ((now - start) * 1e6) / n;
  };
  // The optimizing compiler takes a while on a long path (library injection: near a second
  // on a busy 2-core machine), and a server runs warm: warm each side until two readings agree.
  const warm = (fn) => {
    let last = time(fn);
    for (let i = 0; i < 50; i++) {
      const now = time(fn);
      if (Math.abs(now - last) <= 0.1 * last) return;
      last = now;
    }
  };
  warm(a);
  warm(b);
  for (let r = 0; r < rounds; r++) {
    ta.push(time(a));
    tb.push(time(b));
  }
  const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return { a: median(ta), b: median(tb) };
}

/**
 * The answer's floor: decoding the review and encoding this webhook's answer, with no
 * mutation at all (the patch is made beforehand). Where it alone exceeds the target, the
 * answer is larger than the review and no mutation code can bring the ratio under it.
 */
function answerFloor(text, answer) {
  JSON.parse(text);
  const response = { ...answer, response: { ...answer.response, patch: core.base64Utf8(JSON.stringify(answer.patch)) } };
  return core.encodeReviewResponse(response).length;
}

const rows = [];
const mark = (ok) => (ok ? 'ok  ' : 'OVER');
for (const [version, config] of configs) {
  for (const [label, containers] of [['small pod (1 container)', 1], ['20-container pod', 20]]) {
    const text = review(pod(containers));
    for (const webhook of core.WEBHOOKS) {
      const { a, b } = compare(() => handle(text, webhook, config), () => baseline(text));
      const row = { version, label, webhook, bytes: text.length, ours: a, base: b, ratio: a / b };
      if (row.ratio > 1.5) {
        const { response, result } = core.reviewWebhook(core.parseAdmissionReview(JSON.parse(text)), webhook, context, config);
        const answer = { ...response, patch: result.patch };
        const floor = compare(() => answerFloor(text, answer), () => baseline(text));
        Object.assign(row, { floor: floor.a / floor.b, patchBytes: JSON.stringify(result.patch).length });
      }
      rows.push(row);
    }
  }
}

console.log('core: one AdmissionReview handled vs JSON.parse + JSON.stringify of the same review (target <= 1.5x), per emulated release');
for (const r of rows) {
  console.log(
    `  ${mark(r.ratio <= 1.5)} ${r.version.padEnd(5)} ${r.label.padEnd(24)} ${r.webhook.padEnd(21)} ${String(r.bytes).padStart(6)} B  ratio ${r.ratio.toFixed(2)}x  (${(r.ours / 1000).toFixed(1)} us vs ${(r.base / 1000).toFixed(1)} us)`,
  );
  if (r.floor !== undefined) {
    console.log(
      `       its answer's floor (decode the review, encode its ${r.patchBytes} B patch, no mutation) is already ${r.floor.toFixed(2)}x; the mutation adds ${(r.ratio - r.floor).toFixed(2)}x`,
    );
  }
}

function coldStart(args, runs = 15) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'ignore'] });
    times.push(performance.now() - start);
    if (r.status !== 0 && args[0] !== '-e') throw new Error(`${args.join(' ')} exited ${r.status}`);
  }
  return times.sort((x, y) => x - y)[Math.floor(runs / 2)];
}

const cli = ['packages/cli/bin/dd-mutate.js', 'docs/examples/deployment.yaml', '-o', 'yaml'];
const node = coldStart(['-e', '0']);
const ours = coldStart(cli);
console.log('cli: `dd-mutate docs/examples/deployment.yaml -o yaml` cold start vs `node -e 0` (target <= 3x)');
console.log(`  ${mark(ours / node <= 3)} ratio ${(ours / node).toFixed(2)}x  (${ours.toFixed(0)} ms vs ${node.toFixed(0)} ms, median of 15)`);

const { runLoad, startKubeApi } = await import(new URL('../packages/testing/dist/index.js', import.meta.url).href);
const { benchServer } = await import('./bench/server.mjs');
const s = await benchServer({ review: review(pod(1)), runLoad, startKubeApi });
const ratio = s.ratio;
console.log('server: AdmissionReviews/s over HTTPS keep-alive, 16 clients, /injectconfig, vs a bare node:https server (target >= 0.8x)');
console.log(`  ${mark(ratio >= 0.8)} ratio ${ratio.toFixed(2)}x, median of ${s.rounds} back-to-back rounds  (${s.ours.rps.toFixed(0)} vs ${s.bare.rps.toFixed(0)} reviews/s)`);
console.log(`       latency p50 ${s.ours.p50.toFixed(2)} ms / p99 ${s.ours.p99.toFixed(2)} ms  (bare: ${s.bare.p50.toFixed(2)} / ${s.bare.p99.toFixed(2)} ms)`);
console.log(
  `       reference: the bare server doing only the core's work (decode, validate, mutate, encode) reaches ${s.coreOnlyRatio.toFixed(2)}x of the bare server; ours is ${s.adapterRatio.toFixed(2)}x of it (the adapter's cost)`,
);
console.log(`       server CPU time per review: ours ${s.cpuRatio.toFixed(2)}x the bare server's (median of the rounds; steadier than reviews/s on a busy machine)`);
console.log(`       peak RSS ${s.oursRss.toFixed(0)} MiB (bare: ${s.bareRss.toFixed(0)} MiB), node flags of the image: ${s.nodeFlags.join(' ') || 'none'}; failed requests: ${s.ours.errors + s.ours.non200} (bare: ${s.bare.errors + s.bare.non200})`);
console.log(
  `       with the controllers (the Deployment's mode, against the Kubernetes API double): peak RSS ${s.controllersRss.toFixed(0)} MiB, ${s.controllers.rps.toFixed(0)} reviews/s; failed requests: ${s.controllers.errors + s.controllers.non200}`,
);

// The image, when `pnpm image` has built one: its size as a registry stores it and as a node unpacks it.
const built = await import('node:fs/promises').then((fs) => fs.readFile(new URL('../dist/image/build.json', import.meta.url), 'utf8')).then(JSON.parse, () => undefined);
console.log('image: dd-admission-webhook as `pnpm image` built it (dist/image/build.json)');
if (!built) console.log('  no image built: run `pnpm image` first');
else console.log(`  ${built.name} ${built.digest.slice(0, 19)}: ${(built.sizes.compressed / 1e6).toFixed(1)} MB compressed, ${(built.sizes.unpacked / 1e6).toFixed(1)} MB unpacked`);


const { benchDoctor } = await import('./bench/doctor.mjs');
const testing = await import(new URL('../packages/testing/dist/index.js', import.meta.url).href);
const d = await benchDoctor({ core, testing, compare });
console.log('doctor: pod scan (stale-pod verdicts) per pod vs the core preview (mutate) per pod, same pods');
console.log(
  `  ratio ${(d.scan.scan / d.scan.preview).toFixed(2)}x  (${(d.scan.scan / 1000).toFixed(1)} us vs ${(d.scan.preview / 1000).toFixed(1)} us per pod, ${d.scan.pods} pods, ${d.scan.stale} stale)`,
);
console.log('doctor: live run peak RSS, 10,000 pods vs 1,000 (pods scanned in pages of 500 and dropped, --no-probe)');
console.log(
  `  ratio ${(d.large.rssMiB / d.small.rssMiB).toFixed(2)}x  (${d.large.rssMiB.toFixed(0)} MiB vs ${d.small.rssMiB.toFixed(0)} MiB; ${d.large.pages} vs ${d.small.pages} pages of pods; wall ${(d.large.ms / 1000).toFixed(1)} s vs ${(d.small.ms / 1000).toFixed(1)} s)`,
);
