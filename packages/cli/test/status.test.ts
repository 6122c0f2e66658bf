// dd-mutate status against the Kubernetes API double, through a kubeconfig, as against a cluster
// (spec/controllers.md §5; the troubleshooting guide's example output).
import { agentStatusExample } from '@dd-admission/testing';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, fnv1Digest, webhookConfiguration } from '@dd-admission/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApi, type KubeApi } from '@dd-admission/testing';
import { UsageError } from '../src/errors.js';
import { parseStatusArgs, runStatus, type StatusIo, type StatusOptions } from '../src/status-command.js';

/** The troubleshooting guide's example, verbatim (between its `...` lines). */
const GUIDE_EXAMPLE = agentStatusExample();

/** A certificate as the secret controller makes it: O=Datadog, valid 2023-09-25T22:27:07Z to 2024-09-24T22:27:07Z. */
const CERT = [
  '-----BEGIN CERTIFICATE-----',
  'MIIDnDCCAoSgAwIBAgIQUOYrkeE/3MaBcs2ZZRwLOzANBgkqhkiG9w0BAQsFADAS',
  'MRAwDgYDVQQKEwdEYXRhZG9nMB4XDTIzMDkyNTIyMjcwN1oXDTI0MDkyNDIyMjcw',
  'N1owEjEQMA4GA1UEChMHRGF0YWRvZzCCASIwDQYJKoZIhvcNAQEBBQADggEPADCC',
  'AQoCggEBALjeHow6s6Zug+28k9bHGRZDaazHaxMGdmFBT28bH6WyS6hiBvaAtTiR',
  'Z934xLDKAYIeJyUEIlaXVE/sVeFbT2M4ilepKGslSclIK1oiu1s3FYjEIRudImjL',
  'JsZcLNdLFa6DN8eaRy0ud6wmUb3jd6WTZk6ap+/hrSq6UtsqvikVQ0b7XIyByn8O',
  '/Tnu8rDkO2VWZ952CDHkV18XzoeTiDfDT5PIh7l7RhIq65nGh8Hani8ZEi7ONUo6',
  'PQ2PI+ZuK+g0jG6lHSBEK4AyIWbLW2XmIj6wtUQQgPfIphxD4m0+KaZzQ+gywlKH',
  'UH+n4vvGCYxUVvWS8uVinw0AhbW0AcsCAwEAAaOB7TCB6jAPBgNVHRMBAf8EBTAD',
  'AQH/MA4GA1UdDwEB/wQEAwICpDATBgNVHSUEDDAKBggrBgEFBQcDATCBsQYDVR0R',
  'BIGpMIGmghxkYXRhZG9nLWFkbWlzc2lvbi1jb250cm9sbGVygiRkYXRhZG9nLWFk',
  'bWlzc2lvbi1jb250cm9sbGVyLmRlZmF1bHSCKGRhdGFkb2ctYWRtaXNzaW9uLWNv',
  'bnRyb2xsZXIuZGVmYXVsdC5zdmOCNmRhdGFkb2ctYWRtaXNzaW9uLWNvbnRyb2xs',
  'ZXIuZGVmYXVsdC5zdmMuY2x1c3Rlci5sb2NhbDANBgkqhkiG9w0BAQsFAAOCAQEA',
  'nWAJPvPyeF4DUhYJ6i468MDdTTaVzeZI3Bb4aJ1yHiP6gSzxP2yUmx5UqonDhPal',
  'GdaX3nfBauCvHaY6m6bl/EorEQWaKJpIUL+WMgWw2+L1tjXKD0zKK/k2Kahi4sjW',
  'cGg5JSCIHTtAI3Jt0HkWJgP+9nx+Ysk5MwCBAXALYb95e6ff4zE5QngiNRcYvMZH',
  'LLHHz0SkTqCWTD7feQ7cBHmne10j24qdAcDVsXqTer6pM7b2nGB7HzunlfbK12oT',
  'Qg88Y2JbnA+/5h/nxp9rpAjeaB+VKZhdSaQxDiV0nll16rFBD3FPif0UDh/hEX8r',
  'csQwtUf2fTqMMts96gpyaA==',
  '-----END CERTIFICATE-----',
  '',
].join('\n');
const CERT_B64 = Buffer.from(CERT).toString('base64');
const DIGEST = fnv1Digest(new TextEncoder().encode(CERT));
const NOT_AFTER = Date.parse('2024-09-24T22:27:07Z');
const LEFT_NS = (8643n * 3600n + 34n * 60n + 2n) * 1_000_000_000n + 557_676_864n;
/** The instant at which the guide's duration is left. */
const NOW_NS = BigInt(NOT_AFTER) * 1_000_000n - LEFT_NS;

