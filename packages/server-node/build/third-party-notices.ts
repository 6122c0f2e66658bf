// The licence notices of the npm packages bundled into the server's output: what the
// image has to carry for everything it ships that is not ours.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Options } from 'tsup';

/** tsup's esbuild plugin type (esbuild itself is tsup's dependency, not ours). */
type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/** One bundled package and where its files are. */
interface BundledPackage {
  name: string;
  version: string;
  license: string;
  homepage: string;
  dir: string;
}

const LICENCE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i;

/** An esbuild plugin writing `THIRD_PARTY_NOTICES.md` into the output folder after each build. */
export function thirdPartyNotices(title: string): Plugin {
  return {
    name: 'third-party-notices',
    setup(build) {
      build.onEnd((result) => {
        if (result.errors.length > 0 || !result.metafile) return;
        const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
        const outdir = resolve(cwd, build.initialOptions.outdir ?? 'dist');
        // Plugins end before tsup writes the bundles: the folder may not exist yet.
        mkdirSync(outdir, { recursive: true });
        writeFileSync(join(outdir, 'THIRD_PARTY_NOTICES.md'), renderNotices(title, bundledPackages(result.metafile, cwd)));
      });
    },
  };
}

/** The npm packages some bundled input file belongs to, sorted by name. */
function bundledPackages(metafile: { inputs: Record<string, unknown> }, cwd: string): BundledPackage[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const dir = packageDir(input);
    if (dir) dirs.add(resolve(cwd, dir));
  }
  return [...dirs].map(readPackage).sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** `…/node_modules/<name>` or `…/node_modules/@scope/<name>` of a bundled file; undefined for our own sources. */
function packageDir(input: string): string | undefined {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return m?.[1];
}

function readPackage(dir: string): BundledPackage {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const repository = manifest.repository as { url?: string } | string | undefined;
  const homepage = typeof manifest.homepage === 'string' ? manifest.homepage : typeof repository === 'string' ? repository : (repository?.url ?? '');
  return { name: String(manifest.name), version: String(manifest.version), license: String(manifest.license ?? 'UNKNOWN'), homepage, dir };
}

function renderNotices(title: string, packages: BundledPackage[]): string {
  const sections = packages.map((p) => {
    const files = existsSync(p.dir) ? readdirSync(p.dir).filter((f) => LICENCE_FILE.test(f)).sort() : [];
    const texts = files.map((f) => `\`\`\`text\n${readFileSync(join(p.dir, f), 'utf8').trim()}\n\`\`\``);
    const body = texts.length > 0 ? texts.join('\n\n') : `The package ships no licence file; its package.json declares \`${p.license}\`.`;
    return `## ${p.name} ${p.version}\n\nLicence: ${p.license}${p.homepage ? ` — ${p.homepage}` : ''}\n\n${body}\n`;
  });
  const intro = `# Third-party notices: ${title}\n\nThese ${packages.length} npm packages are bundled into the files beside this one. Each keeps its own licence, reproduced below.\n`;
  return [intro, ...sections].join('\n');
}
