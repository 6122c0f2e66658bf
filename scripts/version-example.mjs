#!/usr/bin/env node
// Prints the 7.49 / 7.78 preview of the bundled example for docs/behaviour.md (a CLI
// test checks the page shows what dd-mutate prints today). Needs the built CLI.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../packages/cli/dist/dd-mutate.js', import.meta.url));
const examples = fileURLToPath(new URL('../docs/examples/', import.meta.url));
// Library injection stamps the clock and the install facts on pods: fixed here so the page stays true.
const EXAMPLE_FACTS = { SOURCE_DATE_EPOCH: '1767225600', DD_INSTRUMENTATION_INSTALL_TIME: '1767000000', DD_INSTRUMENTATION_INSTALL_ID: 'example-install' };

for (const version of ['7.49', '7.78']) {
  const r = spawnSync(process.execPath, [cli, 'deployment.yaml', '--agent-version', version], { cwd: examples, encoding: 'utf8', env: { PATH: process.env.PATH, NO_COLOR: '1', ...EXAMPLE_FACTS } });
  if (r.status !== 0) throw new Error(`dd-mutate --agent-version ${version} failed: ${r.stderr}`);
  console.log(`<!-- agent-version-example:${version} -->\n\`dd-mutate deployment.yaml --agent-version ${version}\`:\n\n\`\`\`diff\n${r.stdout}\`\`\`\n`);
}