let dir: string;
let api: KubeApi | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dd-mutate-status-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A cluster where the Cluster Agent in `namespace` created its objects at the guide's time. */
async function configuredCluster(namespace = 'default'): Promise<KubeApi> {
  const double = await startKubeApi({ now: () => Date.parse('2023-09-25T22:32:07Z') });
  double.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'webhook-certificate', namespace }, data: { 'cert.pem': CERT_B64, 'key.pem': 'a2V5' } });
  double.apply(webhookConfiguration(defaultConfig('7.49'), CERT_B64, { namespace }) as never);
  return double;
}

async function kubeconfigFile(double: KubeApi, name: string, options: { namespace?: string } = {}): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, double.kubeconfig(options));
  return file;
}

/** Runs the command in-process; nothing of the real environment leaks in. */
async function status(options: Partial<StatusOptions>, env: Record<string, string> = { HOME: dir }): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const io: StatusIo = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
    env,
    nowNs: () => NOW_NS,
  };
  // The guide's cluster runs 7.49 (the 7.78 layout: status-7.78 tests).
  const code = await runStatus({ output: 'text', agentVersion: '7.49', ...options }, io);
  return { code, ...out };
}

describe('dd-mutate status on a configured cluster', () => {
  it("prints the guide's example line by line (our certificate's digest in place of the guide's)", async () => {
    api = await configuredCluster();
    const result = await status({ kubeconfig: await kubeconfigFile(api, 'guide.kubeconfig') });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const expected = GUIDE_EXAMPLE.replaceAll('f24b6c0c40feaad2', DIGEST).split('\n');
    const lines = result.stdout.split('\n');
    lines.forEach((line, i) => expect(`${i + 1}: ${line}`).toBe(`${i + 1}: ${expected[i]}`));
    expect(lines.length).toBe(expected.length);
  });

  it('-o json gives the agent status keys', async () => {
    api = await configuredCluster();
    const result = await status({ kubeconfig: await kubeconfigFile(api, 'json.kubeconfig'), output: 'json' });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, any>;
    expect(Object.keys(json)).toEqual(['WebhookName', 'SecretName', 'Webhooks', 'Secret']);
    expect(json.SecretName).toBe('default/webhook-certificate');
    expect(json.Secret).toEqual({
      Name: 'webhook-certificate',
      Namespace: 'default',
      CreatedAt: '2023-09-25T22:32:07Z',
      CABundleDigest: DIGEST,
      CertValidDuration: '8643h34m2.557676864s',
    });
    expect(Object.keys(json.Webhooks.Webhooks)).toEqual(['datadog.webhook.config', 'datadog.webhook.tags', 'datadog.webhook.auto.instrumentation']);
    expect(json.Webhooks.Webhooks['datadog.webhook.tags']['CA bundle digest']).toBe(DIGEST);
  });

  it('KUBECONFIG and the context namespace are used as kubectl would; -n overrides the namespace', async () => {
    api = await configuredCluster('datadog');
    const file = await kubeconfigFile(api, 'ns.kubeconfig', { namespace: 'datadog' });
    const fromEnv = await status({}, { KUBECONFIG: `${join(dir, 'absent')}:${file}` });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toContain('    Secret namespace: datadog\n');
    expect(fromEnv.stdout).toContain('        Service: datadog/datadog-admission-controller - Port: 443 - Path: /injectconfig\n');
    const elsewhere = await status({ kubeconfig: file, namespace: 'default' });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stdout).toContain('    Secret name: default/webhook-certificate\n    Error: secrets "webhook-certificate" not found\n');
  });
});

