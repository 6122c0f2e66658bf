import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, keyReleases } from '@dd-admission/core';

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
