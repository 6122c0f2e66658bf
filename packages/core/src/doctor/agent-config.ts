import { CONFIG_KEYS } from '../config/schema.js';
import { parseConfig, type ConfigResult, type ConfigSource } from '../config/parse.js';
import { effectiveEnv, envSources, type DerivedEnvVar, type UnreadEnvVar } from '../surfaces/cluster-agent-env.js';
import { formatAgentVersion, LATEST_AGENT_VERSION, nearestAgentVersion, readAgentVersion, type AgentVersionInput } from '../versions/agent-version.js';
import type { ClusterAgent } from './cluster-agent.js';
import { findNamed, kubectlRef } from './objects.js';
import { permissionFor, unreadable, type ClusterSnapshot } from './snapshot.js';

// The configuration the running Cluster Agent reads: its container's env
// (literal values, and the ConfigMaps `valueFrom` / `envFrom` name), parsed by
// the core's one config path so every value keeps its origin, for the agent
// version of its image tag. The caller's overrides (--config, --set, Helm
// values) are layered on top, as in the preview.

/** What the doctor is told beyond the cluster. */
export interface AgentConfigOptions {
  /** Sources layered over the cluster's env; later ones win. */
  overrides?: readonly ConfigSource[];
  /** The agent version to emulate instead of the image's. */
  agentVersion?: AgentVersionInput;
  /** Where that version comes from (`--agent-version`). */
  agentVersionOrigin?: string;
}

/** The version emulated, and why. */
export interface EmulatedVersion {
  version: string;
  origin: string;
  note?: string;
}

/** The Cluster Agent's effective configuration, with the env it was read from. */
export interface AgentConfig {
  result: ConfigResult;
  version: EmulatedVersion;
  /** The container env as the kubelet resolves it (one entry per name), with origins. */
  env: DerivedEnvVar[];
  /** Entries the admission controller does not read. */
  unread: UnreadEnvVar[];
  /** Values that could not be resolved from the snapshot (a Secret, an unreadable ConfigMap). */
  notes: string[];
}

const READ_ENV = new Set(CONFIG_KEYS.map((k) => k.env));

/** Reads the configuration of `agent` (defaults when none was found) with the overrides on top. */
export function agentConfig(snapshot: ClusterSnapshot, agent: ClusterAgent | undefined, options: AgentConfigOptions = {}): AgentConfig {
  const resolved = agent ? containerEnv(snapshot, agent) : { env: [], notes: [] };
  const env = effectiveEnv(resolved.env);
  const { sources, unread } = envSources(env);
  const version = emulatedVersion(agent, options);
  const result = parseConfig([...sources, ...(options.overrides ?? [])], { agentVersion: version.version, agentVersionOrigin: version.origin });
  return { result, version, env, unread, notes: resolved.notes };
}

function emulatedVersion(agent: ClusterAgent | undefined, options: AgentConfigOptions): EmulatedVersion {
  if (options.agentVersion !== undefined) {
    const text = typeof options.agentVersion === 'string' ? options.agentVersion : formatAgentVersion(options.agentVersion);
    return { version: text, origin: options.agentVersionOrigin ?? 'agent version' };
  }
  const image = agent?.container.image ?? '';
  const tag = imageTag(image);
  const parsed = tag === undefined ? undefined : readAgentVersion(tag);
  if (!parsed) {
    const why = agent ? `the image ${image || '(none)'} names no version` : 'no Cluster Agent was found';
    return { version: LATEST_AGENT_VERSION, origin: 'default', note: `${why}: emulating the newest supported release, ${LATEST_AGENT_VERSION}` };
  }
  const nearest = nearestAgentVersion(parsed);
  const origin = `image ${image}`;
  return nearest.note ? { version: formatAgentVersion(nearest.version), origin, note: nearest.note } : { version: formatAgentVersion(parsed), origin };
}