describe('dd-mutate status errors: one line each', () => {
  it('no kubeconfig anywhere', async () => {
    const result = await status({}, { HOME: dir });
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'dd-mutate: no Kubernetes configuration found: set KUBECONFIG, create ~/.kube/config, or pass --kubeconfig <file>\n' });
    expect((await status({ kubeconfig: join(dir, 'nope') })).stderr).toBe(`dd-mutate: cannot read the kubeconfig ${join(dir, 'nope')}: no such file\n`);
  });

  it('an unknown context', async () => {
    api = await startKubeApi();
    const result = await status({ kubeconfig: await kubeconfigFile(api, 'ctx.kubeconfig'), context: 'prod' });
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'dd-mutate: context "prod" not found in the kubeconfig (contexts: kube-api-double)\n' });
  });

  it('an unreachable cluster', async () => {
    api = await startKubeApi();
    const file = await kubeconfigFile(api, 'down.kubeconfig');
    await api.refuseConnections();
    const result = await status({ kubeconfig: file });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toMatch(new RegExp(`^dd-mutate: cannot reach the Kubernetes API server at ${api.url.replaceAll('.', '\\.')}: .*ECONNREFUSED`));
  });

  it('objects that do not exist: the agent error lines, and why on stderr', async () => {
    api = await startKubeApi();
    const result = await status({ kubeconfig: await kubeconfigFile(api, 'empty.kubeconfig') });
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      'Admission Controller',
      '====================',
      '',
      '    Webhooks info',
      '    -------------',
      '      MutatingWebhookConfigurations name: datadog-webhook',
      '      Error: mutatingwebhookconfigurations.admissionregistration.k8s.io "datadog-webhook" not found',
      '',
      '    Secret info',
      '    -----------',
      '    Secret name: default/webhook-certificate',
      '    Error: secrets "webhook-certificate" not found',
      '',
    ]);
    expect(result.stderr.split('\n')).toEqual([
      'dd-mutate: the MutatingWebhookConfiguration "datadog-webhook" does not exist: the Cluster Agent has not created it (is admission_controller.enabled / clusterAgent.admissionController.enabled set, and is the Cluster Agent running?)',
      'dd-mutate: the Secret "webhook-certificate" does not exist in namespace "default": is the Cluster Agent in another namespace? (pass -n <namespace>)',
      '',
    ]);
  });
});

describe('parseStatusArgs', () => {
  it('reads the flags', () => {
    expect(parseStatusArgs(['--kubeconfig', 'k', '--context', 'c', '-n', 'datadog', '-o', 'json', '--webhook-name', 'w', '--secret-name', 's'])).toEqual({
      kubeconfig: 'k',
      context: 'c',
      namespace: 'datadog',
      output: 'json',
      webhookName: 'w',
      secretName: 's',
      help: false,
    });
    expect(parseStatusArgs([])).toEqual({ output: 'text', help: false });
  });

  it.each([
    [['-o', 'yaml'], 'status: -o/--output: unknown format "yaml" (expected text, json)'],
    [['-n', 'Bad_NS'], 'status: -n/--namespace: "Bad_NS" is not a valid namespace name'],
    // The CLI's own messages since status reads its flags like every command (they were node:util's).
    [['--nope'], 'status: unknown flag --nope'],
    [['pod.yaml'], "status: 'status' takes no file argument, got: pod.yaml"],
  ])('%j is refused', (argv, message) => {
    expect(() => parseStatusArgs(argv)).toThrow(UsageError);
    expect(() => parseStatusArgs(argv)).toThrow(message);
  });

  it('--help prints the usage', async () => {
    const result = await status({ help: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: dd-mutate status \[--kubeconfig <file>\] \[--context <name>\] \[-n <namespace>\] \[-o text\|json\]\n/);
  });
});

describe('dd-mutate status through the CLI entry', () => {
  it('is dispatched by run(): a usage error names the status usage and exits 2', async () => {
    const { run } = await import('../src/run.js');
    const err: string[] = [];
    const io = {
      stdin: process.stdin,
      stdout: { write: () => true },
      stderr: { write: (s: string) => (err.push(s), true) },
      readFile: async () => '',
      isTTY: { stdout: false, stderr: false },
      env: {},
    };
    const code = await run(['node', 'dd-mutate', 'status', '--bogus'], io as never);
    expect(code).toBe(2);
    expect(err.join('')).toContain('Usage: dd-mutate status [--kubeconfig <file>]');
    expect(err.join('')).toContain("Run 'dd-mutate status --help' for details.");
  });
});
