import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import {
  encodeFrame,
  type Frame,
  FrameReader,
  RstStatus,
  SETTINGS_INITIAL_WINDOW_SIZE,
  SpdyProtocolError,
} from './frames.ts';
import { HeaderDecompressor, type SpdyHeaders } from './headers.ts';
import { SpdyStream, type StreamOwner } from './stream.ts';
import { FrameWriter } from './writer.ts';

export const DEFAULT_WINDOW = 64 * 1024;
/** DATA frames are cut to this size so one stream does not hold the socket for long. */
const MAX_DATA_FRAME = 32 * 1024;

export interface SpdyConnectionOptions {
  /** The side that accepted the connection opens even stream ids, the other odd ones. */
  readonly isServer: boolean;
  /**
   * SPDY/3.1 flow control: honour the peer's windows when sending and give windows back with
   * WINDOW_UPDATE. Off by default, because the Kubernetes SPDY peers (moby/spdystream in kubectl,
   * the kubelet and containerd) speak SPDY/3 framing without it: they never send WINDOW_UPDATE
   * (enforcing windows would stall after 64 KiB) and their framer rejects a connection-level
   * WINDOW_UPDATE (stream 0) as a protocol error and drops the session.
   */
  readonly flowControl?: boolean;
  /** Receive window advertised in SETTINGS (and the point of reference for WINDOW_UPDATE). */
  readonly receiveWindow?: number;
}

/**
 * A SPDY/3.1 session over any byte duplex (a socket, or the byte stream inside WebSocket
 * messages). Emits 'stream' (SpdyStream the peer opened: answer with reply() or reset()),
 * 'goaway', 'error' and 'close'.
 */
export class SpdyConnection extends EventEmitter implements StreamOwner {
  readonly streams = new Map<number, SpdyStream>();
  private readonly socket: Duplex;
  private readonly reader = new FrameReader();
  private readonly writer: FrameWriter;
  private readonly decompressor = new HeaderDecompressor();
  private readonly flowControl: boolean;
  private readonly receiveWindow: number;
  private nextStreamId: number;
  private nextPingId: number;
  private peerInitialWindow = DEFAULT_WINDOW;
  private connSendWindow = DEFAULT_WINDOW;
  private connUnacked = 0;
  private inbound: Promise<void> = Promise.resolve();
  private readonly pendingReplies = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly pings = new Map<number, () => void>();
  private connWaiters: (() => void)[] = [];
  private lastPeerStreamId = 0;
  goneAway = false;
  closed = false;

  constructor(socket: Duplex, options: SpdyConnectionOptions) {
    super();
    this.socket = socket;
    this.writer = new FrameWriter(socket);
    this.flowControl = options.flowControl ?? false;
    this.receiveWindow = options.receiveWindow ?? DEFAULT_WINDOW;
    this.nextStreamId = options.isServer ? 2 : 1;
    this.nextPingId = options.isServer ? 2 : 1;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // Frames already read are handled before the session ends.
    socket.on('end', () => this.inbound.then(() => this.shutdown()));
    socket.on('close', () => this.inbound.then(() => this.shutdown()));
    socket.on('error', (err) => {
      this.emit('socketError', err);
      this.shutdown();
    });
    if (this.receiveWindow !== DEFAULT_WINDOW) {
      this.writer.send({
        type: 'settings',
        clear: false,
        entries: [{ id: SETTINGS_INITIAL_WINDOW_SIZE, flags: 0, value: this.receiveWindow }],
      });
    }
  }

  /** Opens a stream (SYN_STREAM) and resolves once the peer's SYN_REPLY arrives. */
  async open(
    headers: SpdyHeaders,
    options: { fin?: boolean; waitReply?: boolean } = {},
  ): Promise<SpdyStream> {
    if (this.closed || this.goneAway) throw new Error('SPDY connection is closed');
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = this.addStream(id, headers);
    const replied =
      options.waitReply === false
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => this.pendingReplies.set(id, { resolve, reject }));
    if (options.fin) stream.localFin = true;
    // A session that ends first rejects `replied` (see shutdown): nothing to report here.
    void this.writer
      .enqueue(async () =>
        encodeFrame({
          type: 'syn_stream',
          streamId: id,
          associatedId: 0,
          priority: 0,
          fin: options.fin ?? false,
          unidirectional: false,
          block: await this.writer.compress(headers),
        }),
      )
      .catch(() => undefined);

