/**
 * Writes one blob into containerd's content store over the content.Write stream: STAT, WRITE
 * chunks at increasing offsets, then COMMIT with the expected digest and total size (and the
 * blob's labels). A blob that is already present ends the stream with ALREADY_EXISTS (seen in
 * the answer to STAT when the digest is known, else at COMMIT), which counts as success. The digest is computed while streaming, so a source that differs from
 * what it claims to be fails before COMMIT.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { ContainerdClient, ContainerdMessage } from './client.ts';

export interface BlobSource {
  /** containerd's ingest ref; one writer per ref at a time. */
  ref: string;
  size: number;
  /** The digest the data must have; when absent, whatever the data hashes to. */
  expected?: string;
  labels?: Record<string, string>;
  chunks: AsyncIterable<Buffer>;
}

export interface WriteResult {
  digest: string;
  /** false when containerd already had the blob. */
  written: boolean;
}

export class DigestMismatchError extends Error {
  constructor(ref: string, expected: string, actual: string) {
    super(`${ref}: content is ${actual}, expected ${expected}`);
    this.name = 'DigestMismatchError';
  }
}

export async function writeBlob(
  client: ContainerdClient,
  lease: string,
  src: BlobSource,
): Promise<WriteResult> {
  const call = client.contentWrite({ lease });
  let failure: ServiceError | undefined;
  let onResponse: (() => void) | undefined;
  call.on('data', () => onResponse?.());
  const finished = new Promise<void>((resolve) => {
    call.on('error', (err: ServiceError) => {
      failure = err;
      resolve();
    });
    call.on('status', (st: { code: number; details: string }) => {
      if (st.code !== grpcStatus.OK) failure ??= Object.assign(new Error(st.details), st) as ServiceError;
      resolve();
    });
  });
  const hash = createHash('sha256');
  let offset = 0;
  let digest = src.expected ?? '';
  const send = async (msg: ContainerdMessage) => {
    if (failure) return;
    if (!call.write(msg)) await Promise.race([once(call, 'drain'), finished]);
  };
  try {
    // The STAT answer says whether the blob is already there (ALREADY_EXISTS) before any data goes.
    const statAnswer = new Promise<void>((resolve) => {
      onResponse = resolve;
    });
    await send({ action: 'STAT', ref: src.ref, total: src.size, expected: src.expected ?? '' });
    await Promise.race([statAnswer, finished]);
    onResponse = undefined;
    for await (const chunk of src.chunks) {
      if (failure) break;
      hash.update(chunk);
      await send({ action: 'WRITE', ref: src.ref, offset, data: chunk });
      offset += chunk.length;
    }
    if (!failure) {
      const actual = `sha256:${hash.digest('hex')}`;
      if (offset !== src.size) throw new Error(`${src.ref}: read ${offset} bytes, expected ${src.size}`);
      if (src.expected && src.expected !== actual)
        throw new DigestMismatchError(src.ref, src.expected, actual);
      digest = actual;
      await send({
        action: 'COMMIT',
        ref: src.ref,
        offset,
        total: src.size,
        expected: digest,
        labels: src.labels ?? {},
      });
      call.end();
      await finished;
      if (!failure) return { digest, written: true };
    }
  } catch (err) {
    call.cancel();
    throw err;
  }
  await finished;
  if (failure?.code === grpcStatus.ALREADY_EXISTS) return { digest, written: false };
  throw failure;
}
