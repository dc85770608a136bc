import type { Duplex } from 'node:stream';
import { encodeFrame, type Frame } from './frames.ts';
import { HeaderCompressor, type SpdyHeaders } from './headers.ts';

/**
 * The sending half of a SPDY session: frames leave in the order they were queued, although
 * building one may wait (header compression is asynchronous), and a full socket holds the
 * queue until it drains.
 */
export class FrameWriter {
  private readonly socket: Duplex;
  private readonly compressor = new HeaderCompressor();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(socket: Duplex) {
    this.socket = socket;
  }

  /** Queues a frame; failures (the session ended) are nobody's business. */
  send(frame: Frame): void {
    this.enqueue(() => encodeFrame(frame)).catch(() => undefined);
  }

  /** Queues a frame built when its turn comes; resolves once written (rejects if it cannot be). */
  enqueue(build: () => Buffer | Promise<Buffer>): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.closed) throw new Error('SPDY connection is closed');
      const bytes = await build();
      if (!this.socket.writable) throw new Error('SPDY connection is closed');
      if (!this.socket.write(bytes)) await this.drained();
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** A header block compressed with this direction's shared zlib context (call from a build). */
  compress(headers: SpdyHeaders): Promise<Buffer> {
    return this.compressor.compress(headers);
  }

  /** Resolves once everything queued so far has been written (or failed). */
  idle(): Promise<void> {
    return this.chain;
  }

  close(): void {
    this.closed = true;
    this.compressor.close();
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }
}
