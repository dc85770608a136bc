/**
 * Imports a docker-archive tarball (`docker save`, scripts/build-images.sh; plain, gzip or zstd)
 * into containerd through its own API, the way `ctr images import` does, since containerd 1.6
 * has no import RPC: under a lease, the config and layer blobs go into the content store, then
 * a Docker v2 manifest that refers to them (with the gc.ref labels that keep them alive), then
 * one image record per RepoTag pointing at the manifest, labelled pinned for CRI. CRI learns of
 * the records from containerd's events a moment later, so the import waits until CRI
 * ImageStatus shows them (else a RunPodSandbox right after would try to pull the pause image);
 * CRI unpacks them on first use. Blobs already present are not sent again, so a re-import costs
 * a few metadata calls. The archive is checked in full before anything is written.
 */
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { CriClient } from '../cri/client.ts';
import {
  type DockerArchive,
  dockerManifest,
  MEDIA_MANIFEST,
  readDockerArchive,
} from '../images/docker-archive.ts';
import { ContainerdClient } from './api/client.ts';
import { writeBlob } from './api/content-write.ts';
import { entryChunks } from './tar.ts';

export {
  MEDIA_CONFIG,
  MEDIA_LAYER,
  MEDIA_LAYER_GZIP,
  MEDIA_LAYER_ZSTD,
  MEDIA_MANIFEST,
} from '../images/docker-archive.ts';
export const PINNED_LABEL = 'io.cri-containerd.pinned';

export interface ImportOptions {
  /** containerd namespace; CRI's is k8s.io. */
  namespace?: string;
  /** Label the images `io.cri-containerd.pinned: pinned` (kept by image GC); default true. */
  pinned?: boolean;
  /** An open client to reuse instead of connecting to `endpoint`. */
  client?: ContainerdClient;
  /**
   * Wait until CRI's ImageStatus reports each image (CRI learns of new image records from
   * containerd's events, a moment later): the CRI image service to ask, or false not to wait.
   * Default: a CRI client on `endpoint` when the namespace is k8s.io.
   */
  cri?: CriImageStatus | false;
  /** How long to wait for CRI; default 10 s. */
  criWaitMs?: number;
}

/** The one CRI call the importer makes. */
export interface CriImageStatus {
  // biome-ignore lint/suspicious/noExplicitAny: CRI messages are plain objects from proto-loader.
  imageStatus(req: { image: { image: string } }, opts?: { timeoutMs?: number }): Promise<any>;
}

export interface ImportedImage {
  /** Normalized name: docker.io/library/busybox:latest. */
  name: string;
  manifestDigest: string;
  configDigest: string;
  /** created, updated (pointed elsewhere before) or unchanged. */
  action: 'created' | 'updated' | 'unchanged';
}

export interface ImportResult {
  images: ImportedImage[];
  /** Blobs sent to containerd (0 when everything was already there). */
  blobsWritten: number;
  bytesWritten: number;
}

export class ImageImportError extends Error {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`import ${path}: ${message}`, options);
    this.name = 'ImageImportError';
    this.path = path;
  }
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

function describe(err: unknown): string {
  const e = err as Partial<ServiceError>;
  if (typeof e?.code === 'number' && e.details !== undefined) return `${grpcStatus[e.code]}: ${e.details}`;
  return (err as Error)?.message ?? String(err);
}

/** Imports every image of the docker-archive at `tarPath`. Throws ImageImportError. */
export async function importImageTarball(
  endpoint: string,
  tarPath: string,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const namespace = opts.namespace ?? 'k8s.io';
  const client = opts.client ?? new ContainerdClient(endpoint, namespace);
  let archive: DockerArchive | undefined;
  let ownCri: CriClient | undefined;
  try {
    archive = await readDockerArchive(tarPath);
    const result = await importArchive(client, archive, opts.pinned ?? true);
    let cri = opts.cri;
    if (cri === undefined && namespace === 'k8s.io') {
      ownCri = await CriClient.connect(endpoint, { waitMs: 0 });
      cri = ownCri.image;
    }
    if (cri) await waitForCri(cri, result.images, opts.criWaitMs ?? 10_000);
    return result;
  } catch (err) {
    if (err instanceof ImageImportError) throw err;
    throw new ImageImportError(tarPath, describe(err), { cause: err });
  } finally {
    await archive?.cleanup();
    ownCri?.close();
    if (!opts.client) client.close();
  }
}

