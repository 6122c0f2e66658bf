import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { assertBuilt, KUBECTL_PLUGIN, spawnCli, tempDir, type CliResult } from './helpers.js';

// Every test here runs the real built executable, as a user would.

const DEPLOYMENT = `# the shop's front end
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    tags.datadoghq.com/env: prod
    tags.datadoghq.com/service: web
    tags.datadoghq.com/version: "1.4.2"
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web
        admission.datadoghq.com/enabled: "true"
    spec:
      containers:
      - name: app
        image: shop/web:1.4.2 # pinned
        env:
        - name: PORT
          value: "8080"
      - name: sidecar
        image: envoy:1.28
`;

const MISPLACED = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  labels:
    admission.datadoghq.com/enabled: "true"
spec:
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: api:1
`;

const CRONJOB = `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: batch}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: {admission.datadoghq.com/enabled: "true"}
        spec:
          restartPolicy: Never
          containers:
          - name: job
            image: job:1
`;

const BAD_LIB_CONFIG = `apiVersion: v1
kind: Pod
metadata:
  name: worker
  labels:
    admission.datadoghq.com/enabled: "true"
  annotations:
    admission.datadoghq.com/python-lib.version: v2.3.0
    admission.datadoghq.com/python-lib.config.v1: "{bad json"
spec:
  containers:
  - name: app
    image: worker:1
