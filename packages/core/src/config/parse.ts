import { admissionConfigSchema, CONFIG_KEYS, type AdmissionConfig, type KeyInfo } from './schema.js';
import { formatIssuePath } from '../review/pod.js';
import { nearest } from './suggest.js';
import { parseQuantity } from './quantity.js';
import { AgentVersionError, DEFAULT_AGENT_VERSION, parseAgentVersion, type AgentVersion, type AgentVersionInput } from '../versions/agent-version.js';

export { admissionConfigSchema, CONFIG_KEYS, envNameOf, type AdmissionConfig, type AdmissionSettings, type KeyInfo } from './schema.js';

/**
 * One place configuration comes from: a `datadog.yaml`-like object (nested or
 * dotted keys, case-insensitive as in the agent), or env vars / `--set` pairs
 * (`DD_*` names or dotted keys). Later sources override earlier ones.
 */
export interface ConfigSource {
  /** Where these values come from, for messages ("datadog.yaml", "environment", "--set"). */
  origin: string;
  values: unknown;
}

/** A problem with one key, naming where it was set. */
export interface ConfigIssue {
  key: string;
  origin: string;
  message: string;
}

export type ConfigResult =
  | { ok: true; config: AdmissionConfig; warnings: ConfigIssue[]; origins: Record<string, string> }
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };

const BY_KEY = new Map(CONFIG_KEYS.map((k) => [k.key, k]));
const BY_ENV = new Map(CONFIG_KEYS.map((k) => [k.env, k]));
const SECTIONS = new Set(CONFIG_KEYS.flatMap((k) => k.key.split('.').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('.'))));
/** Prefixes whose every key we should know: an unknown key under them is surely a typo. */
const OWN_PREFIXES = ['admission_controller.', 'apm_config.instrumentation.'];
const OWN_ENV_PREFIXES = ['DD_ADMISSION_CONTROLLER_', 'DD_APM_INSTRUMENTATION_'];

export const INJECTION_MODES = ['hostip', 'service', 'socket'] as const;

/** Which Cluster Agent the configuration is for. */
export interface ConfigOptions {
  /** The release to emulate (`7.49`, `7.78`, `7.78.1`, ...); default DEFAULT_AGENT_VERSION. */
  agentVersion?: AgentVersionInput;
  /** Where the version came from, for messages (`--agent-version`, `clusterAgent.image.tag`). Default `agent version`. */
  agentVersionOrigin?: string;
}

/** Parses Datadog configuration into a typed, defaulted AdmissionConfig for one agent version; never throws. */
export function parseConfig(sources: ConfigSource | readonly ConfigSource[], options: ConfigOptions = {}): ConfigResult {
  const list = Array.isArray(sources) ? (sources as readonly ConfigSource[]) : [sources as ConfigSource];
  const flat = new Map<string, { value: unknown; origin: string }>();
  const warnings: ConfigIssue[] = [];
  const errors: ConfigIssue[] = [];
  const agentVersion = versionOrIssue(options, errors);
  for (const source of list) collectSource(source, flat, warnings, errors);
  if (errors.length > 0 || !agentVersion) return { ok: false, errors, warnings };

  const nested: Record<string, unknown> = {};
  for (const [key, { value }] of flat) setPath(nested, key.split('.'), value);
  const parsed = admissionConfigSchema.safeParse(nested);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = formatIssuePath(issue.path.filter((p) => typeof p === 'string'));
      const leaf = CONFIG_KEYS.find((k) => key === k.key || key.startsWith(k.key + '.'))?.key ?? key;
      errors.push({ key: leaf, origin: flat.get(leaf)?.origin ?? 'config', message: issue.message });
    }
    return { ok: false, errors, warnings };
  }
  const origins: Record<string, string> = {};
  for (const k of CONFIG_KEYS) origins[k.key] = flat.get(k.key)?.origin ?? 'default';
  const config: AdmissionConfig = Object.assign(parsed.data, { agentVersion });
  warnings.push(...semanticWarnings(config, origins));
  return { ok: true, config, warnings, origins };
}

/** The defaulted configuration, as with an empty datadog.yaml, for `agentVersion` (default DEFAULT_AGENT_VERSION). */
export function defaultConfig(agentVersion: AgentVersionInput = DEFAULT_AGENT_VERSION): AdmissionConfig {
  return Object.assign(admissionConfigSchema.parse({}), { agentVersion: parseAgentVersion(agentVersion) });
}

function versionOrIssue(options: ConfigOptions, errors: ConfigIssue[]): AgentVersion | undefined {
  try {
    return parseAgentVersion(options.agentVersion ?? DEFAULT_AGENT_VERSION);
  } catch (e) {
    if (!(e instanceof AgentVersionError)) throw e;
    errors.push({ key: 'agent version', origin: options.agentVersionOrigin ?? 'agent version', message: e.message });
    return undefined;
  }
}

/** Parses, throwing a ConfigError listing every problem; for callers that cannot go on without a config. */
export function parseConfigOrThrow(sources: ConfigSource | readonly ConfigSource[]): AdmissionConfig {
  const result = parseConfig(sources);
  if (!result.ok) throw new ConfigError(result.errors);
  return result.config;
}

/** Thrown by parseConfigOrThrow. */
export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatConfigIssue).join('\n'));
    this.name = 'ConfigError';
  }
}

