import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BEHAVIOUR_CHANGES, CONFIG_KEYS, keyReleases } from '@dd-admission/core';

const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
const page = doc.slice(doc.indexOf('## Every key'));

describe('docs/configuration.md', () => {
  it.each(CONFIG_KEYS.map((k) => [k.key, k]))('documents %s with its env var and default', (_, k) => {
    const row = page.split('\n').find((line) => line.startsWith(`| \`${k.key}\` |`));
    expect(row, `no table row for ${k.key}: regenerate with node scripts/config-keys-table.mjs`).toBeDefined();
    expect(row).toContain(`\`${k.env}\``);
    expect(row).toContain(k.default === undefined ? 'unset' : `\`${JSON.stringify(k.default)}\``);
    expect(row!.endsWith(`| ${keyReleases(k.key)} |`), `${k.key} is read by ${keyReleases(k.key)}`).toBe(true);
  });
});

describe('docs/behaviour.md', () => {
  const page = readFileSync(new URL('../../../docs/behaviour.md', import.meta.url), 'utf8');

  it('embeds the table of BEHAVIOUR_CHANGES as scripts/behaviour-table.mjs prints it', async () => {
    const { behaviourTable } = (await import(new URL('../../../scripts/behaviour-table.mjs', import.meta.url).href)) as { behaviourTable: (c: typeof BEHAVIOUR_CHANGES) => string };
    const embedded = page.slice(page.indexOf('<!-- behaviour-changes:start -->\n') + '<!-- behaviour-changes:start -->\n'.length, page.indexOf('\n<!-- behaviour-changes:end -->'));
    expect(embedded, 'regenerate with node scripts/behaviour-table.mjs').toBe(behaviourTable(BEHAVIOUR_CHANGES));
  });

  it('names every change once, with its release and spec section', () => {
    for (const c of BEHAVIOUR_CHANGES) {
      const rows = page.split('\n').filter((line) => line.includes(`| \`${c.id}\` |`));
      expect(rows, c.id).toHaveLength(1);
      expect(rows[0]).toContain(`${c.since} |`);
      expect(rows[0]).toContain(c.spec);
    }
  });
});
