import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@dd-admission/core': src('core'),
      '@dd-admission/kube': src('kube'),
      '@dd-admission/testing': src('testing'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    // The image's tests need the image built: `pnpm image:test` (vitest.image.config.ts) runs them.
    exclude: [...configDefaults.exclude, 'packages/*/test/image/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
