// The Debian tools the image scripts run (buildah, debootstrap, umoci, runc): installed with
// apt-get when missing, which needs root; anything else stops with a message saying what to do.
//   node scripts/image/tools.mjs <command>...   (pnpm image:test: root required; installs what is
//                                                missing, or exits 1 saying why)
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Debian package of each command. */
const PACKAGES = { buildah: 'buildah', debootstrap: 'debootstrap', 'dpkg-deb': 'dpkg', umoci: 'umoci', runc: 'runc' };

/** A tool is missing and cannot be installed here. */
export class ToolsError extends Error {}

/** True when `command` is an executable on PATH. */
export function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Installs the Debian packages of the missing commands; `why` says what they are for. */
export function ensureTools(commands, why) {
  const missing = commands.filter((c) => !onPath(c));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((c) => PACKAGES[c] ?? c))];
  const install = `apt-get install --yes --no-install-recommends ${packages.join(' ')}`;
  if (process.getuid?.() !== 0) throw new ToolsError(`${missing.join(', ')} not found, needed ${why}; this is not root, so they cannot be installed here: run \`${install}\` as root, or use docker or podman`);
  if (!onPath('apt-get')) throw new ToolsError(`${missing.join(', ')} not found, needed ${why}, and there is no apt-get to install them (Debian package ${packages.join(', ')})`);
  console.error(`Installing ${packages.join(', ')} (Debian packages), needed ${why}.`);
  // A fresh machine has no package lists yet.
  run('apt-get', ['update', '--quiet', '--quiet']);
  run('apt-get', ['install', '--yes', '--no-install-recommends', '--quiet', '--quiet', ...packages], { DEBIAN_FRONTEND: 'noninteractive' });
}

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  if (result.status !== 0) throw new ToolsError(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (process.getuid?.() !== 0) throw new ToolsError('pnpm image:test runs the image with runc as root (it sets up the container\'s namespaces and mounts): run it as root');
    ensureTools(process.argv.slice(2), 'to run the image (pnpm image:test)');
  } catch (error) {
    if (!(error instanceof ToolsError)) throw error;
    console.error(`image tools: ${error.message}`);
    process.exit(1);
  }
}
