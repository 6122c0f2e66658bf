import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledPackages } from './helpers.js';

const packageDir = (name: string) => realpathSync(fileURLToPath(new URL(`../../${name}`, import.meta.url)));

describe('the freshness check of the CLI bundle', () => {
  it('covers the CLI and the workspace packages it inlines, not its dev dependencies', () => {
    const packages = bundledPackages(packageDir('cli'));
    expect(packages).toContain(packageDir('cli'));
    expect(packages).toContain(packageDir('core'));
    expect(packages).not.toContain(packageDir('testing'));
  });
});
