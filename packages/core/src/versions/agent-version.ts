import { z } from 'zod';

/** The Cluster Agent releases whose behaviour is emulated exactly; versions between them are interpolated. */
export const SUPPORTED_AGENT_VERSIONS = ['7.49', '7.78'] as const;

/** The newest emulated release: what a door uses when nothing says which agent runs. */
export const LATEST_AGENT_VERSION = '7.78';

/** The oldest emulated release. */
export const OLDEST_AGENT_VERSION = '7.49';

/** What the core emulates when its caller names no version. */
export const DEFAULT_AGENT_VERSION = OLDEST_AGENT_VERSION;

const VERSION_TEXT = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][0-9A-Za-z.+-]*)?$/;

/** A Cluster Agent release, as `major.minor.patch` numbers. */
export const agentVersionSchema = z.object({
  major: z.number().int().nonnegative(),
  minor: z.number().int().nonnegative(),
  patch: z.number().int().nonnegative(),
});

export type AgentVersion = Readonly<z.infer<typeof agentVersionSchema>>;

/** What callers may pass where a version is expected: `7.78`, `7.78.1`, `v7.78.1-rc.2`, or a parsed version. */
export type AgentVersionInput = string | AgentVersion;

/** Thrown for a version that is not `X.Y[.Z]` or lies outside the emulated range. */
export class AgentVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentVersionError';
  }
}

/** Reads `X.Y[.Z]` (a leading `v` and a `-suffix` are allowed, as image tags have them); undefined when it is not a version. */
export function readAgentVersion(text: string): AgentVersion | undefined {
  const m = VERSION_TEXT.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/** Orders two versions: negative, zero or positive. */
export function compareAgentVersions(a: AgentVersion, b: AgentVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** `7.78` or `7.78.1` (the patch only when it is not 0). */
export function formatAgentVersion(v: AgentVersion): string {
  return v.patch === 0 ? `${v.major}.${v.minor}` : `${v.major}.${v.minor}.${v.patch}`;
}

const OLDEST = readAgentVersion(OLDEST_AGENT_VERSION)!;
const LATEST = readAgentVersion(LATEST_AGENT_VERSION)!;

/** Where `v` stands against the emulated range. */
export function agentVersionRange(v: AgentVersion): 'older' | 'supported' | 'newer' {
  if (compareAgentVersions(v, OLDEST) < 0) return 'older';
  if (v.major === LATEST.major && v.minor === LATEST.minor) return 'supported';
  return compareAgentVersions(v, LATEST) > 0 ? 'newer' : 'supported';
}

/** Validates a version for the core: a parse error or a version outside 7.49–7.78.x throws AgentVersionError. */
export function parseAgentVersion(input: AgentVersionInput): AgentVersion {
  const v = typeof input === 'string' ? readAgentVersion(input) : agentVersionSchema.safeParse(input).data;
  if (!v) {
    throw new AgentVersionError(`"${String(typeof input === 'string' ? input : JSON.stringify(input))}" is not an agent version (expected X.Y or X.Y.Z, such as ${LATEST_AGENT_VERSION})`);
  }
  const range = agentVersionRange(v);
  if (range !== 'supported') {
    throw new AgentVersionError(
      `Cluster Agent ${formatAgentVersion(v)} is not emulated: supported are ${OLDEST_AGENT_VERSION} to ${LATEST_AGENT_VERSION}.x (${SUPPORTED_AGENT_VERSIONS.join(' and ')} exactly, releases between them by interpolation)`,
    );
  }
  return Object.freeze({ ...v });
}

/**
 * The version a door should emulate for evidence that may lie outside the range
 * (an image tag of 7.81.1, or 7.45): the nearest supported one, with a note saying so.
 */
export function nearestAgentVersion(v: AgentVersion): { version: AgentVersion; note?: string } {
  const range = agentVersionRange(v);
  if (range === 'supported') return { version: v };
  const version = range === 'newer' ? LATEST : OLDEST;
  const side = range === 'newer' ? 'newest' : 'oldest';
  return { version, note: `Cluster Agent ${formatAgentVersion(v)} is outside the emulated range; emulating the ${side} supported release, ${formatAgentVersion(version)}` };
}
