// docs/behaviour.md shows the bundled example previewed as 7.49 and as 7.78: it must be what dd-mutate prints.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, spawnCli } from './helpers.js';

const page = readFileSync(new URL('../../../docs/behaviour.md', import.meta.url), 'utf8');
const examples = fileURLToPath(new URL('../../../docs/examples/', import.meta.url));

describe('docs/behaviour.md: the example per release', () => {
  beforeAll(() => assertBuilt());

  for (const version of ['7.49', '7.78']) {
    it(`shows dd-mutate deployment.yaml --agent-version ${version} as it prints`, async () => {
      // The same fixed clock and install facts as scripts/version-example.mjs.
      const env = { SOURCE_DATE_EPOCH: '1767225600', DD_INSTRUMENTATION_INSTALL_TIME: '1767000000', DD_INSTRUMENTATION_INSTALL_ID: 'example-install' };
      const r = await spawnCli(['deployment.yaml', '--agent-version', version], { cwd: examples, env });
      expect(r.status).toBe(0);
      const block = `<!-- agent-version-example:${version} -->\n\`dd-mutate deployment.yaml --agent-version ${version}\`:\n\n\`\`\`diff\n${r.stdout}\`\`\`\n`;
      expect(page.includes(block), 'regenerate with node scripts/version-example.mjs').toBe(true);
    });
  }
});