    await replied;
    return stream;
  }

  /** Sends a PING and resolves with the round trip in ms. */
  ping(): Promise<number> {
    const id = this.nextPingId;
    this.nextPingId += 2;
    const start = performance.now();
    return new Promise((resolve) => {
      this.pings.set(id, () => resolve(performance.now() - start));
      this.writer.send({ type: 'ping', id });
    });
  }

  /** GOAWAY, then the socket ends once written. */
  close(status = 0): void {
    if (this.closed) return;
    if (!this.goneAway) {
      this.goneAway = true;
      this.writer.send({ type: 'goaway', lastGoodStreamId: this.lastPeerStreamId, status });
    }
    this.writer.idle().then(() => this.socket.end());
  }

  destroy(): void {
    this.socket.destroy();
    this.shutdown();
  }

  // ---- StreamOwner -------------------------------------------------------------------------

  async sendData(stream: SpdyStream, data: Buffer, fin: boolean): Promise<void> {
    let offset = 0;
    do {
      // Writes to a stream the peer reset, or after the session ended, go nowhere (as writes
      // into a reset TCP connection would), rather than erroring streams nobody watches.
      if (this.closed || stream.aborted || stream.destroyed) return;
      let size = Math.min(data.length - offset, MAX_DATA_FRAME);
      if (this.flowControl && size > 0) {
        while (stream.sendWindow <= 0 || this.connSendWindow <= 0) {
          if (this.connSendWindow <= 0) await new Promise<void>((r) => this.connWaiters.push(r));
          else await stream.waitForWindow();
          if (this.closed || stream.aborted || stream.destroyed) return;
        }
        size = Math.min(size, stream.sendWindow, this.connSendWindow);
      }
      stream.sendWindow -= size;
      this.connSendWindow -= size;
      const chunk = data.subarray(offset, offset + size);
      offset += size;
      const last = offset >= data.length;
      try {
        await this.writer.enqueue(() =>
          encodeFrame({ type: 'data', streamId: stream.id, fin: fin && last, data: chunk }),
        );
      } catch {
        return; // the session ended under us: the data goes nowhere, as with a reset socket
      }
    } while (offset < data.length);
  }

  sendReply(stream: SpdyStream, headers: SpdyHeaders, fin: boolean): Promise<void> {
    const done = this.writer.enqueue(async () =>
      encodeFrame({
        type: 'syn_reply',
        streamId: stream.id,
        fin,
        block: await this.writer.compress(headers),
      }),
    );
    return done;
  }

  sendReset(stream: SpdyStream, status: number): void {
    this.writer.send({ type: 'rst_stream', streamId: stream.id, status });
  }

  /** The stream's reader took data: give the window back once half of it is used. */
  consumed(stream: SpdyStream): void {
    if (!this.flowControl) return;
    if (stream.unacked >= this.receiveWindow / 2 && !stream.remoteFin && !stream.destroyed) {
      this.writer.send({ type: 'window_update', streamId: stream.id, delta: stream.unacked });
      stream.unacked = 0;
    }
  }

  /**
   * The connection-level window is given back on arrival: per-stream windows already bound
   * what a slow reader can leave buffered.
   */
  private received(bytes: number): void {
    if (!this.flowControl) return;
    this.connUnacked += bytes;
    if (this.connUnacked >= DEFAULT_WINDOW / 2) {
      this.writer.send({ type: 'window_update', streamId: 0, delta: this.connUnacked });
      this.connUnacked = 0;
    }
  }

  streamClosed(stream: SpdyStream): void {
    if (this.streams.get(stream.id) === stream) this.streams.delete(stream.id);
    const pending = this.pendingReplies.get(stream.id);
    if (pending) {
      this.pendingReplies.delete(stream.id);
      pending.reject(new Error(`stream ${stream.id} closed before its reply`));
    }
  }

  // ---- internals ---------------------------------------------------------------------------

  private addStream(id: number, headers: SpdyHeaders): SpdyStream {
    const stream = new SpdyStream(this, id, headers, this.peerInitialWindow);
    // A write after end or after a reset must not bring the process down: the stream's fate is
    // told by 'end'/'close' and resetStatus, the session's by the connection's own events.
    stream.on('error', () => undefined);
    this.streams.set(id, stream);
    return stream;
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    for (const frame of frames) {
      this.inbound = this.inbound.then(() => this.handle(frame)).catch((err) => this.fail(err as Error));
    }
  }

  private fail(err: Error): void {
    if (this.closed) return;
    if (this.listenerCount('error') > 0) this.emit('error', err);
    this.close(1);
    this.destroy();
  }

  private async handle(frame: Frame): Promise<void> {
    if (this.closed) return;
    switch (frame.type) {
      case 'syn_stream': {
        const headers = await this.decompressor.decompress(frame.block);
        if (this.goneAway || this.streams.has(frame.streamId)) {
          this.writer.send({
            type: 'rst_stream',
            streamId: frame.streamId,
            status: this.goneAway ? RstStatus.REFUSED_STREAM : RstStatus.PROTOCOL_ERROR,
          });
          return;
        }
        this.lastPeerStreamId = Math.max(this.lastPeerStreamId, frame.streamId);
        const stream = this.addStream(frame.streamId, headers);
        if (frame.unidirectional) stream.localFin = true;
        if (frame.fin) stream.receiveFin();
        this.emit('stream', stream);
        return;
      }
      case 'syn_reply': {
        const headers = await this.decompressor.decompress(frame.block);
        const stream = this.streams.get(frame.streamId);
        if (stream) stream.replyHeaders = headers;
        const pending = this.pendingReplies.get(frame.streamId);
        this.pendingReplies.delete(frame.streamId);
        pending?.resolve();
        if (stream && frame.fin) stream.receiveFin();
        return;
      }
      case 'headers': {
        const headers = await this.decompressor.decompress(frame.block);
        const stream = this.streams.get(frame.streamId);
        if (!stream) return;
        Object.assign(stream.replyHeaders ?? stream.headers, headers);
        stream.emit('headers', headers);
        if (frame.fin) stream.receiveFin();
        return;
      }
      case 'data': {
        this.received(frame.data.length);
        const stream = this.streams.get(frame.streamId);
        if (!stream) return;
        stream.receive(frame.data, frame.fin);
        return;
      }
      case 'rst_stream': {
        const stream = this.streams.get(frame.streamId);
        if (!stream) return;
        const pending = this.pendingReplies.get(frame.streamId);
        this.pendingReplies.delete(frame.streamId);
        pending?.reject(new Error(`stream ${frame.streamId} was reset by the peer (status ${frame.status})`));
        stream.abort(frame.status);
        return;
      }
      case 'settings':
        for (const e of frame.entries) {
          if (e.id !== SETTINGS_INITIAL_WINDOW_SIZE) continue;
          const delta = e.value - this.peerInitialWindow;
          this.peerInitialWindow = e.value;
          for (const s of this.streams.values()) {
            s.sendWindow += delta;
            s.wakeWriters();
          }
        }
        return;
      case 'ping': {
        const ours = (frame.id & 1) === (this.nextPingId & 1);
        if (!ours) this.writer.send({ type: 'ping', id: frame.id });
        else {
          this.pings.get(frame.id)?.();
          this.pings.delete(frame.id);
        }
        return;
      }
      case 'goaway':
        this.goneAway = true;
        this.emit('goaway', frame.lastGoodStreamId, frame.status);
        return;
      case 'window_update': {
        if (frame.streamId === 0) {
          this.connSendWindow += frame.delta;
          const waiters = this.connWaiters;
          this.connWaiters = [];
          for (const w of waiters) w();
          return;
        }
        const stream = this.streams.get(frame.streamId);
        if (!stream) return;
        stream.sendWindow += frame.delta;
        stream.wakeWriters();
        return;
      }
      case 'unknown':
        return;
    }
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [, p] of this.pendingReplies) p.reject(new Error('SPDY connection closed'));
    this.pendingReplies.clear();
    // Received data stays readable; every stream's readable side ends.
    for (const s of [...this.streams.values()]) s.abort(undefined);
    this.streams.clear();
    for (const w of this.connWaiters) w();
    this.connWaiters = [];
    this.writer.close();
    this.decompressor.close();
    this.emit('close');
  }
}

export { SpdyProtocolError, SpdyStream };