`;

const SYNTAX_ERROR_IN_DOC_2 = `apiVersion: v1
kind: Pod
metadata: {name: fine}
spec: {containers: [{name: a, image: a}]}
---
apiVersion: v1
kind: Pod
metadata: {name: broken
`;

let dir: string;
/** These tests state 7.49 facts: the preview runs pinned to that release. */
const AT_7_49 = ['--agent-version', '7.49'];
const run = (args: string[], input?: string, env?: Record<string, string>): Promise<CliResult> =>
  spawnCli([...args, ...AT_7_49], { cwd: dir, ...(input !== undefined ? { input } : {}), ...(env ? { env } : {}) });

type Env = { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath?: string } } };
type Container = { name: string; env?: Env[]; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] };
const envOf = (c: Container | undefined) => Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value ?? `fieldRef ${e.valueFrom?.fieldRef?.fieldPath}`]));

beforeAll(() => {
  assertBuilt();
  dir = tempDir({
    'deployment.yaml': DEPLOYMENT,
    'misplaced.yaml': MISPLACED,
    'cronjob.yaml': CRONJOB,
    'bad-lib-config.yaml': BAD_LIB_CONFIG,
    'syntax.yaml': SYNTAX_ERROR_IN_DOC_2,
  });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dd-mutate on a Deployment', () => {
  it('-o yaml writes the injected env vars back into spec.template, keeping everything else', async () => {
    const r = await run(['deployment.yaml', '-o', 'yaml']);
    expect(r.status).toBe(0);
    const out = parse(r.stdout);
    const [app, sidecar] = out.spec.template.spec.containers as Container[];
    expect(envOf(app)).toEqual({
      DD_AGENT_HOST: 'fieldRef status.hostIP',
      DD_ENTITY_ID: 'fieldRef metadata.uid',
      DD_ENV: 'prod',
      DD_SERVICE: 'web',
      DD_VERSION: '1.4.2',
      PORT: '8080',
    });
    expect(envOf(sidecar).DD_ENV).toBe('prod');
    // The user's own env entry stays last: injected entries are prepended.
    expect(app!.env!.at(-1)).toEqual({ name: 'PORT', value: '8080' });
    expect(Object.keys(out)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(Object.keys(out.spec)).toEqual(['replicas', 'selector', 'template']);
    expect(out.metadata).toEqual(parse(DEPLOYMENT).metadata);
    expect(out.spec.template.metadata).toEqual(parse(DEPLOYMENT).spec.template.metadata);
    // Comments survive: the output is the user's manifest, edited.
    expect(r.stdout).toContain('# the shop\'s front end');
    expect(r.stdout).toContain('image: shop/web:1.4.2 # pinned');
    expect(r.stderr).toContain('config webhook: env DD_AGENT_HOST, DD_ENTITY_ID -> containers app, sidecar');
    expect(r.stderr).toContain('DD_ENV=prod  [label tags.datadoghq.com/env on owner Deployment web]');
  });

  it('-o patch roots every operation at the pod template', async () => {
    const r = await run(['deployment.yaml', '-o', 'patch']);
    expect(r.status).toBe(0);
    const patch = JSON.parse(r.stdout) as { op: string; path: string; value: unknown }[];
    expect(patch.length).toBeGreaterThan(0);
    for (const op of patch) expect(op.path).toMatch(/^\/spec\/template\/spec\//);
    // The sidecar has no env: the first injection creates the array whole (no add to /- of a missing array).
    expect(patch).toContainEqual({
      op: 'add',
      path: '/spec/template/spec/containers/1/env',
      value: [{ name: 'DD_AGENT_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }],
    });
    expect(patch).toContainEqual({ op: 'add', path: '/spec/template/spec/containers/0/env/0', value: { name: 'DD_ENV', value: 'prod' } });
  });

  it('-o diff (the default) heads the diff with the object and shows only added lines', async () => {
    const r = await run(['deployment.yaml']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('--- Deployment shop/web');
    expect(lines[1]).toBe('+++ Deployment shop/web (after admission)');
    expect(lines[2]).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/);
    expect(lines).toContain('+        - name: DD_AGENT_HOST');
    expect(lines).toContain('+              fieldPath: status.hostIP');
    expect(lines.filter((l) => l.startsWith('-') && !l.startsWith('---'))).toEqual([]);
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('FORCE_COLOR colours the diff even through a pipe', async () => {
    const r = await run(['deployment.yaml'], undefined, { FORCE_COLOR: '1' });
    expect(r.stdout).toContain('\x1b[32m+        - name: DD_AGENT_HOST\x1b[0m');
  });

  it('its yaml output, piped back in, needs no further patch (idempotent through the real process)', async () => {
    const first = await run(['deployment.yaml', '-o', 'yaml']);
    const second = await run(['-', '-o', 'patch'], first.stdout);
    expect(second.status).toBe(0);
    expect(second.stdout.trim()).toBe('[]');
    expect(second.stderr).toContain('no changes');
  });

  it('reads standard input for -', async () => {
    const r = await run(['-', '-o', 'json'], DEPLOYMENT);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.kind).toBe('Deployment');
    expect(envOf(out.spec.template.spec.containers[0]).DD_AGENT_HOST).toBe('fieldRef status.hostIP');
    expect(r.stderr).toContain('Deployment shop/web (<stdin>, document 1)');
  });
});

describe('configuration', () => {
  it('--set mode=socket injects the socket URLs and the datadog hostPath volume', async () => {
    const r = await run(['deployment.yaml', '--set', 'admission_controller.inject_config.mode=socket', '-o', 'yaml']);
    expect(r.status).toBe(0);
    const spec = parse(r.stdout).spec.template.spec;
    const env = envOf(spec.containers[0]);
    expect(env.DD_TRACE_AGENT_URL).toBe('unix:///var/run/datadog/apm.socket');
    expect(env.DD_DOGSTATSD_URL).toBe('unix:///var/run/datadog/dsd.socket');
    expect(env.DD_AGENT_HOST).toBeUndefined();
    expect(spec.volumes).toEqual([{ name: 'datadog', hostPath: { path: '/var/run/datadog', type: 'DirectoryOrCreate' } }]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'datadog', mountPath: '/var/run/datadog', readOnly: true }]);
    expect(r.stderr).toContain('admission_controller.inject_config.mode set by --set');
  });

  it('--config reads a datadog.yaml (nested keys) and a map of DD_ names; --set overrides it', async () => {
    const nested = 'admission_controller:\n  inject_config:\n    mode: service\n    local_service_name: agent\n';
    const d = tempDir({ 'datadog.yaml': nested, 'env.yaml': 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE: socket\n', 'deployment.yaml': DEPLOYMENT });
    try {
      const service = await spawnCli(['deployment.yaml', '--config', 'datadog.yaml', '--agent-namespace', 'datadog', '-o', 'json', ...AT_7_49], { cwd: d });
      expect(service.status).toBe(0);
      expect(envOf(JSON.parse(service.stdout).spec.template.spec.containers[0]).DD_AGENT_HOST).toBe('agent.datadog.svc.cluster.local');
      const socket = await spawnCli(['deployment.yaml', '--config', 'env.yaml', '-o', 'json', ...AT_7_49], { cwd: d });
      expect(envOf(JSON.parse(socket.stdout).spec.template.spec.containers[0]).DD_TRACE_AGENT_URL).toBe('unix:///var/run/datadog/apm.socket');
      const overridden = await spawnCli(['deployment.yaml', '--config', 'env.yaml', '--set', 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE=hostip', '-o', 'json', ...AT_7_49], { cwd: d });
      expect(envOf(JSON.parse(overridden.stdout).spec.template.spec.containers[0]).DD_AGENT_HOST).toBe('fieldRef status.hostIP');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('ignores DD_* variables of the process environment', async () => {
    const r = await run(['deployment.yaml', '-o', 'json'], undefined, { DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE: 'socket' });
    expect(envOf(JSON.parse(r.stdout).spec.template.spec.containers[0]).DD_AGENT_HOST).toBe('fieldRef status.hostIP');
  });

  it('a bad value exits 1 naming the key, with nothing on stdout', async () => {
    const r = await run(['deployment.yaml', '--set', 'DD_ADMISSION_CONTROLLER_INJECT_CONFIG_ENABLED=nope']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'dd-mutate: error: --set (DD_ADMISSION_CONTROLLER_INJECT_CONFIG_ENABLED): admission_controller.inject_config.enabled: expected a boolean (true or false), got "nope"\n',
    );
  });

  it('an unknown key is a warning on stderr, not an error', async () => {
    const r = await run(['deployment.yaml', '--set', 'admission_controller.inject_config.mdoe=socket', '-o', 'patch']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('admission_controller.inject_config.mdoe: unknown key, ignored (did you mean admission_controller.inject_config.mode?)');
  });
});

describe('deployment surfaces', () => {
  it('--helm-values: preview, config and manifests from the values users install the chart with', async () => {
    const values = 'datadog:\n  apm:\n    socketEnabled: false\n    portEnabled: true\n';
    const d = tempDir({ 'values.yaml': values, 'deployment.yaml': DEPLOYMENT });
    try {
      const preview = await spawnCli(['deployment.yaml', '--helm-values', 'values.yaml', '-o', 'json', ...AT_7_49], { cwd: d });
      expect(preview.status).toBe(0);
      expect(envOf(JSON.parse(preview.stdout).spec.template.spec.containers[0]).DD_AGENT_HOST).toBe('fieldRef status.hostIP');
      const config = await spawnCli(['config', '--helm-values', 'values.yaml', ...AT_7_49], { cwd: d });
      expect(config.status).toBe(0);
      expect(config.stdout).toContain('    mode: hostip # datadog.apm.portEnabled\n');
      const manifests = await spawnCli(['manifests', '--network-policy', 'kubernetes', '--helm-values', 'values.yaml', '-n', 'datadog', ...AT_7_49], { cwd: d });
      expect(parseAllDocuments(manifests.stdout).map((doc) => doc.toJS().kind)).toEqual(['Service', 'NetworkPolicy']);
      const usage = await spawnCli(['config', '--helm-values', 'values.yaml', '--datadog-agent', 'x.yaml'], { cwd: d });
      expect(usage.status).toBe(2);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('workloads and warnings', () => {
  it('a CronJob is patched under spec.jobTemplate.spec.template.spec', async () => {
    const r = await run(['cronjob.yaml', '-o', 'patch']);
    expect(r.status).toBe(0);
    const patch = JSON.parse(r.stdout) as { path: string }[];
    expect(patch.map((op) => op.path)).toEqual([
      '/spec/jobTemplate/spec/template/spec/containers/0/env',
      '/spec/jobTemplate/spec/template/spec/containers/0/env/0',
    ]);
  });

  it('warns when the enabled label is on the Deployment instead of its pod template, and --strict fails on it', async () => {
    const r = await run(['misplaced.yaml']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      "label admission.datadoghq.com/enabled is on the Deployment's metadata, but the webhook reads the pod's labels: move it to spec.template.metadata.labels",
    );
    expect(r.stderr).toContain('nothing injected: every webhook skipped this pod');
    expect(r.stderr).toContain("config: the pod's labels do not match the webhook's objectSelector (admission.datadoghq.com/enabled=true)");
    const strict = await run(['misplaced.yaml', '--strict']);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('--strict: failing because of 1 misplaced label/annotation');
  });

  it('a webhook failure fails open: exit 0, a warning, no library injected; --strict exits 1', async () => {
    const r = await run(['bad-lib-config.yaml', '-o', 'yaml']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('auto-instrumentation webhook failed: annotation admission.datadoghq.com/python-lib.config.v1: invalid JSON');
    const spec = parse(r.stdout).spec;
    expect(spec.initContainers).toBeUndefined();
    expect(spec.volumes).toBeUndefined();
    expect(envOf(spec.containers[0])).toEqual({ DD_AGENT_HOST: 'fieldRef status.hostIP', DD_ENTITY_ID: 'fieldRef metadata.uid' });
    const strict = await run(['bad-lib-config.yaml', '--strict', '-o', 'yaml']);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('--strict: failing because of 1 webhook failure');
  });

  it('Namespace documents give the namespace labels the webhook selectors see', async () => {
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {control-plane: "true"}\n---\n';
    const r = await run(['-', '--set', 'admission_controller.add_aks_selectors=true', '-o', 'patch'], ns + DEPLOYMENT);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { document: 'Namespace shop', patch: [] },
      { document: 'Deployment shop/web', patch: [] },
    ]);
    expect(r.stderr).toContain("config: the namespace's labels do not match the webhook's namespaceSelector");
  });

  it('other documents of the input are owners the tags webhook can look up', async () => {
    const input = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-abc
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true}]
spec: {template: {spec: {containers: [{name: app, image: web}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {tags.datadoghq.com/env: staging}}
spec: {template: {spec: {containers: [{name: app, image: web}]}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-abc-x1
  namespace: shop
  labels: {admission.datadoghq.com/enabled: "true"}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, controller: true}]
spec:
  containers: [{name: app, image: web}]
`;
    const r = await run(['-', '-o', 'json'], input);
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items.map((i: { kind: string }) => i.kind)).toEqual(['ReplicaSet', 'Deployment', 'Pod']);
    expect(envOf(list.items[2].spec.containers[0]).DD_ENV).toBe('staging');
    expect(r.stderr).toContain('DD_ENV=staging  [label tags.datadoghq.com/env on owner Deployment web]');
  });

  it('an owner missing from the input is a tags webhook failure (fail-open)', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: web-abc-x1
  labels: {admission.datadoghq.com/enabled: "true"}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, controller: true}]
