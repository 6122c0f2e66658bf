// dd-mutate doctor in-process: the command line, what a live read does with refused
// permissions, an unreachable or failing API server, the probe's timing on an injected
// clock, --no-probe, -n, the overrides, dumps from files and stdin, the text report
// and the exit statuses. The end-to-end runs are in doctor.e2e.test.ts.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DoctorReport, Finding } from '@dd-admission/core';
import { CLUSTER_NOW, dumpYaml, SEEDED_CLUSTERS, startKubeApi, type KubeApi, type KubeObject } from '@dd-admission/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseArgs } from '../src/args.js';
import { doctorCommand, type DoctorIo } from '../src/doctor/command.js';
import { run } from '../src/run.js';
import { fakeIo } from './helpers.js';

let dir: string;
let api: KubeApi | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dd-mutate-doctor-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const seeded = (name: string) => SEEDED_CLUSTERS.find((c) => c.name === name)!;

/** A double holding a seeded cluster, and a kubeconfig file for it (context namespace `shop`). */
async function cluster(name = 'healthy'): Promise<{ api: KubeApi; kubeconfig: string }> {
  api = await startKubeApi({ serverVersion: { major: '1', minor: '29', gitVersion: 'v1.29.3-eks-ae9a62a' } });
  for (const o of seeded(name).objects()) api.apply(o as KubeObject);
  const kubeconfig = join(dir, `${name}-${api.port}.kubeconfig`);
  await writeFile(kubeconfig, api.kubeconfig({ token: 'doctor', namespace: 'shop' }));
  return { api, kubeconfig };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `dd-mutate doctor <args>` in-process at the seeded clusters' time; `ticks` is what the monotonic clock reads, call after call. */
async function doctor(args: string[], options: { files?: Record<string, string>; stdin?: string; ticks?: number[]; tty?: boolean } = {}): Promise<Run> {
  const ticks = [...(options.ticks ?? [])];
  const fake = fakeIo(options.files ?? {}, { ...(options.stdin ? { stdin: options.stdin } : {}), tty: options.tty ?? false, env: { HOME: dir, ...(options.tty ? { FORCE_COLOR: '1' } : {}) } });
  const out = fake.out;
  const io: DoctorIo = { ...fake.io, now: () => Date.parse(CLUSTER_NOW), monotonic: () => ticks.shift() ?? 0 };
  const command = parseArgs(['doctor', ...args]);
  if (command.kind !== 'doctor') throw new Error(`not a doctor command: ${command.kind}`);
  return { code: await doctorCommand(command.options, io), ...out };
}

/** One rule of a ClusterRole. */
interface Rule {
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

function allows(rule: Rule, verb: string, resource: string, name: string | undefined): boolean {
  return rule.verbs.includes(verb) && rule.resources.includes(resource) && (rule.resourceNames === undefined || (name !== undefined && rule.resourceNames.includes(name)));
}

const report = (r: Run) => JSON.parse(r.stdout) as DoctorReport;
const check = (r: Run, id: string): Finding => report(r).checks.find((c) => c.id === id)!;

describe('the command line', () => {
  it.each([
    [['-n', 'shop', '-A'], 'doctor: -n/--namespace and -A/--all-namespaces cannot be used together'],
    [['--from', 'dump.yaml', '--kubeconfig', 'k'], 'doctor: --from reads a dump, not a cluster: leave out --kubeconfig and --context'],
    [['--helm-values', 'v.yaml', '--datadog-agent', 'd.yaml'], 'doctor: --helm-values and --datadog-agent cannot be used together: a cluster is installed by one of them'],
    [['--release', 'dd'], 'doctor: --release names the Helm release of --helm-values: give --helm-values too'],
    [['--distribution', 'eks,minikube'], 'doctor: --distribution: unknown distribution "minikube" (expected one of gke, gke-autopilot, gke-private, eks, aks, openshift, rancher, rancher-eks, rancher-gke-private)'],
    [['--agent-version', 'latest'], 'doctor: --agent-version: "latest" is not an agent version (expected X.Y or X.Y.Z, such as 7.78)'],
    [['-o', 'yaml'], 'doctor: -o/--output: unknown format "yaml" (expected text, json)'],
    [['--webhook', 'config'], "doctor: --webhook is not an option of 'doctor'"],
    [['cluster.yaml'], "doctor: 'doctor' takes no file argument, got: cluster.yaml (to preview a file named doctor, write ./doctor)"],
  ])('%j is a usage error: %s', async (args, message) => {
    const { io, out } = fakeIo({});
    expect(await run(['node', 'dd-mutate', 'doctor', ...args], io)).toBe(2);
    expect(out.stderr.split('\n')[0]).toBe(`dd-mutate: ${message}`);
    expect(out.stderr).toContain("Run 'dd-mutate doctor --help' for details.");
  });

  it('reads every flag of the issue', () => {
    const command = parseArgs(['doctor', '--kubeconfig', 'k', '--context', 'prod', '-n', 'shop', '--agent-namespace', 'datadog', '--config', 'c.yaml', '--set', 'a=b', '--set', 'c=d', '--distribution', 'eks', '--distribution', 'rancher', '--no-probe', '-o', 'json', '--strict', '--agent-version', '7.78.1']);
    expect(command).toEqual({
      kind: 'doctor',
      options: {
        kubeconfig: 'k',
        context: 'prod',
        namespace: 'shop',
        allNamespaces: false,
        agentNamespace: 'datadog',
        from: [],
        config: 'c.yaml',
        set: [
          { key: 'a', value: 'b' },
          { key: 'c', value: 'd' },
        ],
        distributions: ['eks', 'rancher'],
        agentVersion: '7.78.1',
        noProbe: true,
        output: 'json',
        strict: true,
      },
    });
    expect(parseArgs(['doctor', '--from', 'a.yaml', '--from', '-', '-A'])).toMatchObject({ options: { from: ['a.yaml', '-'], allNamespaces: true } });
  });
});

describe('a live read', () => {
  it('skips what RBAC refuses, naming the verb and the resource, and reads the rest', async () => {
    const { api, kubeconfig } = await cluster();
    api.access.deny({ verb: 'list', resource: 'networkpolicies' });
    api.access.deny({ verb: 'get', resource: 'secrets' });
    const r = await doctor(['--kubeconfig', kubeconfig, '--no-probe', '-o', 'json']);
    expect(check(r, 'network-policy')).toMatchObject({ status: 'skip', summary: 'not readable: needs list networkpolicies.networking.k8s.io' });
    expect(check(r, 'certificate')).toMatchObject({ status: 'skip', summary: 'not readable: needs get secrets' });
    expect(check(r, 'webhook-service').status).toBe('ok');
    expect(report(r).cluster.unreadable).toEqual([
      {
        resource: 'networkpolicies',
        needs: 'list networkpolicies.networking.k8s.io',
        message: 'networkpolicies.networking.k8s.io is forbidden: User "doctor" cannot list resource "networkpolicies" in API group "networking.k8s.io" at the cluster scope',
      },
      {
        resource: 'secrets',
        needs: 'get secrets',
        message: 'secrets "webhook-certificate" is forbidden: User "doctor" cannot get resource "secrets" in API group "" in the namespace "datadog"',
      },
    ]);
    expect(r.code).toBe(0);
  });

  it('lists in pages of 500 and reads one Secret, by name', async () => {
    const { api, kubeconfig } = await cluster();
    await doctor(['--kubeconfig', kubeconfig, '--no-probe', '-o', 'json']);
    const lists = api.requests.filter((q) => q.verb === 'list');
    expect(lists.map((q) => q.resource)).toEqual(expect.arrayContaining(['pods', 'deployments', 'mutatingwebhookconfigurations', 'nodes', 'cronjobs', 'endpointslices']));
    expect(lists.map((q) => q.resource)).not.toContain('secrets');
    expect(api.requests.filter((q) => q.resource === 'secrets').map((q) => [q.verb, q.namespace, q.name])).toEqual([['get', 'datadog', 'webhook-certificate']]);
  });

  it('makes only requests the shipped ClusterRole (docs/examples/doctor-rbac.yaml) allows', async () => {
    const role = parse(await readFile(new URL('../../../docs/examples/doctor-rbac.yaml', import.meta.url), 'utf8')) as { rules: Rule[] };
    const { api, kubeconfig } = await cluster();
    await doctor(['--kubeconfig', kubeconfig, '-o', 'json']);
    const resourceRequests = api.requests.filter((q) => q.resource !== undefined);
    expect(resourceRequests.length).toBeGreaterThan(15);
    const refused = resourceRequests.filter((q) => !role.rules.some((rule) => allows(rule, q.verb, q.resource!, q.name)));
    expect(refused.map((q) => `${q.verb} ${q.resource} ${q.name ?? ''}`)).toEqual([]);
  });

  it('an unreachable API server is one line and exit 1', async () => {
    const { api, kubeconfig } = await cluster();
    await api.refuseConnections();
    const r = await doctor(['--kubeconfig', kubeconfig]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^dd-mutate: cannot reach the Kubernetes API server at ${api.url.replaceAll('.', '\\.')}: .*ECONNREFUSED.*\\n$`));
  });

  it('an API error other than a refusal is one line and exit 1', async () => {
    const { api, kubeconfig } = await cluster();
    api.faults.add({ match: { resources: ['pods'], methods: ['GET'] }, action: { kind: 'status', code: 503, message: 'etcdserver: leader changed' } });
    const r = await doctor(['--kubeconfig', kubeconfig]);
    expect([r.code, r.stderr]).toEqual([1, `dd-mutate: cannot read the cluster at ${api.url}: etcdserver: leader changed (HTTP 503)\n`]);
  });
});

describe('the connectivity probe', () => {
  it('is timed on the injected clock: an unmutated pod after most of the timeout is the control plane not reaching the webhook', async () => {
    // Nothing answers at the Service's endpoint: with failurePolicy Ignore the pod comes back unmutated.
    const { api, kubeconfig } = await cluster();
    const r = await doctor(['--kubeconfig', kubeconfig, '-o', 'json'], { ticks: [1_000, 10_500] });
    const connectivity = check(r, 'connectivity');
    expect(connectivity.status).toBe('fail');
    expect(connectivity.details[0]).toBe('the probe pod came back unmutated after 9500 ms (the webhooks time out after 10s)');
    expect(connectivity.fix).toContain('aws ec2 authorize-security-group-ingress');
    expect(api.admissions.map((a) => [a.namespace, a.dryRun, a.result.failedOpen.length])).toEqual([['shop', true, 3]]);
  });

  it('answered fast and unmutated, it is explained by nothing else here', async () => {
    const { kubeconfig } = await cluster();
    const r = await doctor(['--kubeconfig', kubeconfig, '-o', 'json'], { ticks: [1_000, 1_030] });
    expect(check(r, 'connectivity').summary).toBe('the probe pod came back unmutated in 30 ms, and no other check explains it');
  });

  it('runs in the namespace of -n, and is skipped when create pods is refused or with --no-probe', async () => {
    const { api, kubeconfig } = await cluster();
    await doctor(['--kubeconfig', kubeconfig, '-n', 'default', '-o', 'json']);
    expect(api.requests.filter((q) => q.method === 'POST').map((q) => [q.resource, q.namespace])).toEqual([['pods', 'default']]);

    api.access.deny({ verb: 'create', resource: 'pods' });
    const refused = await doctor(['--kubeconfig', kubeconfig, '-o', 'json']);
    expect(check(refused, 'connectivity')).toMatchObject({ status: 'skip' });
    expect(check(refused, 'connectivity').summary).toBe(
      'not allowed: needs create pods in shop (pods is forbidden: User "doctor" cannot create resource "pods" in API group "" in the namespace "shop")',
    );
    const skipped = await doctor(['--kubeconfig', kubeconfig, '--no-probe', '-o', 'json']);
    expect(check(skipped, 'connectivity').summary).toBe('--no-probe: the dry-run pod create was not sent');
  });
});

describe('overrides and scope', () => {
  it('--set and --agent-version replace what the cluster says, with their origin', async () => {
    const { kubeconfig } = await cluster();
    const r = await doctor(['--kubeconfig', kubeconfig, '--no-probe', '-o', 'json', '--set', 'admission_controller.inject_config.mode=socket', '--agent-version', '7.78.1']);
    const agent = check(r, 'cluster-agent');
    expect(agent.summary).toContain('mode socket');
    expect(agent.details).toContain('admission_controller.inject_config.mode socket (--set)');
    expect(report(r).cluster.clusterAgent).toMatchObject({ version: '7.78.1', versionOrigin: '--agent-version' });
  });

  it('--distribution replaces the detection', async () => {
    const r = await doctor(['--from', 'dump.yaml', '--distribution', 'aks', '-o', 'json'], { files: { 'dump.yaml': dumpYaml(seeded('healthy').objects()) } });
    expect(report(r).cluster.distribution).toMatchObject({ names: ['aks'], source: 'declared' });
    expect(check(r, 'aks-selectors').status).toBe('fail');
  });
});

describe('dumps', () => {
  it('reads several files and stdin; counts kinds it does not read; the probe is skipped', async () => {
    const objects = seeded('healthy').objects();
    const half = Math.floor(objects.length / 2);
    const files = { 'a.yaml': dumpYaml(objects.slice(0, half)) };
    const extra = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: shop}\n';
    const r = await doctor(['--from', 'a.yaml', '--from', '-', '-o', 'json'], { files, stdin: `${dumpYaml(objects.slice(half))}---\n${extra}` });
    expect(report(r).cluster).toMatchObject({ source: 'dump', ignoredKinds: { Ingress: 1 }, malformed: [] });
    expect(report(r).checks.filter((c) => c.status !== 'ok').map((c) => c.id)).toEqual(['connectivity']);
    expect(check(r, 'connectivity').summary).toBe('a dump cannot be probed: the probe is a dry-run create through the live API server');
    expect(r.code).toBe(0);
  });

  it('a document the loader refuses stops the run with its file and position', async () => {
    const { io, out } = fakeIo({ 'dump.yaml': 'kind: List\nitems: [\n' });
    expect(await run(['node', 'dd-mutate', 'doctor', '--from', 'dump.yaml'], io)).toBe(1);
    expect(out.stderr).toMatch(/^dd-mutate: error: dump\.yaml: document 1, line \d+, column \d+: YAML syntax error: /);
  });
});

describe('the text report and the exit status', () => {
  it('groups the checks under their category, shows evidence, fix and link under a problem, and ends with the summary', async () => {
    const r = await doctor(['--from', 'dump.yaml'], { files: { 'dump.yaml': dumpYaml(seeded('certificate-expired').objects()) } });
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'Cluster: from a dump; eks (detected)',
      'Cluster Agent: datadog/datadog-cluster-agent, gcr.io/datadoghq/cluster-agent:7.49.1, Helm release datadog; emulating 7.49.1 (image gcr.io/datadoghq/cluster-agent:7.49.1)',
    ]);
    expect(lines.filter((l) => /^-+$/.test(l)).length).toBe(6);
    expect(lines.filter((l, i) => /^-+$/.test(lines[i + 1] ?? ''))).toEqual(['cluster-agent', 'webhook', 'distribution', 'network', 'workloads', 'end-to-end']);
    const failed = lines.findIndex((l) => l.startsWith('[fail] certificate: '));
    expect(lines.slice(failed + 1, failed + 4)).toEqual([
      '    fix:',
      '      kubectl delete secret webhook-certificate -n datadog && kubectl rollout restart deployment/datadog-cluster-agent -n datadog',
      '    see docs/troubleshooting.md#the-certificate',
    ]);
    expect(lines.filter((l) => l.startsWith('[ok] ')).length).toBe(10);
    expect(lines.at(-2)).toBe('Status check results: [fail] 1 failed, 10 ok, 1 skipped');
  });

  it('marks ✔ ⚠ ✖ in colour on a terminal', async () => {
    const r = await doctor(['--from', 'dump.yaml'], { files: { 'dump.yaml': dumpYaml(seeded('failure-policy-fail').objects()) }, tty: true });
    expect(r.stdout).toContain('\x1b[32m✔\x1b[0m cluster-agent: ');
    expect(r.stdout).toContain('\x1b[33m⚠\x1b[0m failure-policy: ');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('Status check results: \x1b[33m⚠\x1b[0m 1 warning, 10 ok, 1 skipped');
  });

  it('a warning fails the run only with --strict', async () => {
    const files = { 'dump.yaml': dumpYaml(seeded('failure-policy-fail').objects()) };
    expect((await doctor(['--from', 'dump.yaml'], { files })).code).toBe(0);
    const strict = await doctor(['--from', 'dump.yaml', '--strict', '-o', 'json'], { files });
    expect([strict.code, report(strict).success]).toEqual([1, false]);
  });
});
