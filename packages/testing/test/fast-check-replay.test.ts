import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fastCheckReplaySettings } from '@dd-admission/testing';

const FIXTURE = fileURLToPath(new URL('./support/replay/', import.meta.url));
const VITEST = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));

/** Runs the fixture's failing property in a vitest process; returns the seed and path fast-check printed. */
function runFailingProperty(env: Record<string, string>): Promise<{ seed: string; path: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [VITEST, 'run', '--root', FIXTURE], { env: { ...process.env, ...env, FORCE_COLOR: '0' } }, (error, stdout, stderr) => {
      const found = /\{ seed: (-?\d+), path: "([^"]*)"/.exec(stdout + stderr);
      if (!error || !found) return reject(new Error(`expected the fixture property to fail and print its seed:\n${stdout}${stderr}`));
      resolve({ seed: found[1]!, path: found[2]! });
    });
  });
}

describe('fastCheckReplaySettings', () => {
  it('takes the seed from FC_SEED, and nothing when it is unset or empty', () => {
    expect(fastCheckReplaySettings({ FC_SEED: '-638055283' })).toEqual({ seed: -638055283 });
    expect(fastCheckReplaySettings({ FC_SEED: ' 42 ' })).toEqual({ seed: 42 });
    expect(fastCheckReplaySettings({})).toEqual({});
    expect(fastCheckReplaySettings({ FC_SEED: '' })).toEqual({});
  });

  it('rejects a seed that is not a 32-bit integer, naming the variable', () => {
    for (const bad of ['abc', '1.5', '1e12', '0x']) {
      expect(() => fastCheckReplaySettings({ FC_SEED: bad })).toThrow(`FC_SEED must be the integer seed a failing property printed (e.g. FC_SEED=-638055283), got "${bad}"`);
    }
  });

  it('replays a failed property: the rerun with FC_SEED fails with the same seed and shrink path', async () => {
    const first = await runFailingProperty({});
    const replay = await runFailingProperty({ FC_SEED: first.seed });
    expect(replay).toEqual(first);
  });
});
