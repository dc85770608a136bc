/**
 * Reads a docker-archive tarball (`docker save`, scripts/build-images.sh) without loading its
 * layers: manifest.json, each image's config and its layers' places in the file, the names
 * (RepoTags, normalized: `busybox:latest` → docker.io/library/busybox:latest) and each layer's
 * media type by its first bytes. gzip or zstd compressed archives are first decompressed to a
 * temporary file. Everything is checked before anything is written anywhere, so a damaged
 * archive fails with a message that says what is wrong.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { findFile, indexTar, readEntry, type TarEntry } from '../containerd/tar.ts';
import { normalizeImageRef } from './reference.ts';

export const MEDIA_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MEDIA_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const MEDIA_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';
export const MEDIA_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const MEDIA_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

export interface ArchiveLayer {
  entry: TarEntry;
  mediaType: string;
  /** The blob digest when known without hashing (an uncompressed layer's is its diff_id). */
  digest: string;
  size: number;
}

export interface ArchiveImage {
  /** Normalized names from RepoTags. */
  names: string[];
  config: Buffer;
  configDigest: string;
  layers: ArchiveLayer[];
}

export interface DockerArchive {
  /** The plain tar the entries point into (the original file or a decompressed copy). */
  tar: string;
  images: ArchiveImage[];
  /** Removes the decompressed copy, if any. */
  cleanup(): Promise<void>;
}

interface ManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
const isZstd = (b: Buffer) => b.length >= 4 && b.readUInt32LE(0) === 0xfd2fb528;

async function head(path: string, offset: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function plainTar(path: string): Promise<{ tar: string; cleanup: () => Promise<void> }> {
  const magic = await head(path, 0, 4);
  const gzip = isGzip(magic);
  if (!gzip && !isZstd(magic)) return { tar: path, cleanup: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'skiff-import-'));
  const tar = join(dir, 'image.tar');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await pipeline(
      createReadStream(path),
      gzip ? createGunzip() : createZstdDecompress(),
      createWriteStream(tar),
    );
  } catch (err) {
    await cleanup();
    throw new Error(`cannot decompress (${gzip ? 'gzip' : 'zstd'}): ${(err as Error).message}`);
  }
  return { tar, cleanup };
}

function parseManifest(raw: Buffer): ManifestEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new Error(`manifest.json is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error('manifest.json lists no images');
  for (const m of parsed as ManifestEntry[]) {
    if (typeof m?.Config !== 'string' || !Array.isArray(m.Layers)) {
      throw new Error('manifest.json entry lacks Config or Layers');
    }
  }
  return parsed as ManifestEntry[];
}

async function readImage(
  tar: string,
  entries: Map<string, TarEntry>,
  m: ManifestEntry,
): Promise<ArchiveImage> {
  const configEntry = findFile(entries, m.Config);
  if (!configEntry) throw new Error(`config ${m.Config} named in manifest.json is missing`);
  const config = await readEntry(tar, configEntry);
  let diffIds: unknown;
  try {
    diffIds = JSON.parse(config.toString('utf8'))?.rootfs?.diff_ids;
  } catch {
    throw new Error(`config ${m.Config} is not JSON`);
  }
  if (!Array.isArray(diffIds) || diffIds.length !== m.Layers.length) {
    const n = Array.isArray(diffIds) ? diffIds.length : 'no';
    throw new Error(`config ${m.Config} has ${n} diff_ids for ${m.Layers.length} layers`);
  }
  const layers: ArchiveLayer[] = [];
  for (const [i, path] of m.Layers.entries()) {
    const entry = findFile(entries, path);
    if (!entry) throw new Error(`layer ${path} named in manifest.json is missing`);
    const magic = await head(tar, entry.offset, Math.min(4, entry.size));
    const mediaType = isGzip(magic) ? MEDIA_LAYER_GZIP : isZstd(magic) ? MEDIA_LAYER_ZSTD : MEDIA_LAYER;
    const diffId = String(diffIds[i]);
    if (!/^sha256:[0-9a-f]{64}$/.test(diffId))
      throw new Error(`config ${m.Config} has a bad diff_id "${diffId}"`);
    layers.push({ entry, mediaType, digest: mediaType === MEDIA_LAYER ? diffId : '', size: entry.size });
  }
  const names = (m.RepoTags ?? []).map((t) => normalizeImageRef(t));
  return {
    names,
    config,
    configDigest: `sha256:${createHash('sha256').update(config).digest('hex')}`,
    layers,
  };
}

/** Opens and checks the archive at `path`; call `cleanup()` when done with it. */
export async function readDockerArchive(path: string): Promise<DockerArchive> {
  const { tar, cleanup } = await plainTar(path);
  try {
    const entries = await indexTar(tar);
    const manifestEntry = findFile(entries, 'manifest.json');
    if (!manifestEntry) throw new Error('not a docker-archive: no manifest.json');
    const images: ArchiveImage[] = [];
    for (const m of parseManifest(await readEntry(tar, manifestEntry)))
      images.push(await readImage(tar, entries, m));
    if (images.every((i) => i.names.length === 0))
      throw new Error('the archive names no image (RepoTags is empty)');
    return { tar, images, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** The Docker v2 manifest of an image whose layer digests are all known. */
export function dockerManifest(image: ArchiveImage, layerDigests: string[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_MANIFEST,
      config: { mediaType: MEDIA_CONFIG, digest: image.configDigest, size: image.config.length },
      layers: image.layers.map((l, i) => ({ mediaType: l.mediaType, digest: layerDigests[i], size: l.size })),
    }),
  );
}
