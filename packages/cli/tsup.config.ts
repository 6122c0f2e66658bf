import { defineConfig } from 'tsup';
import { zodEnglishOnly } from '../core/build/zod-english-only.js';

// One self-contained file: the preview loads nothing but this bundle, so it starts fast.
// The Kubernetes client stays outside it: `status` imports it lazily, the preview never does.
export default defineConfig({
  entry: { 'dd-mutate': 'src/main.ts' },
  format: ['esm'],
  clean: true,
  target: 'node20',
  platform: 'node',
  noExternal: [/^(?!@kubernetes\/client-node)/],
  external: ['@kubernetes/client-node'],
  splitting: false,
  treeshake: true,
  sourcemap: false,
  esbuildPlugins: [zodEnglishOnly()],
  esbuildOptions(options) {
    // yaml's "node" build is CommonJS (it would need a require shim); its ESM build is the same code, pure and tree-shakable.
    options.alias = { yaml: './node_modules/yaml/browser/index.js' };
  },
});
