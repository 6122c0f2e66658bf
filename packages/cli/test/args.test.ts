import { describe, expect, it } from 'vitest';
import { parseArgs, type Command } from '../src/args.js';
import { helpText, usageLine } from '../src/help.js';
import { UsageError } from '../src/errors.js';

const options = (args: string[]) => {
  const c: Command = parseArgs(args);
  if (c.kind !== 'preview') throw new Error(`expected a preview, got ${c.kind}`);
  return c.options;
};
const usageError = (args: string[]) => {
  try {
    parseArgs(args);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error(`no UsageError for ${args.join(' ')}`);
};

describe('parseArgs', () => {
  it('defaults: diff output, namespaces default, every webhook, not strict', () => {
    expect(options(['pod.yaml'])).toEqual({
      file: 'pod.yaml',
      set: [],
      distributions: [],
      namespace: 'default',
      // Unset: the Helm release namespace defaults to default, a DatadogAgent's own namespace is used.
      agentNamespace: undefined,
      webhooks: ['config', 'tags', 'auto-instrumentation'],
      output: 'diff',
      strict: false,
    });
  });

  it('reads every flag, in the separate, = and glued forms', () => {
    const o = options(['-', '--config', 'datadog.yaml', '--set', 'a.b=c=d', '--set=DD_X=1', '-n', 'shop', '--agent-namespace=datadog', '--webhook', 'tags,config', '-oyaml', '--strict']);
    expect(o).toEqual({
      file: '-',
      config: 'datadog.yaml',
      set: [
        { key: 'a.b', value: 'c=d' },
        { key: 'DD_X', value: '1' },
      ],
      distributions: [],
      namespace: 'shop',
      agentNamespace: 'datadog',
      webhooks: ['tags', 'config'],
      output: 'yaml',
      strict: true,
    });
    expect(options(['x', '-o=json', '--namespace=ns1']).output).toBe('json');
    expect(options(['x', '--output', 'patch', '-nns2'])).toMatchObject({ output: 'patch', namespace: 'ns2' });
  });

  it('keeps an empty --set value and treats arguments after -- as files', () => {
    expect(options(['x', '--set', 'k=']).set).toEqual([{ key: 'k', value: '' }]);
    expect(options(['--', '-weird.yaml']).file).toBe('-weird.yaml');
  });

  it('help and version win over everything else', () => {
    expect(parseArgs(['--frobnicate', '-h'])).toEqual({ kind: 'help' });
    expect(parseArgs(['--version'])).toEqual({ kind: 'version' });
  });

  it('refuses what it cannot use, with a message naming the flag', () => {
    expect(usageError(['x', '--frobnicate'])).toBe('unknown flag --frobnicate');
    expect(usageError(['x', '--outptu', 'yaml'])).toBe('unknown flag --outptu (did you mean --output?)');
    expect(usageError(['x', '-o'])).toBe('-o needs a value');
    expect(usageError(['x', '-o', 'xml'])).toBe('-o/--output: unknown format "xml" (expected diff, yaml, json, patch)');
    expect(usageError(['x', '--webhook', 'lib'])).toBe('--webhook: unknown webhook "lib" (expected config, tags, auto-instrumentation)');
    expect(usageError(['x', '--set', 'novalue'])).toBe('--set "novalue": expected key=value');
    expect(usageError(['x', '--set', '=v'])).toBe('--set "=v": expected key=value');
    expect(usageError(['x', '-n', 'Shop_1'])).toContain('"Shop_1" is not a valid namespace name');
    expect(usageError(['x', '--strict=yes'])).toBe('--strict takes no value');
    expect(usageError(['x', '-o', 'yaml', '-o', 'json'])).toBe('-o given twice (yaml and json)');
    expect(usageError(['a.yaml', 'b.yaml'])).toBe('expected one <file|-> argument, got 2: a.yaml b.yaml');
    expect(usageError([])).toBe('missing the <file|-> argument');
    // A bad flag is the more useful message when the file is missing too.
    expect(usageError(['--set', 'novalue'])).toBe('--set "novalue": expected key=value');
  });

  it('reads --helm-values / --datadog-agent / --release / --distribution for the preview', () => {
    expect(options(['pod.yaml', '--helm-values', 'values.yaml', '--release=monitoring', '--distribution', 'eks,gke-private', '--distribution', 'eks'])).toMatchObject({
      helmValues: 'values.yaml',
      release: 'monitoring',
      distributions: ['eks', 'gke-private'],
    });
    expect(options(['pod.yaml', '--datadog-agent', 'dda.yaml', '--config', 'datadog.yaml'])).toMatchObject({ datadogAgent: 'dda.yaml', config: 'datadog.yaml' });
  });

  it('refuses two deployment surfaces, --release without Helm values, unknown distributions', () => {
    expect(usageError(['x', '--helm-values', 'v.yaml', '--datadog-agent', 'd.yaml'])).toBe('--helm-values and --datadog-agent cannot be used together: a cluster is installed by one of them');
    expect(usageError(['x', '--release', 'dd'])).toBe('--release names the Helm release of --helm-values: give --helm-values too');
    expect(usageError(['x', '--helm-values', 'v.yaml', '--release', 'Bad_Name'])).toContain('"Bad_Name" is not a valid Helm release name');
    expect(usageError(['x', '--distribution', 'k3s'])).toBe(
      '--distribution: unknown distribution "k3s" (expected gke-autopilot, openshift, aks, eks, gke-private, rancher-eks, rancher-gke-private)',
    );
    expect(usageError(['x', '--network-policy', 'cilium'])).toBe("--network-policy is an option of 'manifests' (manifests --network-policy kubernetes|cilium)");
  });

  it('config: the first positional; its own flags only; -n is the install namespace', () => {
    expect(parseArgs(['config', '--helm-values', 'v.yaml', '-n', 'datadog', '-o', 'json'])).toEqual({
      kind: 'config',
      options: { helmValues: 'v.yaml', set: [], distributions: [], agentNamespace: 'datadog', output: 'json' },
    });
    expect(parseArgs(['config'])).toEqual({ kind: 'config', options: { set: [], distributions: [], output: 'yaml' } });
    // A flag value named config is not the subcommand.
    expect(parseArgs(['--config', 'config', 'pod.yaml'])).toMatchObject({ kind: 'preview', options: { config: 'config', file: 'pod.yaml' } });
    expect(parseArgs(['./config'])).toMatchObject({ kind: 'preview', options: { file: './config' } });
    expect(usageError(['config', '--webhook', 'tags'])).toBe("--webhook is not an option of 'config'");
    expect(usageError(['config', '--strict'])).toBe("--strict is not an option of 'config'");
    expect(usageError(['config', 'pod.yaml'])).toBe("'config' takes no file argument, got: pod.yaml (to preview a file named config, write ./config)");
    expect(usageError(['config', '-o', 'diff'])).toBe('-o/--output: unknown format "diff" (expected yaml, json)');
    expect(usageError(['config', '-n', 'a', '--agent-namespace', 'b'])).toBe('-n/--namespace given twice (a and b)');
  });

  it('manifests: --network-policy kubernetes|cilium', () => {
    expect(parseArgs(['manifests', '--network-policy', 'cilium', '--datadog-agent', 'd.yaml'])).toEqual({
      kind: 'manifests',
      options: { networkPolicy: 'cilium', datadogAgent: 'd.yaml', set: [], distributions: [], output: 'yaml' },
    });
    expect(usageError(['manifests', '--network-policy', 'calico'])).toBe('--network-policy: unknown flavor "calico" (expected kubernetes, cilium)');
  });

  it('help for a subcommand', () => {
    expect(parseArgs(['config', '--help'])).toEqual({ kind: 'help', subcommand: 'config' });
    expect(parseArgs(['manifests', '-h', '--bogus'])).toEqual({ kind: 'help' });
    expect(helpText('dd-mutate', 'manifests')).toContain('Usage: dd-mutate manifests --network-policy kubernetes|cilium');
    expect(helpText('dd-mutate')).toContain('with --helm-values / --datadog-agent it is applied on top and overrides');
  });

  it('usage names the program it was invoked as', () => {
    expect(usageLine('kubectl dd-mutate')).toMatch(/^Usage: kubectl dd-mutate <file\|-> /);
    expect(helpText('kubectl dd-mutate')).toContain('kubectl dd-mutate deployment.yaml');
  });
});

describe('parseArgs for status and completion', () => {
  it('status: the first positional, its own flags', () => {
    expect(parseArgs(['status', '-n', 'datadog', '-o', 'json'])).toEqual({ kind: 'status', options: { namespace: 'datadog', output: 'json', help: false } });
    // A flag before the subcommand belongs to it, as for config and manifests.
    expect(parseArgs(['--context', 'prod', 'status'])).toMatchObject({ kind: 'status', options: { context: 'prod' } });
    expect(usageError(['status', '--webhook', 'tags'])).toBe("status: --webhook is not an option of 'status'");
    expect(usageError(['pod.yaml', '--kubeconfig', 'k'])).toBe("--kubeconfig is an option of 'status' (status --kubeconfig <file>)");
  });

  it('completion: one shell', () => {
    expect(parseArgs(['completion', 'zsh'])).toEqual({ kind: 'completion', shell: 'zsh' });
    expect(usageError(['completion'])).toBe('completion: missing the shell (bash, zsh, fish)');
    expect(usageError(['completion', 'powershell'])).toBe('completion: unknown shell "powershell" (expected bash, zsh, fish)');
    expect(usageError(['completion', 'bash', 'zsh'])).toBe('completion: expected one shell, got 2: bash zsh');
    expect(usageError(['completion', 'bash', '-o', 'yaml'])).toBe("-o is not an option of 'completion'");
  });
});
