// The server's small modules on their own: durations, log lines, arguments, settings.
import { describe, expect, it } from 'vitest';
import { ArgsError, checkTlsSource, controllersEnabled, parseServerArgs } from '../src/args.js';
import { answerBudgetMs, DeadlineExceededError, parseGoDuration, withDeadline } from '../src/deadline.js';
import { podString } from '../src/log-lines.js';
import { createLogger, formatTimestamp, toLogLevel } from '../src/logger.js';
import { AGENT_NAMESPACE_ENV, ddEnv, loadConfig, resolveAgentNamespace, SERVICE_ACCOUNT_NAMESPACE_FILE, SettingsError } from '../src/settings.js';

describe('parseGoDuration', () => {
  it.each([
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['250us', 0.25],
    ['250µs', 0.25],
    ['1000000ns', 1],
    ['0', 0],
    ['+2s', 2000],
    ['.5s', 500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(['', '10', '-1s', 's', '10x', '1s ', 'ten seconds', '1s1'])('%j is not a duration', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe('answerBudgetMs', () => {
  it('keeps a quarter of the timeout, at most one second, free', () => {
    expect(answerBudgetMs('1s', 10)).toBe(750);
    expect(answerBudgetMs('10s', 10)).toBe(9000);
    expect(answerBudgetMs('2s', 10)).toBe(1500);
  });
  it('falls back to timeout_seconds when the parameter is absent or unreadable, and caps at 30 s', () => {
    expect(answerBudgetMs(null, 10)).toBe(9000);
    expect(answerBudgetMs('soon', 5)).toBe(4000);
    expect(answerBudgetMs('1h', 10)).toBe(29_000);
  });
});

describe('withDeadline', () => {
  it('settles with the work when it is in time', async () => {
    await expect(withDeadline(Promise.resolve(7), 1000)).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('no')), 1000)).rejects.toThrow('no');
  });
  it('rejects with DeadlineExceededError when the work is late', async () => {
    await expect(withDeadline(new Promise(() => {}), 5)).rejects.toBeInstanceOf(DeadlineExceededError);
  });
});

describe('logger', () => {
  const at = Date.UTC(2026, 10, 27, 10, 0, 0);
  const site = { file: 'pkg/x.go', line: 9, func: 'f' };

  it('formats the cluster agent line and filters by level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', format: 'text', sink: (l) => lines.push(l), clock: { now: () => at } });
    logger.debug(site, 'hidden');
    logger.info(site, 'shown');
    logger.warn(site, 'two\nlines');
    expect(lines).toEqual(['2026-11-27 10:00:00 UTC | CLUSTER | INFO | (pkg/x.go:9 in f) | shown', '2026-11-27 10:00:00 UTC | CLUSTER | WARN | (pkg/x.go:9 in f) | two\\nlines']);
    expect(logger.enabled('debug')).toBe(false);
    expect(logger.enabled('error')).toBe(true);
  });

  it('writes nothing at off', () => {
    const lines: string[] = [];
    createLogger({ level: 'off', format: 'json', sink: (l) => lines.push(l), clock: { now: () => at } }).critical(site, 'x');
    expect(lines).toEqual([]);
  });

  it('maps the agent level names', () => {
    expect(toLogLevel('WARNING')).toBe('warn');
    expect(toLogLevel('Debug')).toBe('debug');
    expect(toLogLevel('critical')).toBe('critical');
    expect(formatTimestamp(0)).toBe('1970-01-01 00:00:00 UTC');
  });
});

describe('podString', () => {
  it('uses ns/name, else the generate name, as the agent does', () => {
    expect(podString({ metadata: { name: 'web-0', namespace: 'shop' } })).toBe('pod shop/web-0');
    expect(podString({ metadata: { generateName: 'web-', namespace: 'shop' } })).toBe('pod with generate name web-');
    expect(podString({ metadata: { name: 'web-0', generateName: 'web-' } })).toBe('pod with generate name web-');
    expect(podString(undefined)).toBe('pod with generate name ');
  });
});