/** `origin: key: message`, the one-line form of an issue. */
export function formatConfigIssue(issue: ConfigIssue): string {
  return `${issue.origin}: ${issue.key}: ${issue.message}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function collectSource(
  source: ConfigSource,
  flat: Map<string, { value: unknown; origin: string }>,
  warnings: ConfigIssue[],
  errors: ConfigIssue[],
): void {
  if (source.values === undefined || source.values === null) return;
  if (!isPlainObject(source.values)) {
    errors.push({ key: '(root)', origin: source.origin, message: 'expected a map of configuration keys' });
    return;
  }
  const visit = (obj: Record<string, unknown>, prefix: string) => {
    for (const [rawKey, value] of Object.entries(obj)) {
      if (!prefix && /^DD_[A-Z0-9_]+$/.test(rawKey)) {
        visitEnv(rawKey, value);
        continue;
      }
      const key = (prefix ? `${prefix}.${rawKey}` : rawKey).toLowerCase();
      const info = BY_KEY.get(key);
      if (info) {
        flat.set(key, { value, origin: source.origin });
        continue;
      }
      if (isPlainObject(value) && (SECTIONS.has(key) || !isOwn(key))) {
        visit(value, key);
        continue;
      }
      reportUnknown(key, value);
    }
  };
  const visitEnv = (name: string, value: unknown) => {
    // Like the agent's config library, an empty variable counts as unset.
    if (value === '') return;
    const info = BY_ENV.get(name);
    if (info) {
      flat.set(info.key, { value, origin: `${source.origin} (${name})` });
      return;
    }
    if (!OWN_ENV_PREFIXES.some((p) => name.startsWith(p))) return;
    const hint = nearest(name, [...BY_ENV.keys()]);
    warnings.push({ key: name, origin: source.origin, message: `unknown setting, ignored${hint ? ` (did you mean ${hint}?)` : ''}` });
  };
  const reportUnknown = (key: string, value: unknown) => {
    if (isPlainObject(value) && !isOwn(key)) return;
    const hint = nearest(key, [...BY_KEY.keys()]);
    if (!isOwn(key) && !hint) return; // another agent setting (api_key, site, ...): not ours to judge
    warnings.push({ key, origin: source.origin, message: `unknown key, ignored${hint ? ` (did you mean ${hint}?)` : ''}` });
  };
  visit(source.values, '');
}

function isOwn(key: string): boolean {
  return OWN_PREFIXES.some((p) => key.startsWith(p) || p.startsWith(key + '.'));
}

function setPath(root: Record<string, unknown>, parts: string[], value: unknown): void {
  let node = root;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(node[part])) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** Values that parse but that the cluster agent would act on in a surprising way. */
function semanticWarnings(config: AdmissionConfig, origins: Record<string, string>): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const warn = (key: string, message: string) => out.push({ key, origin: origins[key] ?? 'default', message });
  const ac = config.admission_controller;
  if (!(INJECTION_MODES as readonly string[]).includes(ac.inject_config.mode)) {
    warn(
      'admission_controller.inject_config.mode',
      `"${ac.inject_config.mode}" is not one of ${INJECTION_MODES.join(', ')} (case-sensitive): the config webhook will fail on every pod and inject nothing`,
    );
  }
  if (!['ignore', 'fail'].includes(ac.failure_policy.toLowerCase())) {
    warn('admission_controller.failure_policy', `"${ac.failure_policy}" is not Ignore or Fail: Ignore is used`);
  }
  if (!['ifneeded', 'never'].includes(ac.reinvocation_policy.toLowerCase())) {
    warn('admission_controller.reinvocation_policy', `"${ac.reinvocation_policy}" is not IfNeeded or Never: IfNeeded is used`);
  }
  for (const r of ['cpu', 'memory'] as const) {
    const q = ac.auto_instrumentation.init_resources[r];
    const key = `admission_controller.auto_instrumentation.init_resources.${r}`;
    if (q !== undefined && parseQuantity(q) === undefined) {
      warn(key, `"${q}" is not a Kubernetes quantity: library injection will fail on every pod`);
    }
  }
  if (ac.auto_instrumentation.inject_all.namespaces.length > 0) {
    warn(
      'admission_controller.auto_instrumentation.inject_all.namespaces',
      'deprecated: ignored by the 7.49 cluster agent; kept working here with its 7.48 effect. Use apm_config.instrumentation.enabled_namespaces instead',
    );
  }
  const ssi = config.apm_config.instrumentation;
  if (ssi.enabled_namespaces.length > 0 && ssi.disabled_namespaces.length > 0) {
    warn(
      'apm_config.instrumentation.enabled_namespaces',
      'enabled_namespaces and disabled_namespaces are both set: the cluster agent treats this as an error and turns Single Step Instrumentation off everywhere',
    );
  } else if (ssi.enabled && ssi.enabled_namespaces.length > 0) {
    warn('apm_config.instrumentation.enabled_namespaces', 'redundant: instrumentation is already enabled in every namespace');
  } else if (!ssi.enabled && ssi.disabled_namespaces.length > 0) {
    warn('apm_config.instrumentation.disabled_namespaces', 'redundant: instrumentation is not enabled cluster-wide');
  }
  return out;
}

/** Describes a key for help output: `key (ENV, type, default X)`. */
export function describeKey(info: KeyInfo): string {
  return `${info.key} (${info.env}, ${info.type}, default ${JSON.stringify(info.default) ?? 'unset'})`;
}