/** Polls CRI ImageStatus until every image shows with its config digest as id. */
async function waitForCri(cri: CriImageStatus, images: ImportedImage[], waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (const img of images) {
    for (;;) {
      const st = await cri.imageStatus({ image: { image: img.name } }, { timeoutMs: 10_000 });
      if (st?.image?.id === img.configDigest) break;
      if (Date.now() > deadline) {
        throw new Error(
          `containerd's CRI plugin did not see ${img.name} (${img.configDigest}) within ${waitMs} ms`,
        );
      }
      await sleep(20);
    }
  }
}

async function importArchive(
  client: ContainerdClient,
  archive: DockerArchive,
  pinned: boolean,
): Promise<ImportResult> {
  const lease = `skiff-import-${Date.now()}-${randomBytes(4).toString('hex')}`;
  const expire = new Date(Date.now() + 60 * 60_000).toISOString();
  await client.leases.create({ id: lease, labels: { 'containerd.io/gc.expire': expire } });
  const result: ImportResult = { images: [], blobsWritten: 0, bytesWritten: 0 };
  const put = async (digest: string, size: number, chunks: () => AsyncIterable<Buffer>, labels = {}) => {
    if (digest && (await present(client, lease, digest))) return digest;
    const w = await writeBlob(client, lease, {
      ref: `skiff-import-${digest || randomBytes(8).toString('hex')}`,
      size,
      ...(digest ? { expected: digest } : {}),
      labels,
      chunks: chunks(),
    });
    if (w.written) {
      result.blobsWritten++;
      result.bytesWritten += size;
    }
    return w.digest;
  };
  const bytes = (b: Buffer) =>
    async function* () {
      yield b;
    };
  try {
    for (const image of archive.images) {
      await put(image.configDigest, image.config.length, bytes(image.config));
      const layerDigests: string[] = [];
      for (const layer of image.layers) {
        // An uncompressed layer's digest is known (its diff_id); a compressed one's is learnt by hashing.
        layerDigests.push(await put(layer.digest, layer.size, () => entryChunks(archive.tar, layer.entry)));
      }
      const manifest = dockerManifest(image, layerDigests);
      const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
      const gcLabels: Record<string, string> = { 'containerd.io/gc.ref.content.config': image.configDigest };
      layerDigests.forEach((d, i) => {
        gcLabels[`containerd.io/gc.ref.content.l.${i}`] = d;
      });
      await put(manifestDigest, manifest.length, bytes(manifest), gcLabels);

      const target = {
        mediaType: MEDIA_MANIFEST,
        digest: manifestDigest,
        size: manifest.length,
        annotations: {},
      };
      for (const name of image.names) {
        const action = await putImage(client, lease, name, target, pinned);
        result.images.push({ name, manifestDigest, configDigest: image.configDigest, action });
      }
    }
    return result;
  } finally {
    await client.leases.delete({ id: lease }).catch(() => {});
  }
}

/** Whether containerd has the blob; if so the lease takes a reference to it. */
async function present(client: ContainerdClient, lease: string, digest: string): Promise<boolean> {
  try {
    await client.content.info({ digest });
  } catch (err) {
    if ((err as ServiceError).code === grpcStatus.NOT_FOUND) return false;
    throw err;
  }
  await client.leases.addResource({ id: lease, resource: { id: digest, type: 'content' } });
  return true;
}

async function putImage(
  client: ContainerdClient,
  lease: string,
  name: string,
  target: Descriptor & { annotations: Record<string, string> },
  pinned: boolean,
): Promise<ImportedImage['action']> {
  let existing: { target?: Descriptor; labels?: Record<string, string> } | undefined;
  try {
    existing = (await client.images.get({ name })).image;
  } catch (err) {
    if ((err as ServiceError).code !== grpcStatus.NOT_FOUND) throw err;
  }
  const labels: Record<string, string> = { ...(existing?.labels ?? {}) };
  if (pinned) labels[PINNED_LABEL] = 'pinned';
  const image = { name, labels, target };
  if (!existing) {
    try {
      await client.images.create({ image }, { lease });
      return 'created';
    } catch (err) {
      if ((err as ServiceError).code !== grpcStatus.ALREADY_EXISTS) throw err;
    }
  } else if (
    existing.target?.digest === target.digest &&
    (!pinned || existing.labels?.[PINNED_LABEL] === 'pinned')
  ) {
    return 'unchanged';
  }
  await client.images.update({ image }, { lease });
  return 'updated';
}
