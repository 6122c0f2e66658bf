import { defineConfig } from 'vitest/config';

// A run of one failing property with the repository's fast-check setup, for fast-check-replay.test.ts.
export default defineConfig({
  test: {
    include: ['*.prop.ts'],
    setupFiles: ['../../../../../vitest.setup.ts'],
  },
});
