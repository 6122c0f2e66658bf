import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { zodEnglishOnly } from '../core/build/zod-english-only.js';
import { thirdPartyNotices } from './build/third-party-notices.js';

// Two files, all the image's /app holds besides their licence notices:
//  - dd-admission-webhook.js, the entrypoint: our code and every dependency but the Kubernetes client;
//  - node_modules/@kubernetes/client-node/index.js, that client and its dependencies in one file,
//    where the entrypoint's lazy import('@kubernetes/client-node') finds it. The server never loads
//    it unless the controllers run or an owner is looked up, and still runs without it.
// Whitespace and syntax are minified, identifiers are not (stack traces keep their names): the
// source text is part of the process's memory, V8 keeps it for lazy compilation.
const KUBE_CLIENT = 'node_modules/@kubernetes/client-node';
const require = createRequire(import.meta.url);
const kubeClientManifest = require.resolve('@kubernetes/client-node/package.json');

export default defineConfig({
  entry: {
    'dd-admission-webhook': 'src/main.ts',
    [`${KUBE_CLIENT}/index`]: join(dirname(kubeClientManifest), (JSON.parse(readFileSync(kubeClientManifest, 'utf8')) as { main: string }).main),
  },
  format: ['esm'],
  clean: true,
  target: 'node20',
  platform: 'node',
  noExternal: [/^(?!@kubernetes\/client-node$)/],
  external: ['@kubernetes/client-node'],
  splitting: false,
  treeshake: true,
  sourcemap: false,
  esbuildPlugins: [zodEnglishOnly(), thirdPartyNotices('dd-admission-webhook image (/app)')],
  banner: {
    js: [
      // Bundled CommonJS dependencies (prom-client, tsyringe, ws, ...) call require() for Node built-ins.
      "import { createRequire as __ddCreateRequire } from 'node:module';",
      'const require = __ddCreateRequire(import.meta.url);',
    ].join('\n'),
  },
  esbuildOptions(options) {
    options.alias = workspaceSources();
    // Only ASCII out: one non-ASCII character makes V8 hold the whole source as UTF-16, twice the memory.
    options.charset = 'ascii';
    options.minifyWhitespace = true;
    options.minifySyntax = true;
  },
  onSuccess: async () => writeKubeClientManifest(),
});

/** Every workspace package (`@dd-admission/*`) from its TypeScript source: the bundle never depends on another package's dist being built. */
function workspaceSources(): Record<string, string> {
  const packagesDir = fileURLToPath(new URL('..', import.meta.url));
  const aliases: Record<string, string> = {};
  for (const dir of readdirSync(packagesDir)) {
    const manifest = join(packagesDir, dir, 'package.json');
    const entry = join(packagesDir, dir, 'src', 'index.ts');
    if (!existsSync(manifest) || !existsSync(entry)) continue;
    const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string };
    if (name.startsWith('@dd-admission/')) aliases[name] = entry;
  }
  return aliases;
}

/** The bundled client's package.json: Node resolves the bare import through it. */
function writeKubeClientManifest(): void {
  const { name, version, license } = JSON.parse(readFileSync(kubeClientManifest, 'utf8')) as Record<string, string>;
  const bundled = { name, version, license, description: `${name} ${version} and its dependencies bundled in one file`, type: 'module', main: 'index.js' };
  writeFileSync(fileURLToPath(new URL(`./dist/${KUBE_CLIENT}/package.json`, import.meta.url)), `${JSON.stringify(bundled, null, 2)}\n`);
}
