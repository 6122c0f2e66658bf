import { describe, expect, it } from 'vitest';
import { programName, run } from '../src/run.js';
import { fakeIo } from './helpers.js';

// The CLI in-process, with an injected Io: the same code path main.ts drives.

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: shop
  labels: {admission.datadoghq.com/enabled: "true", tags.datadoghq.com/env: prod}
spec:
  containers:
  - name: app
    image: app
  - name: sidecar
    image: proxy
`;

describe('run', () => {
  it('explains on stderr, grouped by webhook, and keeps stdout for the output', async () => {
    const { io, out } = fakeIo({ 'pod.yaml': POD });
    expect(await run(['node', 'dd-mutate', 'pod.yaml', '-o', 'patch', '--agent-version', '7.49'], io)).toBe(0);
    expect(JSON.parse(out.stdout)).toHaveLength(6);
    expect(out.stderr).toBe(
      [
        'Emulating Cluster Agent 7.49 (--agent-version)',
        'Pod shop/p (pod.yaml, document 1)',
        '  [ok] config webhook: env DD_AGENT_HOST, DD_ENTITY_ID -> containers app, sidecar',
        '        DD_AGENT_HOST=fieldRef status.hostIP  [mode hostip (admission_controller.inject_config.mode)]',
        "        DD_ENTITY_ID=fieldRef metadata.uid  [the pod UID lets the agent tag this container's data (every mode)]",
        '  [ok] tags webhook: env DD_ENV -> containers app, sidecar',
        '        DD_ENV=prod  [label tags.datadoghq.com/env on the pod]',
        '  [skip] auto-instrumentation webhook skipped: no admission.datadoghq.com/<language>-lib.version or -lib.custom-image annotation',
        '1 object previewed: 1 changed, 0 unchanged',
        '',
      ].join('\n'),
    );
  });

  it('uses ✔/⚠ markers and colour on a terminal; NO_COLOR keeps the markers but drops colour', async () => {
    const tty = fakeIo({ 'pod.yaml': POD }, { tty: true });
    await run(['node', 'dd-mutate', 'pod.yaml', '--agent-version', '7.49'], tty.io);
    expect(tty.out.stderr).toContain('\x1b[32m✔\x1b[0m config webhook');
    expect(tty.out.stdout).toContain('\x1b[1m--- Pod shop/p\x1b[0m');
    const plain = fakeIo({ 'pod.yaml': POD }, { tty: true, env: { NO_COLOR: '1' } });
    await run(['node', 'dd-mutate', 'pod.yaml', '--agent-version', '7.49'], plain.io);
    expect(plain.out.stderr).toContain('  ✔ config webhook');
    expect(plain.out.stdout + plain.out.stderr).not.toContain('\x1b[');
  });

  it('previews stdin for -', async () => {
    const { io, out } = fakeIo({}, { stdin: POD });
    expect(await run(['node', 'dd-mutate', '-', '-o', 'json', '--webhook', 'tags', '--agent-version', '7.49'], io)).toBe(0);
    expect(JSON.parse(out.stdout).spec.containers[0].env).toEqual([{ name: 'DD_ENV', value: 'prod' }]);
  });

  it('prints config warnings and a config file error names the file', async () => {
    const warn = fakeIo({ 'pod.yaml': POD, 'datadog.yaml': 'admission_controller:\n  inject_config:\n    mode: HostIP\n' });
    expect(await run(['node', 'dd-mutate', 'pod.yaml', '--config', 'datadog.yaml', '--agent-version', '7.49'], warn.io)).toBe(0);
    expect(warn.out.stderr).toContain(
      '[warn] config: datadog.yaml: admission_controller.inject_config.mode: "HostIP" is not one of hostip, service, socket (case-sensitive): the config webhook will fail on every pod and inject nothing',
    );
    expect(warn.out.stderr).toContain('[warn] config webhook failed: invalid injection mode "HostIP"');
    const bad = fakeIo({ 'pod.yaml': POD, 'datadog.yaml': 'admission_controller:\n  timeout_seconds: 99\n' });
    expect(await run(['node', 'dd-mutate', 'pod.yaml', '--config', 'datadog.yaml', '--agent-version', '7.49'], bad.io)).toBe(1);
    expect(bad.out.stderr).toBe('dd-mutate: error: datadog.yaml: admission_controller.timeout_seconds: must be at most 30\n');
    const missing = fakeIo({ 'pod.yaml': POD });
    expect(await run(['node', 'dd-mutate', 'pod.yaml', '--config', 'nope.yaml', '--agent-version', '7.49'], missing.io)).toBe(1);
    expect(missing.out.stderr).toBe('dd-mutate: error: nope.yaml: cannot read: no such file\n');
  });

  it('says kubectl dd-mutate in usage when run as the kubectl plugin', async () => {
    const { io, out } = fakeIo({});
    expect(await run(['node', 'some/dir/kubectl-dd_mutate', '--bogus'], io)).toBe(2);
    expect(out.stderr).toContain('Usage: kubectl dd-mutate <file|->');
    expect(out.stderr).toContain("Run 'kubectl dd-mutate --help' for details.");
    expect(programName('node_modules/.bin/dd-mutate')).toBe('dd-mutate');
    expect(programName('C:\\bin\\kubectl-dd_mutate.js')).toBe('kubectl dd-mutate');
  });
});
