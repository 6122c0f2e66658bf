import {
  configFromDatadogAgent,
  configFromHelmValues,
  DATADOG_AGENT_KIND,
  layerConfig,
  parseConfig,
  resolveAgentVersion,
  type AdmissionConfig,
  type AgentDeployment,
  type ConfigIssue,
  type ConfigSource,
  type DerivedEnvVar,
  type Distribution,
  type ResolvedAgentVersion,
  type SurfaceConfigResult,
  type UnreadEnvVar,
} from '@dd-admission/core';
import { InputError } from './errors.js';
import { readText, type Io } from './io.js';
import { loadYaml } from './load-yaml.js';

/** The configuration flags, as given on the command line. */
export interface ConfigArgs {
  config?: string | undefined;
  set: readonly { key: string; value: string }[];
  helmValues?: string | undefined;
  datadogAgent?: string | undefined;
  release?: string | undefined;
  /** The namespace the Cluster Agent runs in, when given. */
  agentNamespace?: string | undefined;
  distributions?: readonly Distribution[];
  /** --agent-version, already validated. */
  agentVersion?: string | undefined;
}

/** The effective configuration, the install it belongs to, and (for Helm values / a DatadogAgent) the cluster-agent env behind it. */
export type LoadedConfig =
  | {
      ok: true;
      config: AdmissionConfig;
      origins: Record<string, string>;
      warnings: ConfigIssue[];
      deployment: AgentDeployment;
      /** What the configuration was derived from, for headings: `Helm values values.yaml`. */
      description: string;
      /** The Cluster Agent release emulated, and where that came from. */
      agentVersion: ResolvedAgentVersion;
      env?: DerivedEnvVar[];
      unread?: UnreadEnvVar[];
    }
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };

/** The --config file and the --set pairs in precedence order: --config, then every --set (later wins). */
export async function configSources(args: ConfigArgs, io: Io): Promise<ConfigSource[]> {
  const sources: ConfigSource[] = [];
  if (args.config !== undefined) sources.push({ origin: args.config, values: parseConfigFile(await readText(args.config, io), args.config) });
  // One source per pair, so a repeated key takes the last value as a shell user expects.
  for (const { key, value } of args.set) sources.push({ origin: '--set', values: { [key]: value } });
  return sources;
}

/**
 * Reads and validates the configuration: Helm values or a DatadogAgent first
 * (as the chart / Operator would configure the Cluster Agent), then --config and
 * --set on top. Never reads the process environment (a shell may hold unrelated DD_ vars).
 */
export async function loadConfig(args: ConfigArgs, io: Io): Promise<LoadedConfig> {
  const extra = await configSources(args, io);
  const surface = await surfaceOf(args, io);
  if (surface && args.helmValues !== undefined) return layered(surface, extra, `Helm values ${args.helmValues}`, []);
  if (surface && args.datadogAgent !== undefined) return layered(surface, extra, `DatadogAgent ${args.datadogAgent}`, namespaceConflict(surface, args, args.datadogAgent));
  const namespace = args.agentNamespace ?? 'default';
  // Without deployment files only the flag says which release runs (validated already, so this does not throw).
  const resolved = resolveAgentVersion({ explicit: explicitVersion(args) });
  const parsed = parseConfig(extra, { agentVersion: resolved.version, agentVersionOrigin: resolved.origin });
  if (!parsed.ok) return parsed;
  const description = args.config !== undefined ? `configuration ${args.config}` : extra.length > 0 ? '--set' : 'Cluster Agent defaults';
  return { ...parsed, deployment: { surface: 'config', namespace }, description, agentVersion: resolved };
}

/**
 * What the user says the Cluster Agent is configured with, as sources to layer over what the
 * cluster shows (the doctor): the Helm values or the DatadogAgent as the chart or the Operator
 * renders them, then --config and --set. Throws InputError naming a value they cannot derive.
 */
export async function overrideSources(args: ConfigArgs, io: Io): Promise<ConfigSource[]> {
  const extra = await configSources(args, io);
  const surface = await surfaceOf(args, io);
  if (!surface) return extra;
  if (!surface.ok) throw new InputError(surface.errors.map((issue) => ({ location: { file: issue.origin }, message: `${issue.key}: ${issue.message}` })));
  return [...surface.sources, ...extra];
}

