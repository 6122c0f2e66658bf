import {
  formatAgentVersion,
  LATEST_AGENT_VERSION,
  nearestAgentVersion,
  parseAgentVersion,
  readAgentVersion,
  type AgentVersion,
  type AgentVersionInput,
} from './agent-version.js';

// Which release a door emulates, from what it knows: a version the user named
// wins over the image the deployment files run, and with neither the newest
// supported release is assumed (today's clusters run recent agents).

/** What a door knows about the Cluster Agent it emulates. */
export interface AgentVersionEvidence {
  /** A version the user named (`--agent-version`, `DD_ADMISSION_AGENT_VERSION`); it must be supported. */
  explicit?: { version: AgentVersionInput; origin: string };
  /** The Cluster Agent image tag the deployment runs, and where it was read (`clusterAgent.image.tag`). */
  image?: { tag: string; origin: string };
}

/** The emulated release, where it came from (`clusterAgent.image.tag (7.72.1)`), and a note when the evidence was adjusted. */
export interface ResolvedAgentVersion {
  version: AgentVersion;
  origin: string;
  note?: string;
}

/** The origin of the fallback when nothing names a version. */
export const NO_VERSION_EVIDENCE = 'no evidence: newest supported';

/**
 * Picks the release to emulate: the explicit version (throws AgentVersionError
 * when unsupported), else the image tag (clamped to the supported range, or the
 * newest release when the tag is no version, with a note), else the newest.
 */
export function resolveAgentVersion(evidence: AgentVersionEvidence): ResolvedAgentVersion {
  if (evidence.explicit) return { version: parseAgentVersion(evidence.explicit.version), origin: evidence.explicit.origin };
  const latest = parseAgentVersion(LATEST_AGENT_VERSION);
  if (!evidence.image) return { version: latest, origin: NO_VERSION_EVIDENCE };
  const { tag, origin } = evidence.image;
  const read = readAgentVersion(tag);
  const where = `${origin} (${tag})`;
  if (!read) return { version: latest, origin: where, note: `image tag "${tag}" is not a version: emulating the newest supported release, ${formatAgentVersion(latest)}` };
  const { version, note } = nearestAgentVersion(read);
  return { version: Object.freeze({ ...version }), origin: where, ...(note ? { note } : {}) };
}

/** `7.49.1` from `gcr.io/datadoghq/cluster-agent:7.49.1` (a digest after `@` is ignored); undefined without a tag. */
export function imageTag(image: string): string | undefined {
  const name = image.split('@')[0]!;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
}
