// The server's doors to the emulated release: --agent-version, DD_ADMISSION_AGENT_VERSION, else the newest.
import { describe, expect, it } from 'vitest';
import { formatAgentVersion } from '@dd-admission/core';
import { parseServerArgs } from '../src/args.js';
import { AGENT_VERSION_ENV, loadConfig, SettingsError } from '../src/settings.js';

const readFile = async (path: string): Promise<string> => {
  throw new Error(`ENOENT: ${path}`);
};
const load = (env: Record<string, string>, agentVersion?: string) => loadConfig({ env, readFile, ...(agentVersion ? { agentVersion } : {}) });

describe('the emulated release', () => {
  it('--agent-version is read from the command line', () => {
    expect(parseServerArgs(['--dev', '--agent-version', '7.60']).agentVersion).toBe('7.60');
  });

  it('the flag wins over the env var, which wins over the default (the newest)', async () => {
    const flag = await load({ [AGENT_VERSION_ENV]: '7.60' }, '7.49');
    expect([formatAgentVersion(flag.agentVersion.version), flag.agentVersion.origin, formatAgentVersion(flag.config.agentVersion)]).toEqual(['7.49', '--agent-version', '7.49']);
    const env = await load({ [AGENT_VERSION_ENV]: '7.60.2' });
    expect([formatAgentVersion(env.agentVersion.version), env.agentVersion.origin]).toEqual(['7.60.2', AGENT_VERSION_ENV]);
    const none = await load({});
    expect([formatAgentVersion(none.agentVersion.version), none.agentVersion.origin]).toEqual(['7.78', 'no evidence: newest supported']);
  });

  it('an unsupported release is a startup error naming where it was set', async () => {
    await expect(load({ [AGENT_VERSION_ENV]: '7.81' })).rejects.toThrow(SettingsError);
    await expect(load({ [AGENT_VERSION_ENV]: '7.81' })).rejects.toThrow(
      'DD_ADMISSION_AGENT_VERSION: Cluster Agent 7.81 is not emulated: supported are 7.49 to 7.78.x (7.49 and 7.78 exactly, releases between them by interpolation)',
    );
    await expect(load({}, 'latest')).rejects.toThrow('--agent-version: "latest" is not an agent version (expected X.Y or X.Y.Z, such as 7.78)');
  });

  it('a key the release does not read is a configuration warning', async () => {
    const loaded = await load({ DD_CSI_ENABLED: 'true', [AGENT_VERSION_ENV]: '7.49' });
    expect(loaded.warnings).toEqual(['environment (DD_CSI_ENABLED): csi.enabled: only read since Cluster Agent 7.65: 7.49 ignores it']);
  });
});
