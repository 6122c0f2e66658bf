// Property tests without a fixed seed draw a random one, and fast-check's failure
// message names it. Setting FC_SEED to that number reruns every property of the
// run with it, which regenerates the same inputs and the same failure.

/** The fast-check global settings the environment asks for: `{ seed }` from FC_SEED, else none. */
export function fastCheckReplaySettings(env: Readonly<Record<string, string | undefined>>): { seed?: number } {
  const raw = env.FC_SEED?.trim();
  if (raw === undefined || raw === '') return {};
  const seed = Number(raw);
  // fast-check seeds are 32-bit integers, negative ones included.
  if (!Number.isSafeInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 32) {
    throw new Error(`FC_SEED must be the integer seed a failing property printed (e.g. FC_SEED=-638055283), got ${JSON.stringify(env.FC_SEED)}`);
  }
  return { seed };
}