spec:
  containers: [{name: app, image: web}]
`;
    const r = await run(['-', '-n', 'shop', '-o', 'patch'], pod);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('tags webhook failed: cannot get owner ReplicaSet web-abc in namespace shop: not found');
    expect((JSON.parse(r.stdout) as { path: string }[]).map((op) => op.path)).toEqual(['/spec/containers/0/env', '/spec/containers/0/env/0']);
  });
});

describe('several documents and Lists', () => {
  const LIST = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: settings}
  data: {a: "1"}
- apiVersion: v1
  kind: Pod
  metadata:
    name: p
    labels: {admission.datadoghq.com/enabled: "true"}
  spec:
    containers:
    - name: app
      image: app
`;

  it('a List stays a List; its items are patched under /items/<i>', async () => {
    const yaml = await run(['-', '-o', 'yaml'], LIST);
    expect(yaml.status).toBe(0);
    const out = parse(yaml.stdout);
    expect(out.kind).toBe('List');
    expect(out.items[0]).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } });
    expect(envOf(out.items[1].spec.containers[0]).DD_AGENT_HOST).toBe('fieldRef status.hostIP');
    const patch = await run(['-', '-o', 'patch'], LIST);
    expect((JSON.parse(patch.stdout) as { path: string }[]).map((op) => op.path)).toEqual(['/items/1/spec/containers/0/env', '/items/1/spec/containers/0/env/0']);
    const diff = await run(['-'], LIST);
    expect(diff.stdout.split('\n')[0]).toBe('--- Pod default/p');
  });

  it('-o yaml of several documents is a stream in input order; -o json a v1 List; non-pods pass through', async () => {
    const input = `apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 80}]}\n---\n${DEPLOYMENT}`;
    const yaml = await run(['-', '-o', 'yaml'], input);
    expect(yaml.status).toBe(0);
    const docs = parseAllDocuments(yaml.stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['Service', 'Deployment']);
    expect(docs[0]).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } });
    expect(yaml.stderr).toContain('Service shop/web (<stdin>, document 1): not a Pod or workload, passed through unchanged');
    const json = JSON.parse((await run(['-', '-o', 'json'], input)).stdout);
    expect(json.items.map((i: { kind: string }) => i.kind)).toEqual(['Service', 'Deployment']);
  });

  it('reads JSON input', async () => {
    const pod = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j', labels: { 'admission.datadoghq.com/enabled': 'true' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    const r = await run(['-', '-o', 'yaml'], pod);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('apiVersion: v1\nkind: Pod\n');
    expect(envOf(parse(r.stdout).spec.containers[0]).DD_ENTITY_ID).toBe('fieldRef metadata.uid');
  });
});

