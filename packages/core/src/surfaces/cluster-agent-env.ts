import type { AgentDeployment } from './agent-deployment.js';
import { CONFIG_KEYS, type AdmissionConfig } from '../config/schema.js';
import { parseConfig, type ConfigIssue, type ConfigSource } from '../config/parse.js';
import { unreadKeyReason } from '../config/key-versions.js';
import { AgentVersionError, DEFAULT_AGENT_VERSION, formatAgentVersion, parseAgentVersion, type AgentVersion } from '../versions/agent-version.js';
import { hasChange } from '../versions/behaviour-changes.js';
import { resolveAgentVersion, type AgentVersionEvidence, type ResolvedAgentVersion } from '../versions/evidence.js';

// The Helm chart and the Operator configure the Cluster Agent through env vars
// on its container. Both surfaces derive that env, and this module turns it into
// configuration sources for parseConfig, so there is one config path and every
// key's origin names the Helm value or DatadogAgent field behind it.

/** One variable the chart or the Operator sets on the cluster-agent container, and the value or field it comes from. */
export interface DerivedEnvVar {
  name: string;
  value: string;
  origin: string;
}

/** A variable that reaches the container but not the 7.49 configuration, and why. */
export interface UnreadEnvVar extends DerivedEnvVar {
  reason: string;
}

/** The configuration a deployment surface yields, with the env behind it. */
export type SurfaceConfigResult = SurfaceConfig | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };

export interface SurfaceConfig {
  ok: true;
  config: AdmissionConfig;
  /** Where each key's value comes from: a Helm value / DatadogAgent field, `--set`, a file, or `default ...`. */
  origins: Record<string, string>;
  warnings: ConfigIssue[];
  /** The cluster-agent container's env as the chart / Operator renders it (one entry per name: the one that wins). */
  env: DerivedEnvVar[];
  /** The release emulated, and where that came from. */
  agentVersion: ResolvedAgentVersion;
  /** Entries of `env` the emulated Cluster Agent does not read. */
  unread: UnreadEnvVar[];
  /** The parseConfig sources made from `env`; more sources can be layered on top with layerConfig. */
  sources: ConfigSource[];
  /** Warnings about the surface itself (kept when layering). */
  surfaceWarnings: ConfigIssue[];
  /** Why a key left at its default is at its default, when the surface explains it. */
  defaultNotes: Record<string, string>;
  deployment: AgentDeployment;
}

/** The registry later Cluster Agents use for every image they inject (7.58+); 7.49 reads only the library registry. */
export const GLOBAL_REGISTRY_ENV = 'DD_ADMISSION_CONTROLLER_CONTAINER_REGISTRY';
const LIBRARY_REGISTRY_KEY = 'admission_controller.auto_instrumentation.container_registry';

const KEY_BY_ENV = new Map(CONFIG_KEYS.map((k) => [k.env, k.key]));

/** The effective env: one entry per name, the last one set winning (kubelet and Operator merge rules), at its first position. */
export function effectiveEnv(list: readonly DerivedEnvVar[]): DerivedEnvVar[] {
  const byName = new Map<string, DerivedEnvVar>();
  for (const entry of list) {
    const previous = byName.get(entry.name);
    byName.set(entry.name, previous && previous.origin !== entry.origin ? { ...entry, origin: `${entry.origin} (overrides ${previous.origin})` } : entry);
  }
  return [...byName.values()];
}