/** `7.49.1` from `gcr.io/datadoghq/cluster-agent:7.49.1` (a digest is ignored); undefined without a tag. */
export function imageTag(image: string): string | undefined {
  const name = image.split('@')[0]!;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
}

type EnvEntry = NonNullable<ClusterAgent['container']['env']>[number];

/** The container's env entries in the kubelet's order (envFrom, then env), resolved where the snapshot allows. */
function containerEnv(snapshot: ClusterSnapshot, agent: ClusterAgent): { env: DerivedEnvVar[]; notes: string[] } {
  const where = `${agent.namespace}/${agent.name}`;
  const env: DerivedEnvVar[] = [];
  const notes: string[] = [];
  for (const source of envFromSources(agent)) {
    const map = configMap(snapshot, agent.namespace, source.name);
    if (typeof map === 'string') {
      notes.push(`envFrom ConfigMap ${source.name}: ${map}`);
      continue;
    }
    for (const [key, value] of Object.entries(map)) {
      env.push({ name: source.prefix + key, value, origin: `ConfigMap ${agent.namespace}/${source.name} key ${key} (${where} envFrom)` });
    }
  }
  for (const entry of agent.container.env ?? []) {
    const origin = `${where} env ${entry.name}`;
    const value = envValue(snapshot, agent, entry);
    if (typeof value === 'object') {
      if (READ_ENV.has(entry.name)) notes.push(`${entry.name}: ${value.unresolved}`);
      continue;
    }
    env.push({ name: entry.name, value, origin: entry.valueFrom?.configMapKeyRef ? `${configMapOrigin(agent, entry)} (${origin})` : origin });
  }
  return { env, notes };
}

function envFromSources(agent: ClusterAgent): { name: string; prefix: string }[] {
  return (agent.container.envFrom ?? []).flatMap((e) => (e.configMapRef ? [{ name: e.configMapRef.name, prefix: e.prefix ?? '' }] : []));
}

function configMapOrigin(agent: ClusterAgent, entry: EnvEntry): string {
  const ref = entry.valueFrom!.configMapKeyRef as { name?: string; key?: string };
  return `ConfigMap ${agent.namespace}/${ref.name ?? ''} key ${ref.key ?? ''}`;
}

/** The value of one env entry, or why it cannot be known from the snapshot. */
function envValue(snapshot: ClusterSnapshot, agent: ClusterAgent, entry: EnvEntry): string | { unresolved: string } {
  const from = entry.valueFrom;
  if (!from) return entry.value ?? '';
  const field = (from.fieldRef as { fieldPath?: string } | undefined)?.fieldPath;
  if (field === 'metadata.namespace') return agent.namespace;
  const ref = from.configMapKeyRef as { name?: string; key?: string; optional?: boolean } | undefined;
  if (ref?.name && ref.key) {
    const map = configMap(snapshot, agent.namespace, ref.name);
    if (typeof map === 'string') return { unresolved: `from ConfigMap ${ref.name} key ${ref.key}: ${map}` };
    const value = map[ref.key];
    return value ?? { unresolved: `ConfigMap ${ref.name} has no key ${ref.key}${ref.optional ? ' (optional: the variable is unset)' : ''}` };
  }
  if (from.secretKeyRef) return { unresolved: 'from a Secret, which the doctor does not read: its value is not known' };
  return { unresolved: `from ${Object.keys(from).join(', ')}, which the doctor cannot resolve` };
}

/** A ConfigMap's data, or why it is not available. */
function configMap(snapshot: ClusterSnapshot, namespace: string, name: string): Record<string, string> | string {
  const gap = unreadable(snapshot, 'configmaps');
  if (gap) return `not readable: needs ${permissionFor(gap)}`;
  const map = findNamed(snapshot.objects.configmaps, namespace, name);
  if (!map) {
    return snapshot.source === 'dump'
      ? `not in the dump (add it: kubectl get ${kubectlRef('configmap', name, namespace)} -o yaml)`
      : `ConfigMap ${namespace}/${name} does not exist`;
  }
  return map.data ?? {};
}
