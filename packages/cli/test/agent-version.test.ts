// dd-mutate's doors to the emulated release: --agent-version, the image the files deploy, else the newest.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/args.js';
import { UsageError } from '../src/errors.js';
import { run } from '../src/run.js';
import { fakeIo } from './helpers.js';

async function dd(args: string[], files: Record<string, string> = {}) {
  const { io, out } = fakeIo({ 'pod.yaml': POD, ...files });
  const status = await run(['node', 'dd-mutate', ...args], io);
  return { status, ...out };
}

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: shop
  labels:
    admission.datadoghq.com/enabled: "true"
spec:
  containers:
  - name: app
    image: app
`;

const envNames = (stdout: string) => (JSON.parse(stdout) as { spec: { containers: { env: { name: string }[] }[] } }).spec.containers[0]!.env.map((e) => e.name);

describe('--agent-version', () => {
  it('is a flag of the preview, config, manifests and status', () => {
    expect(parseArgs(['pod.yaml', '--agent-version', '7.60'])).toMatchObject({ kind: 'preview', options: { agentVersion: '7.60' } });
    expect(parseArgs(['config', '--agent-version', '7.78.1'])).toMatchObject({ kind: 'config', options: { agentVersion: '7.78.1' } });
    expect(parseArgs(['manifests', '--agent-version', '7.49'])).toMatchObject({ kind: 'manifests', options: { agentVersion: '7.49' } });
    expect(parseArgs(['status', '--agent-version', '7.78'])).toMatchObject({ kind: 'status', options: { agentVersion: '7.78' } });
  });

  it('refuses a release outside 7.49-7.78.x, or no version, with a usage error saying which are emulated', async () => {
    expect(() => parseArgs(['pod.yaml', '--agent-version', '7.81'])).toThrow(UsageError);
    const r = await dd(['pod.yaml', '--agent-version', '7.81']);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      'dd-mutate: --agent-version: Cluster Agent 7.81 is not emulated: supported are 7.49 to 7.78.x (7.49 and 7.78 exactly, releases between them by interpolation)',
    );
    expect((await dd(['config', '--agent-version', 'v8'])).stderr).toContain('--agent-version: "v8" is not an agent version');
  });

  it('the preview says which release it emulates and where that came from, and previews that release', async () => {
    const at78 = await dd(['pod.yaml', '--agent-version', '7.78', '-o', 'json']);
    expect(at78.stderr.split('\n')[0]).toBe('Emulating Cluster Agent 7.78 (--agent-version)');
    expect(envNames(at78.stdout)).toEqual(['DD_INTERNAL_POD_UID', 'DD_EXTERNAL_ENV', 'DD_ENTITY_ID', 'DD_AGENT_HOST']);
    const at49 = await dd(['pod.yaml', '--agent-version', '7.49', '-o', 'json']);
    expect(envNames(at49.stdout)).toEqual(['DD_ENTITY_ID', 'DD_AGENT_HOST']);
  });

  it('without the flag: the Cluster Agent image of the Helm values, clamped with a note; with nothing, the newest', async () => {
    const tagged = await dd(['pod.yaml', '--helm-values', 'values.yaml'], { 'values.yaml': 'clusterAgent:\n  image:\n    tag: 7.60.1\n' });
    expect(tagged.stderr).toContain('Emulating Cluster Agent 7.60.1 (clusterAgent.image.tag (7.60.1))\n');
    const chartDefault = await dd(['pod.yaml', '--helm-values', 'values.yaml'], { 'values.yaml': 'datadog: {}\n' });
    expect(chartDefault.stderr).toContain(
      'Emulating Cluster Agent 7.78 (chart 3.240.0 default clusterAgent.image.tag (7.81.1))\n  [warn] Cluster Agent 7.81.1 is outside the emulated range; emulating the newest supported release, 7.78\n',
    );
    const operator = await dd(['pod.yaml', '--datadog-agent', 'dda.yaml'], { 'dda.yaml': 'apiVersion: datadoghq.com/v2alpha1\nkind: DatadogAgent\nmetadata:\n  name: datadog\n' });
    expect(operator.stderr).toContain('Emulating Cluster Agent 7.78 (Operator default image (7.81.1))');
    expect((await dd(['pod.yaml'])).stderr).toContain('Emulating Cluster Agent 7.78 (no evidence: newest supported)');
  });

  it('the flag wins over the image the files deploy', async () => {
    const r = await dd(['pod.yaml', '--helm-values', 'values.yaml', '--agent-version', '7.49'], { 'values.yaml': 'clusterAgent:\n  image:\n    tag: 7.60.1\n' });
    expect(r.stderr).toContain('Emulating Cluster Agent 7.49 (--agent-version)');
  });

  it('config names the release in its header and lists what it does not read', async () => {
    const r = await dd(['config', '--agent-version', '7.49', '--set', 'csi.enabled=true']);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      '# Effective admission configuration of the Cluster Agent (7.49 keys) from --set.',
      '# Cluster Agent 7.49: --agent-version.',
    ]);
    expect(r.stdout).not.toContain('agentVersion');
    expect(r.stderr).toContain('config: --set: csi.enabled: only read since Cluster Agent 7.65: 7.49 ignores it');
  });
});