describe('parseServerArgs', () => {
  it('reads every flag', () => {
    expect(
      parseServerArgs(['--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--port', '0', '--host', '127.0.0.1', '--config', 'd.yaml', '--log-format', 'json', '--agent-namespace', 'dd', '--max-body-bytes', '1024']),
    ).toEqual({
      help: false,
      dev: false,
      tlsCert: 'c.pem',
      tlsKey: 'k.pem',
      port: 0,
      host: '127.0.0.1',
      configFile: 'd.yaml',
      logFormat: 'json',
      agentNamespace: 'dd',
      maxBodyBytes: 1024,
    });
  });

  it('accepts the separator pnpm passes through', () => {
    expect(parseServerArgs(['--', '--dev'])).toEqual({ help: false, dev: true, logFormat: 'text' });
  });

  it.each([
    [['--dev', '--port', '70000'], '--port must be between 0 and 65535, got 70000'],
    [['--dev', '--log-format', 'xml'], '--log-format expects text or json, got "xml"'],
    [['--dev', '--max-body-bytes', '0'], '--max-body-bytes must be between 1'],
    [['--tls-cert', 'c.pem'], '--tls-cert and --tls-key go together'],
    [['--dev', '--nope'], "Unknown option '--nope'"],
    [['--dev', 'extra'], 'extra'],
  ])('%j is refused', (argv, message) => {
    expect(() => parseServerArgs(argv)).toThrow(ArgsError);
    expect(() => parseServerArgs(argv)).toThrow(message);
  });

  it('reads the controller flags', () => {
    expect(parseServerArgs(['--kubeconfig', 'kc.yaml', '--no-controllers', '--dev'])).toEqual({ help: false, dev: true, logFormat: 'text', kubeconfig: 'kc.yaml', noControllers: true });
  });

  it('needs a certificate source: files, --dev, or the controllers (admission_controller.enabled, not --dev, not --no-controllers)', () => {
    const none = parseServerArgs([]);
    expect(() => checkTlsSource(none, false)).toThrow('--tls-cert and --tls-key are required');
    expect(() => checkTlsSource(none, controllersEnabled(none, true))).not.toThrow();
    expect(controllersEnabled(parseServerArgs(['--no-controllers']), true)).toBe(false);
    expect(controllersEnabled(parseServerArgs(['--dev']), true)).toBe(false);
    expect(controllersEnabled(none, false)).toBe(false);
  });
});

describe('settings', () => {
  const files: Record<string, string> = {
    'datadog.yaml': 'admission_controller:\n  port: 9443\n  inject_config:\n    mode: service\nlog_level: warn\n',
    'bad.yaml': 'admission_controller: [unclosed',
  };
  const readFile = async (path: string) => {
    if (path in files) return files[path]!;
    throw new Error(`ENOENT: ${path}`);
  };

  it('reads the YAML file, then DD_* variables over it, ignoring other variables', async () => {
    const loaded = await loadConfig({ configFile: 'datadog.yaml', env: { DD_ADMISSION_CONTROLLER_PORT: '8443', PATH: '/bin', HOME: '/root' }, readFile });
    expect(loaded.config.admission_controller.port).toBe(8443);
    expect(loaded.config.admission_controller.inject_config.mode).toBe('service');
    expect(loaded.config.log_level).toBe('warn');
    expect(loaded.logLevelOrigin).toBe('datadog.yaml');
    expect(ddEnv({ DD_A: '1', PATH: '/bin' })).toEqual({ DD_A: '1' });
  });

  it('reports unreadable files, bad YAML and bad values', async () => {
    await expect(loadConfig({ configFile: 'missing.yaml', env: {}, readFile })).rejects.toThrow('cannot read missing.yaml');
    await expect(loadConfig({ configFile: 'bad.yaml', env: {}, readFile })).rejects.toThrow('bad.yaml is not valid YAML');
    await expect(loadConfig({ env: { DD_ADMISSION_CONTROLLER_PORT: 'eighty' }, readFile })).rejects.toBeInstanceOf(SettingsError);
  });

  it('warns about unknown admission keys', async () => {
    const loaded = await loadConfig({ env: { DD_ADMISSION_CONTROLLER_MUTATE_UNLABELED: 'true' }, readFile });
    expect(loaded.warnings.join('\n')).toContain('DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED');
  });

  it('finds the agent namespace from the flag, the env, the service account, else default', async () => {
    const sa = async (path: string) => {
      if (path === SERVICE_ACCOUNT_NAMESPACE_FILE) return 'datadog\n';
      throw new Error('ENOENT');
    };
    expect(await resolveAgentNamespace('flag-ns', { [AGENT_NAMESPACE_ENV]: 'env-ns' }, sa)).toBe('flag-ns');
    expect(await resolveAgentNamespace(undefined, { [AGENT_NAMESPACE_ENV]: 'env-ns' }, sa)).toBe('env-ns');
    expect(await resolveAgentNamespace(undefined, {}, sa)).toBe('datadog');
    expect(await resolveAgentNamespace(undefined, {}, readFile)).toBe('default');
  });
});
