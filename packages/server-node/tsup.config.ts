import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

// One self-contained file, the image's entrypoint: everything is bundled except the
// Kubernetes client, which is imported lazily on the first owner lookup and is
// installed next to the bundle in the image (the server runs without it).
export default defineConfig({
  entry: { 'dd-admission-webhook': 'src/main.ts' },
  format: ['esm'],
  clean: true,
  target: 'node20',
  platform: 'node',
  noExternal: [/^(?!@kubernetes\/client-node)/],
  external: ['@kubernetes/client-node'],
  splitting: false,
  treeshake: true,
  sourcemap: false,
  banner: {
    js: [
      '#!/usr/bin/env node',
      // Bundled CommonJS dependencies (prom-client, tsyringe) call require() for Node built-ins.
      "import { createRequire as __ddCreateRequire } from 'node:module';",
      'const require = __ddCreateRequire(import.meta.url);',
    ].join('\n'),
  },
  esbuildOptions(options) {
    // Bundle the core from source: the image and the tests never depend on its dist being built.
    options.alias = { '@dd-admission/core': fileURLToPath(new URL('../core/src/index.ts', import.meta.url)) };
  },
});
