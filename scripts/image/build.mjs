#!/usr/bin/env node
// pnpm image: builds packages/server-node/Dockerfile into the OCI archive
// dist/image/dd-admission-webhook.oci.tar (and dist/image/build.json, what was built and how),
// then prints the image's name, digest and size.
//  - docker or podman, when its engine answers (`docker info` / `podman info`): the plain build;
//  - otherwise buildah (root; installed with apt-get when missing), with the real base images
//    when they are in its storage or can be pulled, else stand-ins made from Debian packages
//    and npm's Node.js (scripts/image/stand-in-bases.sh; docs/server.md says what differs).
// IMAGE_ENGINE=docker|podman|buildah forces an engine. Behind a TLS-intercepting proxy, the
// CA file of NODE_EXTRA_CA_CERTS (or npm's cafile) is given to the build as a secret; a
// non-default npm registry is passed on as npm_config_registry; IMAGE_NPMRC=<file> mounts an
// npm user config (credentials) as a secret. Secrets never end up in a layer.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTools, ToolsError } from './tools.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DOCKERFILE = 'packages/server-node/Dockerfile';
const IGNOREFILE = 'packages/server-node/Dockerfile.dockerignore';
const ARCHIVE = 'dist/image/dd-admission-webhook.oci.tar';
const REPORT = 'dist/image/build.json';
const STAND_IN_LABEL = 'dd-admission.stand-in';

/** A build step failed or cannot run here; the message says which and why. */
class ImageError extends Error {}

async function main() {
  const version = JSON.parse(readFileSync(join(root, 'packages/server-node/package.json'), 'utf8')).version;
  const name = `dd-admission-webhook:${version}`;
  const bases = baseImages();
  const proxy = proxySettings();
  const build = {
    name,
    args: { VERSION: version, REVISION: git(['rev-parse', 'HEAD']) ?? 'unknown', SOURCE: sourceUrl(), ...bases, ...proxy.args },
    secrets: proxy.secrets,
  };
  const engine = chooseEngine();
  console.error(`Building ${name} with ${engine.name}: ${engine.why}.`);
  for (const line of proxy.notes) console.error(line);
  mkdirSync(join(root, 'dist/image'), { recursive: true });
  rmSync(join(root, ARCHIVE), { force: true });
  const baseNotes = engine.build(build);
  await report(name, engine.name, baseNotes, proxy.caFile);
}

/** The FROM images: the Dockerfile's ARG defaults, or NODE_IMAGE / RUNTIME_IMAGE from the environment. */
function baseImages() {
  const text = readFileSync(join(root, DOCKERFILE), 'utf8');
  const arg = (key) => process.env[key] || new RegExp(`^ARG ${key}=(\\S+)$`, 'm').exec(text)?.[1];
  const images = { NODE_IMAGE: arg('NODE_IMAGE'), RUNTIME_IMAGE: arg('RUNTIME_IMAGE') };
  if (!images.NODE_IMAGE || !images.RUNTIME_IMAGE) throw new ImageError(`${DOCKERFILE} lost its ARG NODE_IMAGE=... / ARG RUNTIME_IMAGE=... lines`);
  return images;
}

/** What a machine behind a TLS-intercepting proxy or a registry mirror needs to pass to the build. */
function proxySettings() {
  const npmConfig = (key) => {
    const value = run('npm', ['config', 'get', key], { quiet: true })?.trim();
    return value && value !== 'null' && value !== 'undefined' ? value : undefined;
  };
  const configuredCa = process.env.NODE_EXTRA_CA_CERTS || npmConfig('cafile');
  const caFile = configuredCa && existsSync(configuredCa) ? configuredCa : undefined;
  const registry = process.env.npm_config_registry || npmConfig('registry');
  const secrets = [];
  const args = {};
  const notes = [];
  if (configuredCa && !caFile) notes.push(`No CA given to the build: ${configuredCa} (NODE_EXTRA_CA_CERTS or npm's cafile) does not exist.`);
  if (caFile) {
    secrets.push({ id: 'npm-ca', src: caFile });
    notes.push(`The build trusts the CAs of ${caFile} (NODE_EXTRA_CA_CERTS or npm's cafile), mounted as a secret: not stored in the image.`);
  }
  if (registry && !/^https:\/\/registry\.npmjs\.org\/?$/.test(registry)) {
    args.npm_config_registry = registry;
    notes.push(`The build installs from the npm registry ${registry}.`);
  }
  if (process.env.IMAGE_NPMRC) secrets.push({ id: 'npmrc', src: process.env.IMAGE_NPMRC });
  return { secrets, args, notes, caFile };
}

