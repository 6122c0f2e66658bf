// zod's namespace re-exports every locale of its error messages (`z.locales`), so a
// bundle that imports `z` carries all of them: about 370 KB of the preview's bundle
// (290 KB of the server's, minified), parsed at each start. We use only the English
// messages (zod's default), so a bundle gets a locales module that holds just those.
import { dirname } from 'node:path';
import type { Options } from 'tsup';

/** tsup's esbuild plugin type (esbuild itself is tsup's dependency, not ours). */
type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/** An esbuild plugin that bundles zod's English messages and no other locale. */
export function zodEnglishOnly(): Plugin {
  return {
    name: 'zod-english-only',
    setup(build) {
      // The file stays zod's own (licence notices and the bundle's sources name it); only its text changes.
      build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({ contents: "export { default as en } from './en.js';", resolveDir: dirname(args.path), loader: 'js' }));
    },
  };
}