/** The Helm values or DatadogAgent surface the arguments name; undefined without either. */
async function surfaceOf(args: ConfigArgs, io: Io): Promise<SurfaceConfigResult | undefined> {
  const namespace = args.agentNamespace ?? 'default';
  const agentVersion = explicitVersion(args);
  if (args.helmValues !== undefined) {
    const values = parseConfigFile(await readText(args.helmValues, io), args.helmValues);
    return configFromHelmValues(values, { release: args.release, namespace, source: args.helmValues, agentVersion });
  }
  if (args.datadogAgent !== undefined) {
    const resource = pickDatadogAgent(await readText(args.datadogAgent, io), args.datadogAgent);
    return configFromDatadogAgent(resource, { namespace, source: args.datadogAgent, distribution: detectable(args.distributions), agentVersion });
  }
  return undefined;
}

/** The release --agent-version names, as version evidence; undefined without the flag. */
function explicitVersion(args: ConfigArgs): { version: string; origin: string } | undefined {
  return args.agentVersion === undefined ? undefined : { version: args.agentVersion, origin: '--agent-version' };
}

function layered(surface: SurfaceConfigResult, extra: readonly ConfigSource[], description: string, warnings: ConfigIssue[]): LoadedConfig {
  if (!surface.ok) return { ...surface, warnings: [...warnings, ...surface.warnings] };
  const result = extra.length > 0 ? layerConfig(surface, extra) : surface;
  if (!result.ok) return { ...result, warnings: [...warnings, ...result.warnings] };
  return {
    ok: true,
    config: result.config,
    origins: result.origins,
    warnings: [...warnings, ...result.warnings],
    deployment: result.deployment,
    description,
    agentVersion: result.agentVersion,
    env: result.env,
    unread: result.unread,
  };
}

// The Operator auto-detects these providers from node labels; the user's --distribution stands for the nodes.
function detectable(list: readonly Distribution[] | undefined): Distribution | undefined {
  return list?.find((d) => d === 'aks' || d === 'eks' || d === 'rancher-eks' || d === 'openshift');
}

function namespaceConflict(surface: SurfaceConfigResult, args: ConfigArgs, file: string): ConfigIssue[] {
  if (!surface.ok || args.agentNamespace === undefined || surface.deployment.namespace === args.agentNamespace) return [];
  return [
    {
      key: 'metadata.namespace',
      origin: file,
      message: `the DatadogAgent is in namespace ${surface.deployment.namespace}, which the Operator installs the Cluster Agent in: the namespace given on the command line (${args.agentNamespace}) is not used`,
    },
  ];
}

/** A YAML file holding one map (datadog.yaml, Helm values), read as the agent and Helm read it (YAML 1.1); a multi-document file is refused rather than half-read. */
export function parseConfigFile(text: string, file: string): unknown {
  const values = documentValues(text, file);
  if (values.length > 1) throw new InputError([{ location: { file }, message: `expected one YAML map, got ${values.length} documents` }]);
  return values[0] ?? null;
}

/** The DatadogAgent of a file that may hold other objects too (a Secret, the Operator's own manifests). */
export function pickDatadogAgent(text: string, file: string): unknown {
  const values = documentValues(text, file);
  const agents = values.filter((v) => typeof v === 'object' && (v as { kind?: unknown }).kind === DATADOG_AGENT_KIND);
  if (agents.length > 1) throw new InputError([{ location: { file }, message: `expected one DatadogAgent, got ${agents.length}` }]);
  if (agents.length === 1) return agents[0];
  // One object of another kind: let the core name what is wrong with it.
  if (values.length === 1) return values[0];
  throw new InputError([{ location: { file }, message: values.length === 0 ? 'no DatadogAgent in the file' : `no DatadogAgent among its ${values.length} documents` }]);
}

/** The non-empty documents of a file as plain values; the first document the loader refuses is an InputError naming the file. */
function documentValues(text: string, file: string): unknown[] {
  const values: unknown[] = [];
  for (const doc of loadYaml(text)) {
    if ('problem' in doc) throw new InputError([{ location: { file }, ...doc.problem }]);
    if (doc.value !== null && doc.value !== undefined) values.push(doc.value);
  }
  return values;
}

/** Loads the configuration and writes its warnings with `warn`; throws InputError naming each bad value (`origin: key: message`). */
export async function requireConfig(args: ConfigArgs, io: Io, warn: (warnings: readonly ConfigIssue[]) => void): Promise<Extract<LoadedConfig, { ok: true }>> {
  const loaded = await loadConfig(args, io);
  warn(loaded.warnings);
  if (!loaded.ok) {
    throw new InputError(loaded.errors.map((issue) => ({ location: { file: issue.origin }, message: `${issue.key}: ${issue.message}` })));
  }
  return loaded;
}