describe('errors and usage', () => {
  it('a YAML syntax error exits 1 naming the file and the document', async () => {
    const r = await run(['syntax.yaml']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^dd-mutate: error: syntax\.yaml: document 2, line \d+, column \d+: YAML syntax error: /);
  });

  it('an invalid pod shape exits 1 naming the document, the object and the field', async () => {
    const bad = DEPLOYMENT.replace('- name: PORT', '- name: 8080');
    const r = await run(['-'], `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n${bad}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'dd-mutate: error: <stdin>: document 2 (Deployment shop/web), field spec.template.spec.containers[0].env[0].name: Invalid input: expected string, received number\n',
    );
  });

  it('a missing file exits 1 naming it', async () => {
    const r = await run(['nowhere.yaml']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('dd-mutate: error: nowhere.yaml: cannot read: no such file\n');
  });

  it('usage errors exit 2 with the usage line', async () => {
    for (const args of [['deployment.yaml', '--frobnicate'], ['deployment.yaml', '-o', 'xml'], ['deployment.yaml', '--webhook', 'tag'], ['deployment.yaml', '--set', 'novalue'], []]) {
      const r = await run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('Usage: dd-mutate <file|->');
      expect(r.stdout).toBe('');
    }
    expect((await run(['deployment.yaml', '--stirct'])).stderr).toContain('unknown flag --stirct (did you mean --strict?)');
  });

  it('--help lists every flag; --version prints the version', async () => {
    const help = await run(['--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--config', '--set', '-n, --namespace', '--agent-namespace', '--webhook', '-o, --output', '--strict', '-h, --help', '--version']) {
      expect(help.stdout).toContain(flag);
    }
    const version = await run(['--version']);
    expect(version.stdout).toBe('dd-mutate 0.1.0\n');
  });

  it('as the kubectl plugin, usage says kubectl dd-mutate', async () => {
    const r = await spawnCli(['--help'], { cwd: dir, bin: KUBECTL_PLUGIN });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: kubectl dd-mutate <file\|->/);
  });

  it('--webhook runs only the named webhooks', async () => {
    const r = await run(['deployment.yaml', '--webhook', 'tags', '-o', 'json']);
    expect(Object.keys(envOf(JSON.parse(r.stdout).spec.template.spec.containers[0]))).toEqual(['DD_VERSION', 'DD_SERVICE', 'DD_ENV', 'PORT']);
  });
});

