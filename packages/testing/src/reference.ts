import { readFileSync } from 'node:fs';

// Texts quoted from the public Datadog material this project reproduces, shared by
// the tests of every package that must print them.

/** The "Admission Controller" section of `agent status` from the troubleshooting guide, verbatim. */
export function agentStatusExample(): string {
  return readFileSync(new URL('../reference/agent-status-example.txt', import.meta.url), 'utf8');
}
