import { Duplex } from 'node:stream';
import type { SpdyHeaders } from './headers.ts';

/** What a stream needs from its connection; kept narrow so the two files stay apart. */
export interface StreamOwner {
  sendData(stream: SpdyStream, data: Buffer, fin: boolean): Promise<void>;
  sendReply(stream: SpdyStream, headers: SpdyHeaders, fin: boolean): Promise<void>;
  sendReset(stream: SpdyStream, status: number): void;
  consumed(stream: SpdyStream): void;
  streamClosed(stream: SpdyStream): void;
}

/**
 * One SPDY stream as a Node Duplex: writes become DATA frames, end() sends FIN, received DATA
 * is readable, the peer's FIN ends the readable side. `headers` are the SYN_STREAM headers
 * (for a stream the peer opened) or the ones this side sent.
 */
export class SpdyStream extends Duplex {
  readonly id: number;
  readonly headers: SpdyHeaders;
  replyHeaders: SpdyHeaders | undefined;
  /** RST_STREAM status received from the peer, if it reset the stream. */
  resetStatus: number | undefined;
  /** Reset by the peer or cut off with the session: not a clean end. */
  aborted = false;
  /** Set when this side's FIN went out, and when the peer's arrived. */
  localFin = false;
  remoteFin = false;
  /** Send window (only enforced when the connection says so) and bytes not yet acknowledged. */
  sendWindow: number;
  unacked = 0;
  private readonly owner: StreamOwner;
  private windowWaiters: (() => void)[] = [];
  private backpressured = false;

  constructor(owner: StreamOwner, id: number, headers: SpdyHeaders, sendWindow: number) {
    super({ allowHalfOpen: true });
    this.owner = owner;
    this.id = id;
    this.headers = headers;
    this.sendWindow = sendWindow;
  }

  /** Answers a stream the peer opened (SYN_REPLY). */
  reply(headers: SpdyHeaders = {}, fin = false): Promise<void> {
    this.replyHeaders = headers;
    if (fin) this.localFin = true;
    return this.owner.sendReply(this, headers, fin);
  }

  /** Aborts the stream (RST_STREAM, CANCEL by default). */
  reset(status = 5): void {
    if (this.destroyed) return;
    this.owner.sendReset(this, status);
    this.destroy();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.owner.sendData(this, chunk, false).then(() => cb(), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.localFin) {
      cb();
      return;
    }
    this.localFin = true;
    this.owner.sendData(this, Buffer.alloc(0), true).then(() => {
      this.maybeClosed();
      cb();
    }, cb);
  }

  override _read(): void {
    if (this.backpressured) {
      this.backpressured = false;
      this.owner.consumed(this);
    }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.wakeWriters();
    this.owner.streamClosed(this);
    cb(err);
  }

  /** Connection side: DATA arrived. */
  receive(data: Buffer, fin: boolean): void {
    if (data.length) {
      this.unacked += data.length;
      if (!this.push(data)) this.backpressured = true;
      else this.owner.consumed(this);
    }
    if (fin) this.receiveFin();
  }

  /**
   * The peer reset the stream, or the session ended: what was received stays readable (the
   * Kubernetes peers reset every stream right after their last DATA), the readable side then
   * ends, and further writes are dropped.
   */
  abort(status: number | undefined): void {
    if (status !== undefined) this.resetStatus = status;
    this.aborted = true;
    this.localFin = true;
    this.wakeWriters();
    if (!this.writableEnded) this.end();
    if (!this.remoteFin) {
      this.remoteFin = true;
      this.push(null);
    }
    if (this.readableLength === 0 && !this.readableFlowing) this.resume();
    this.owner.streamClosed(this);
  }

  receiveFin(): void {
    if (this.remoteFin) return;
    this.remoteFin = true;
    this.push(null);
    this.maybeClosed();
  }

  /** Waits until the send window has room (connection decides whether windows apply). */
  waitForWindow(): Promise<void> {
    return new Promise((resolve) => this.windowWaiters.push(resolve));
  }

  wakeWriters(): void {
    const waiters = this.windowWaiters;
    this.windowWaiters = [];
    for (const w of waiters) w();
  }

  private maybeClosed(): void {
    if (this.localFin && this.remoteFin) this.owner.streamClosed(this);
  }
}
