import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { watchProcess, type WatchedProcess } from '../process-lines.js';
import type { OciImage } from './archive.js';

// An image run as a kubelet runs the webhook's pod, without a container engine: umoci
// unpacks the image into a runtime bundle (its entrypoint, user, environment and working
// directory become the process), and runc starts it with the root filesystem read-only,
// a tmpfs /tmp, no capabilities and no new privileges. There is no network namespace:
// the container shares the host's loopback, where the tests and the API double listen.

const exec = promisify(execFile);

/** The part of an OCI runtime spec (config.json) that the runs change or the tests read. */
export interface RuntimeSpec {
  process: { user: { uid: number; gid: number }; args: string[]; env: string[]; cwd: string; terminal?: boolean; capabilities?: Record<string, string[]>; noNewPrivileges?: boolean };
  root: { path: string; readonly?: boolean };
  mounts: { destination: string; type: string; source: string; options?: string[] }[];
  linux: { namespaces: { type: string }[] };
  [key: string]: unknown;
}

/** An image unpacked once, run as many times as needed. */
export interface UnpackedImage {
  rootfs: string;
  /** The spec umoci derived from the image configuration. */
  spec: RuntimeSpec;
  /** The image's entrypoint, which every run keeps. */
  entrypoint: readonly string[];
}

/** Unpacks the image into `dir`/bundle with umoci. */
export async function unpackImage(image: OciImage, dir: string): Promise<UnpackedImage> {
  const bundle = join(dir, 'bundle');
  const ref = image.ref ?? image.manifestDigest;
  await exec('umoci', ['unpack', '--image', `${image.layout}:${ref}`, bundle], { maxBuffer: 16 * 1024 * 1024 });
  const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as RuntimeSpec;
  return { rootfs: join(bundle, 'rootfs'), spec, entrypoint: image.config.Entrypoint ?? [] };
}

export interface ContainerOptions {
  /** Arguments after the image's entrypoint (replacing its command). */
  args: readonly string[];
  /** Added to the image's environment. */
  env?: Readonly<Record<string, string>>;
  /** Host files or folders mounted read-only at `destination`. */
  binds?: readonly { source: string; destination: string }[];
  /** Where this run's bundle (config.json) is written. */
  dir: string;
}

/** A started container: its output lines, its exit, and the means to signal and remove it. */
export interface RunningContainer extends WatchedProcess {
  id: string;
  /** The spec it was started with. */
  spec: RuntimeSpec;
  /** Sends a signal to the container's first process (`runc kill`). */
  signal(signal: 'TERM' | 'INT' | 'KILL'): Promise<void>;
  /** Stops it if still running and deletes its runc state. */
  remove(): Promise<void>;
}

/** Starts the image's entrypoint with `args`, as described above. */
export async function runContainer(image: UnpackedImage, options: ContainerOptions): Promise<RunningContainer> {
  const spec = containerSpec(image, options);
  await mkdir(options.dir, { recursive: true });
  await writeFile(join(options.dir, 'config.json'), JSON.stringify(spec, null, 2));
  const id = `dd-admission-${randomUUID().slice(0, 8)}`;
  const child = spawn('runc', ['run', '--bundle', options.dir, id], { stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    ...watchProcess(child),
    id,
    spec,
    signal: async (signal) => {
      await exec('runc', ['kill', id, signal]);
    },
    remove: async () => {
      await exec('runc', ['delete', '--force', id]).catch(() => undefined);
    },
  };
}

/** The image's spec, hardened as the Deployment runs it, with this run's arguments, environment and mounts. */
function containerSpec(image: UnpackedImage, options: Omit<ContainerOptions, 'dir'>): RuntimeSpec {
  const base = image.spec;
  const none = { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] };
  return {
    ...base,
    process: {
      ...base.process,
      terminal: false,
      args: [...image.entrypoint, ...options.args],
      env: [...base.process.env, ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`)],
      capabilities: none,
      noNewPrivileges: true,
    },
    root: { path: image.rootfs, readonly: true },
    mounts: [
      ...base.mounts,
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', 'size=16m'] },
      ...(options.binds ?? []).map((b) => ({ destination: b.destination, type: 'bind', source: b.source, options: ['bind', 'ro'] })),
    ],
    linux: { ...base.linux, namespaces: base.linux.namespaces.filter((n) => n.type !== 'network') },
  };
}