/** The repository's address for the source label: the `origin` remote when it is a network URL. */
function sourceUrl() {
  const origin = git(['remote', 'get-url', 'origin']);
  if (!origin) return 'unknown';
  if (/^https?:\/\//.test(origin)) return origin.replace(/\.git$/, '');
  const scp = /^(?:ssh:\/\/)?git@([^:/]+)[:/](.+?)(?:\.git)?$/.exec(origin);
  return scp ? `https://${scp[1]}/${scp[2]}` : 'unknown';
}

function git(args) {
  return run('git', args, { quiet: true })?.trim() || undefined;
}

/** docker or podman with a working engine, else buildah (as root). */
function chooseEngine() {
  const forced = process.env.IMAGE_ENGINE;
  if (forced && !ENGINES[forced]) throw new ImageError(`IMAGE_ENGINE=${forced}: expected docker, podman or buildah`);
  const engine = forced ? { name: forced, why: 'IMAGE_ENGINE says so' } : (['docker', 'podman'].map(answering).find(Boolean) ?? { name: 'buildah', why: 'neither `docker info` nor `podman info` answers (no container engine here)' });
  if (engine.name === 'buildah' && process.getuid?.() !== 0) {
    throw new ImageError('without docker or podman the image is built with buildah, which needs root here (chroot isolation, debootstrap for the stand-in bases): run as root, or with a container engine');
  }
  return { ...engine, build: ENGINES[engine.name] };
}

function answering(name) {
  return run(name, ['info'], { quiet: true }) === undefined ? undefined : { name, why: `\`${name} info\` answers` };
}

const buildFlags = (build) => [
  ...Object.entries(build.args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
  ...build.secrets.flatMap((s) => ['--secret', `id=${s.id},src=${s.src}`]),
];

const ENGINES = {
  docker(build) {
    // BuildKit reads Dockerfile.dockerignore beside the Dockerfile; Docker 25+ saves an OCI layout.
    must('docker', ['build', '-f', DOCKERFILE, '-t', build.name, ...buildFlags(build), '.'], { DOCKER_BUILDKIT: '1' });
    must('docker', ['save', '-o', ARCHIVE, build.name]);
    return pulledBy('docker', build);
  },
  podman(build) {
    must('podman', ['build', '-f', DOCKERFILE, '--ignorefile', IGNOREFILE, '-t', build.name, ...buildFlags(build), '.']);
    must('podman', ['save', '--format', 'oci-archive', '-o', ARCHIVE, build.name]);
    return pulledBy('podman', build);
  },
  buildah(build) {
    ensureTools(['buildah', 'debootstrap', 'dpkg-deb'], 'to build the image without a container engine (buildah; debootstrap for stand-in base images)');
    // vfs: no overlay filesystem needed; chroot: RUN steps need no cgroups of their own.
    process.env.STORAGE_DRIVER ||= 'vfs';
    process.env.BUILDAH_ISOLATION ||= 'chroot';
    const notes = ensureBases([build.args.NODE_IMAGE, build.args.RUNTIME_IMAGE]);
    must('buildah', ['bud', '--pull=never', '--identity-label=false', '-f', DOCKERFILE, '--ignorefile', IGNOREFILE, '-t', build.name, ...buildFlags(build), '.']);
    must('buildah', ['push', '--quiet', build.name, `oci-archive:${ARCHIVE}:${build.name}`]);
    return notes;
  },
};

const pulledBy = (engine, build) => ({ [build.args.NODE_IMAGE]: `as ${engine} has it`, [build.args.RUNTIME_IMAGE]: `as ${engine} has it` });

/** Each base from buildah's storage, else pulled, else (for all missing) a stand-in; returns what each base is. */
function ensureBases(images) {
  const missing = images.filter((image) => run('buildah', ['inspect', '--type', 'image', image], { quiet: true }) === undefined && !pull(image));
  if (missing.length > 0) {
    console.error(`Cannot pull ${missing.join(' and ')}: making stand-ins from Debian 12 packages and the Node.js of the npm registry (scripts/image/stand-in-bases.sh).`);
    console.error('They differ from the real images: built now from the current Debian 12 packages and the newest Node.js of that major line, not the images\' own pinned versions; no package metadata (dpkg status); the build base lacks yarn and docker-entrypoint.sh.');
    must('bash', ['scripts/image/stand-in-bases.sh', images[0], images[1], join(root, '.cache/image/stand-in')]);
  }
  return Object.fromEntries(images.map((image) => [image, standInLabel(image) ? `stand-in: ${standInLabel(image)}` : 'as pulled']));
}

function pull(image) {
  console.error(`${image} is not in buildah's storage: pulling it.`);
  return run('buildah', ['pull', '--quiet', '--retry', '0', image], { quiet: true }) !== undefined;
}

function standInLabel(image) {
  const inspected = run('buildah', ['inspect', '--type', 'image', '--format', `{{ index .OCIv1.Config.Labels "${STAND_IN_LABEL}" }}`, image], { quiet: true });
  return inspected?.trim() || undefined;
}

/** Writes dist/image/build.json and prints the name, digest and sizes. */
async function report(name, engine, bases, caFile) {
  const { extractOciArchive, imageSizes } = await import(new URL('../../packages/testing/dist/index.js', import.meta.url).href).catch(() => {
    throw new ImageError('packages/testing/dist is missing: run the install (it builds the packages) first');
  });
  const layout = mkdtempSync(join(tmpdir(), 'dd-admission-image-'));
  try {
    const image = await extractOciArchive(join(root, ARCHIVE), layout);
    const sizes = await imageSizes(image);
    const built = { name, digest: image.manifestDigest, archive: ARCHIVE, engine, bases, sizes, ...(caFile ? { caFile } : {}) };
    writeFileSync(join(root, REPORT), `${JSON.stringify(built, null, 2)}\n`);
    const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
    console.log(`Image ${name}`);
    console.log(`  digest   ${image.manifestDigest}`);
    console.log(`  size     ${mb(sizes.compressed)} compressed, ${mb(sizes.unpacked)} unpacked`);
    console.log(`  archive  ${ARCHIVE}`);
    for (const [base, what] of Object.entries(built.bases)) console.log(`  base     ${base}: ${what}`);
  } finally {
    rmSync(layout, { recursive: true, force: true });
  }
}

/** Runs a command; its stdout, or undefined when it cannot run or fails. */
function run(command, args, { quiet = false } = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', quiet ? 'ignore' : 'inherit'] });
  return result.status === 0 ? result.stdout : undefined;
}

/** Runs a build step with its output shown; throws naming the step when it fails. */
function must(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  if (result.error) throw new ImageError(`cannot run ${command}: ${result.error.message}`);
  if (result.status !== 0) throw new ImageError(`\`${command} ${args.slice(0, 2).join(' ')} ...\` failed (exit ${result.status ?? result.signal}); its output is above`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    if (!(error instanceof ImageError || error instanceof ToolsError)) throw error;
    console.error(`pnpm image: ${error.message}`);
    process.exit(1);
  });
}
