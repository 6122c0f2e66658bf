import { describe, expect, it } from 'vitest';
import { helpText, parseArgs, usageLine, type Command } from '../src/args.js';
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
      namespace: 'default',
      agentNamespace: 'default',
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

  it('usage names the program it was invoked as', () => {
    expect(usageLine('kubectl dd-mutate')).toMatch(/^Usage: kubectl dd-mutate <file\|-> /);
    expect(helpText('kubectl dd-mutate')).toContain('kubectl dd-mutate deployment.yaml');
  });
});