/** Splits the env into parseConfig sources (one per variable `version` reads) and the variables it does not read. */
export function envSources(env: readonly DerivedEnvVar[], version: AgentVersion = parseAgentVersion(DEFAULT_AGENT_VERSION)): { sources: ConfigSource[]; unread: UnreadEnvVar[] } {
  const sources: ConfigSource[] = [];
  const unread: UnreadEnvVar[] = [];
  // Before 7.53 the global registry stands in for the library registry (placed first so an
  // explicit library-registry variable still wins); from 7.53 parseConfig's fallback does that.
  const asLibraryRegistry = !hasChange(version, 'global-container-registry');
  const first = (e: DerivedEnvVar) => asLibraryRegistry && e.name === GLOBAL_REGISTRY_ENV;
  const ordered = [...env.filter(first), ...env.filter((e) => !first(e))];
  for (const entry of ordered) {
    // The agent's config library ignores an empty variable: the key keeps its default.
    if (entry.value === '') {
      unread.push({ ...entry, reason: 'empty: ignored, the key keeps its default' });
      continue;
    }
    if (first(entry)) {
      sources.push({ origin: `${entry.origin} (via ${GLOBAL_REGISTRY_ENV})`, values: { [LIBRARY_REGISTRY_KEY]: entry.value } });
      continue;
    }
    const key = KEY_BY_ENV.get(entry.name);
    if (key === undefined) {
      unread.push({ ...entry, reason: `not read by the ${formatAgentVersion(version)} admission controller` });
      continue;
    }
    const ignored = unreadKeyReason(key, version);
    if (ignored) {
      unread.push({ ...entry, reason: ignored });
      continue;
    }
    sources.push({ origin: entry.origin, values: { [key]: entry.value } });
  }
  return { sources, unread };
}


/** What a surface derived, before it is parsed. */
export interface SurfaceDerivation {
  /** The container env in render order, duplicates included (the last one wins). */
  env: DerivedEnvVar[];
  warnings: ConfigIssue[];
  defaultNotes: Record<string, string>;
  deployment: AgentDeployment;
  agentVersion: ResolvedAgentVersion;
}

/** Parses a surface's env through parseConfig: the surface's AdmissionConfig, with origins. */
export function surfaceConfig(derivation: SurfaceDerivation): SurfaceConfigResult {
  const env = effectiveEnv(derivation.env);
  const { sources, unread } = envSources(env, derivation.agentVersion.version);
  const base = { env, unread, sources, surfaceWarnings: derivation.warnings, defaultNotes: derivation.defaultNotes, deployment: derivation.deployment, agentVersion: derivation.agentVersion };
  return parseLayers(base, sources);
}

/** The release a surface emulates from its evidence, or the config error of an unsupported explicit version. */
export function surfaceAgentVersion(evidence: AgentVersionEvidence): ResolvedAgentVersion | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] } {
  try {
    return resolveAgentVersion(evidence);
  } catch (e) {
    if (!(e instanceof AgentVersionError)) throw e;
    return { ok: false, errors: [{ key: 'agent version', origin: evidence.explicit?.origin ?? 'agent version', message: e.message }], warnings: [] };
  }
}

/** The surface's configuration with more sources (a datadog.yaml, `--set` pairs) applied on top; later sources win. */
export function layerConfig(surface: SurfaceConfig, extra: readonly ConfigSource[]): SurfaceConfigResult {
  return parseLayers(surface, [...surface.sources, ...extra]);
}

type SurfaceBase = Pick<SurfaceConfig, 'env' | 'unread' | 'sources' | 'surfaceWarnings' | 'defaultNotes' | 'deployment' | 'agentVersion'>;

function parseLayers(base: SurfaceBase, sources: readonly ConfigSource[]): SurfaceConfigResult {
  const parsed = parseConfig(sources, { agentVersion: base.agentVersion.version, agentVersionOrigin: base.agentVersion.origin });
  const warnings = [...base.surfaceWarnings, ...parsed.warnings];
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings };
  const origins = { ...parsed.origins };
  for (const [key, note] of Object.entries(base.defaultNotes)) if (origins[key] === 'default') origins[key] = note;
  return {
    ok: true,
    config: parsed.config,
    origins,
    warnings,
    env: base.env,
    unread: base.unread,
    sources: base.sources,
    surfaceWarnings: base.surfaceWarnings,
    defaultNotes: base.defaultNotes,
    deployment: base.deployment,
    agentVersion: base.agentVersion,
  };
}
