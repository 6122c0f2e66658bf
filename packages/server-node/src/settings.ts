import { AgentVersionError, formatConfigIssue, parseConfig, resolveAgentVersion, type AdmissionConfig, type ConfigSource, type ResolvedAgentVersion } from '@dd-admission/core';

/** The configuration cannot be used (exit code 1). */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

export interface ConfigInputs {
  /** Path of a datadog.yaml, if given. */
  configFile?: string;
  /** The process environment; only `DD_*` names are read. */
  env: Readonly<Record<string, string | undefined>>;
  readFile: (path: string) => Promise<string>;
  /** --agent-version, which wins over DD_ADMISSION_AGENT_VERSION. */
  agentVersion?: string;
}

/** Environment setting of the emulated Cluster Agent release. */
export const AGENT_VERSION_ENV = 'DD_ADMISSION_AGENT_VERSION';

export interface LoadedConfig {
  config: AdmissionConfig;
  /** The Cluster Agent release emulated, and where that came from. */
  agentVersion: ResolvedAgentVersion;
  /** Unknown keys, suspicious values: printed as warnings. */
  warnings: string[];
  /** Where `log_level` came from (`default` when nobody set it). */
  logLevelOrigin: string;
}

/** The agent's sources in its order: the YAML file, then `DD_*` environment variables over it. */
export async function loadConfig(inputs: ConfigInputs): Promise<LoadedConfig> {
  const agentVersion = resolveServerAgentVersion(inputs);
  const sources: ConfigSource[] = [];
  if (inputs.configFile !== undefined) sources.push({ origin: inputs.configFile, values: await readYaml(inputs.configFile, inputs.readFile) });
  sources.push({ origin: 'environment', values: ddEnv(inputs.env) });
  const result = parseConfig(sources, { agentVersion: agentVersion.version, agentVersionOrigin: agentVersion.origin });
  if (!result.ok) throw new SettingsError(result.errors.map(formatConfigIssue).join('\n'));
  return { config: result.config, agentVersion, warnings: result.warnings.map(formatConfigIssue), logLevelOrigin: result.origins['log_level'] ?? 'default' };
}

/** --agent-version, else DD_ADMISSION_AGENT_VERSION, else the newest release; an unsupported one is a SettingsError naming where it was set. */
function resolveServerAgentVersion(inputs: ConfigInputs): ResolvedAgentVersion {
  const fromEnv = inputs.env[AGENT_VERSION_ENV];
  const explicit =
    inputs.agentVersion !== undefined ? { version: inputs.agentVersion, origin: '--agent-version' } : fromEnv ? { version: fromEnv, origin: AGENT_VERSION_ENV } : undefined;
  try {
    return resolveAgentVersion({ explicit });
  } catch (error) {
    if (!(error instanceof AgentVersionError)) throw error;
    throw new SettingsError(`${explicit!.origin}: ${error.message}`);
  }
}

async function readYaml(path: string, readFile: ConfigInputs['readFile']): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path);
  } catch (error) {
    throw new SettingsError(`cannot read ${path}: ${(error as Error).message}`);
  }
  // Loaded only for a --config file: a server configured by environment never holds the YAML parser.
  const { parse: parseYaml } = await import('yaml');
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    throw new SettingsError(`${path} is not valid YAML: ${(error as Error).message}`);
  }
}

/** The `DD_*` variables only: the rest of the environment is none of the config's business. */
export function ddEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (name.startsWith('DD_') && value !== undefined) out[name] = value;
  return out;
}

/** Where a pod finds its own namespace. */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
/** Environment override of the agent namespace (tests, runs outside a pod). */
export const AGENT_NAMESPACE_ENV = 'DD_ADMISSION_AGENT_NAMESPACE';

/** The namespace the server runs in: the flag, the env override, the service-account file, else `default`. */
export async function resolveAgentNamespace(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => Promise<string>,
): Promise<string> {
  if (flag) return flag;
  const fromEnv = env[AGENT_NAMESPACE_ENV];
  if (fromEnv) return fromEnv;
  const fromFile = await readFile(SERVICE_ACCOUNT_NAMESPACE_FILE).then(
    (text) => text.trim(),
    () => '',
  );
  return fromFile || 'default';
}
