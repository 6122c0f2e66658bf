import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';

// An OCI image archive (an image layout in one tar, as `buildah push oci-archive:`,
// `podman save --format oci-archive` and Docker 25+'s `docker save` write it): its
// manifest, configuration and layers, for the image's checks and its build report.

const descriptorSchema = z.object({ mediaType: z.string(), digest: z.string(), size: z.number(), annotations: z.record(z.string(), z.string()).optional() });
const indexSchema = z.object({ manifests: z.array(descriptorSchema).min(1) });
const manifestSchema = z.object({ config: descriptorSchema, layers: z.array(descriptorSchema) });
const imageConfigSchema = z.object({
  config: z
    .object({
      User: z.string().optional(),
      ExposedPorts: z.record(z.string(), z.object({})).optional(),
      Env: z.array(z.string()).optional(),
      Entrypoint: z.array(z.string()).nullish(),
      Cmd: z.array(z.string()).nullish(),
      WorkingDir: z.string().optional(),
      Labels: z.record(z.string(), z.string()).nullish(),
    })
    .default({}),
});

/** The runtime part of an image's configuration (user, ports, entrypoint, labels...). */
export type ImageRuntimeConfig = z.infer<typeof imageConfigSchema>['config'];
type Descriptor = z.infer<typeof descriptorSchema>;

/** An image layout extracted from an archive. */
export interface OciImage {
  /** The extracted layout folder (index.json, blobs/). */
  layout: string;
  /** The reference the index names the image by (`org.opencontainers.image.ref.name`), if any. */
  ref?: string;
  manifestDigest: string;
  layers: Descriptor[];
  config: ImageRuntimeConfig;
}

/** The archive is not an OCI image layout we can read. */
export class OciArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OciArchiveError';
  }
}

/** Extracts an OCI archive into `dir` (created when missing) and reads its first image. */
export async function extractOciArchive(archive: string, dir: string): Promise<OciImage> {
  await mkdir(dir, { recursive: true });
  await promisify(execFile)('tar', ['-xf', archive, '-C', dir]).catch((error: Error) => {
    throw new OciArchiveError(`cannot extract ${archive}: ${error.message}`);
  });
  const index = indexSchema.parse(await readJson(dir, 'index.json', archive));
  const entry = index.manifests[0]!;
  const manifest = manifestSchema.parse(await readJson(dir, blobPath(entry.digest), archive));
  const config = imageConfigSchema.parse(await readJson(dir, blobPath(manifest.config.digest), archive)).config;
  const ref = entry.annotations?.['org.opencontainers.image.ref.name'];
  return { layout: dir, ...(ref ? { ref } : {}), manifestDigest: entry.digest, layers: manifest.layers, config };
}

async function readJson(dir: string, path: string, archive: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(join(dir, path), 'utf8'));
  } catch (error) {
    throw new OciArchiveError(`${archive} has no readable ${path}: ${(error as Error).message}`);
  }
}

/** Where a blob lives in a layout. */
export function blobPath(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return join('blobs', algorithm!, hex!);
}

/** The bytes of one layer as a tar stream (gunzipped when compressed). */
export function layerStream(image: OciImage, layer: Descriptor): NodeJS.ReadableStream {
  const raw = createReadStream(join(image.layout, blobPath(layer.digest)));
  return layer.mediaType.endsWith('gzip') ? raw.pipe(createGunzip()) : raw;
}

/** Sizes in bytes: `compressed` as a registry stores the layers, `unpacked` as a node stores them. */
export async function imageSizes(image: OciImage): Promise<{ compressed: number; unpacked: number }> {
  let unpacked = 0;
  for (const layer of image.layers) {
    for await (const chunk of layerStream(image, layer)) unpacked += (chunk as Buffer).length;
  }
  return { compressed: image.layers.reduce((n, l) => n + l.size, 0), unpacked };
}

/** The layers (by digest) whose bytes contain any of `needles`. */
export async function layersContaining(image: OciImage, needles: readonly string[]): Promise<string[]> {
  if (needles.length === 0) return [];
  const found: string[] = [];
  const keep = Math.max(...needles.map((n) => Buffer.byteLength(n))) - 1;
  for (const layer of image.layers) {
    // Consecutive chunks overlap by the longest needle, so a match across a chunk border is seen.
    let tail = Buffer.alloc(0);
    for await (const chunk of layerStream(image, layer)) {
      const window = Buffer.concat([tail, chunk as Buffer]);
      if (needles.some((n) => window.includes(n))) {
        found.push(layer.digest);
        break;
      }
      tail = window.subarray(Math.max(0, window.length - keep));
    }
  }
  return found;
}
