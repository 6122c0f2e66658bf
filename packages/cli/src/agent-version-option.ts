import { AgentVersionError, parseAgentVersion } from '@dd-admission/core';
import { z } from 'zod';

/** `--agent-version X.Y[.Z]`: a release between 7.49 and 7.78.x, else a usage error saying which are emulated. */
export const agentVersionOption = z
  .string()
  .superRefine((value, ctx) => {
    try {
      parseAgentVersion(value);
    } catch (e) {
      if (!(e instanceof AgentVersionError)) throw e;
      ctx.addIssue({ code: 'custom', message: `--agent-version: ${e.message}` });
    }
  })
  .optional();
