import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// pnpm image:test: the packaged image run for real (after `pnpm image`), apart from the unit tests.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['packages/*/test/image/**/*.test.ts'],
    exclude: [],
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
