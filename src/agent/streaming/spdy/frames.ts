/**
 * SPDY/3.1 frames (draft-mbelshe-httpbis-spdy-00, plus 3.1's connection-level WINDOW_UPDATE).
 * Header blocks stay compressed here: the connection owns the zlib contexts (see headers.ts).
 */

export const SPDY_VERSION = 3;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
/** The largest payload a frame's 24-bit length allows. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

/** RST_STREAM status codes. */
export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
  FRAME_TOO_LARGE: 11,
} as const;

/** SETTINGS ids used here. */
export const SETTINGS_INITIAL_WINDOW_SIZE = 7;

export type Frame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | {
      type: 'syn_stream';
      streamId: number;
      associatedId: number;
      priority: number;
      fin: boolean;
      unidirectional: boolean;
      block: Buffer;
    }
  | { type: 'syn_reply'; streamId: number; fin: boolean; block: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; clear: boolean; entries: { id: number; flags: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; fin: boolean; block: Buffer }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; controlType: number };

export class SpdyProtocolError extends Error {
  constructor(message: string) {
    super(`SPDY protocol error: ${message}`);
    this.name = 'SpdyProtocolError';
  }
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`frame of ${payload.length} bytes`);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  for (const [i, v] of values.entries()) b.writeUInt32BE(v >>> 0, 4 * i);
  return b;
}

/** Serializes one frame (header blocks already compressed). */
export function encodeFrame(frame: Frame): Buffer {
  switch (frame.type) {
    case 'data': {
      if (frame.data.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError('DATA frame too large');
      const head = Buffer.alloc(8);
      head.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
      head.writeUInt32BE(((frame.fin ? FLAG_FIN : 0) << 24) | frame.data.length, 4);
      return Buffer.concat([head, frame.data]);
    }
    case 'syn_stream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
      fixed.writeUInt32BE(frame.associatedId & 0x7fffffff, 4);
      fixed[8] = (frame.priority & 0x7) << 5;
      const flags = (frame.fin ? FLAG_FIN : 0) | (frame.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
      return control(FrameType.SYN_STREAM, flags, Buffer.concat([fixed, frame.block]));
    }
    case 'syn_reply':
      return control(
        FrameType.SYN_REPLY,
        frame.fin ? FLAG_FIN : 0,
        Buffer.concat([u32(frame.streamId), frame.block]),
      );
    case 'headers':
      return control(
        FrameType.HEADERS,
        frame.fin ? FLAG_FIN : 0,
        Buffer.concat([u32(frame.streamId), frame.block]),
      );
    case 'rst_stream':
      return control(FrameType.RST_STREAM, 0, u32(frame.streamId, frame.status));
    case 'settings': {
      const body = Buffer.alloc(4 + 8 * frame.entries.length);
      body.writeUInt32BE(frame.entries.length, 0);
      frame.entries.forEach((e, i) => {
        body.writeUInt32BE(((e.flags & 0xff) << 24) | (e.id & 0xffffff), 4 + 8 * i);
        body.writeUInt32BE(e.value >>> 0, 8 + 8 * i);
      });
      return control(FrameType.SETTINGS, frame.clear ? 1 : 0, body);
    }
    case 'ping':
      return control(FrameType.PING, 0, u32(frame.id));
    case 'goaway':
      return control(FrameType.GOAWAY, 0, u32(frame.lastGoodStreamId, frame.status));
    case 'window_update':
      return control(FrameType.WINDOW_UPDATE, 0, u32(frame.streamId, frame.delta));
    case 'unknown':
      throw new SpdyProtocolError(`cannot encode control frame type ${frame.controlType}`);
  }
}

function need(payload: Buffer, n: number, what: string): void {
  if (payload.length < n)
    throw new SpdyProtocolError(`${what} frame with ${payload.length} bytes, need ${n}`);
}

function decodeControl(type: number, flags: number, p: Buffer): Frame {
  const fin = (flags & FLAG_FIN) !== 0;
  switch (type) {
    case FrameType.SYN_STREAM:
      need(p, 10, 'SYN_STREAM');
      return {
        type: 'syn_stream',
        streamId: p.readUInt32BE(0) & 0x7fffffff,
        associatedId: p.readUInt32BE(4) & 0x7fffffff,
        priority: p[8]! >> 5,
        fin,
        unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
        block: p.subarray(10),
      };
    case FrameType.SYN_REPLY:
      need(p, 4, 'SYN_REPLY');
      return { type: 'syn_reply', streamId: p.readUInt32BE(0) & 0x7fffffff, fin, block: p.subarray(4) };
    case FrameType.HEADERS:
      need(p, 4, 'HEADERS');
      return { type: 'headers', streamId: p.readUInt32BE(0) & 0x7fffffff, fin, block: p.subarray(4) };
    case FrameType.RST_STREAM:
      need(p, 8, 'RST_STREAM');
      return { type: 'rst_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.SETTINGS: {
      need(p, 4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      need(p, 4 + 8 * n, 'SETTINGS');
      const entries = [];
      for (let i = 0; i < n; i++) {
        const word = p.readUInt32BE(4 + 8 * i);
        entries.push({ flags: word >>> 24, id: word & 0xffffff, value: p.readUInt32BE(8 + 8 * i) });
      }
      return { type: 'settings', clear: (flags & 1) !== 0, entries };
    }
    case FrameType.PING:
      need(p, 4, 'PING');
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GOAWAY:
      need(p, 4, 'GOAWAY');
      // SPDY/2-style GOAWAY without a status is tolerated.
      return {
        type: 'goaway',
        lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff,
        status: p.length >= 8 ? p.readUInt32BE(4) : 0,
      };
    case FrameType.WINDOW_UPDATE:
      need(p, 8, 'WINDOW_UPDATE');
      return {
        type: 'window_update',
        streamId: p.readUInt32BE(0) & 0x7fffffff,
        delta: p.readUInt32BE(4) & 0x7fffffff,
      };
    default:
      return { type: 'unknown', controlType: type };
  }
}

/**
 * Cuts a byte stream, arriving in chunks of any size, into frames. push() returns the frames
 * completed so far; a partial frame waits for the next chunk.
 */
export class FrameReader {
  private buffered: Buffer[] = [];
  private size = 0;
  private readonly maxPayload: number;

  constructor(maxPayload = MAX_FRAME_PAYLOAD) {
    this.maxPayload = maxPayload;
  }

  push(chunk: Buffer): Frame[] {
    if (chunk.length) {
      this.buffered.push(chunk);
      this.size += chunk.length;
    }
    const frames: Frame[] = [];
    while (this.size >= 8) {
      const head = this.peek(8);
      const length = head.readUInt32BE(4) & 0xffffff;
      if (length > this.maxPayload) throw new SpdyProtocolError(`frame of ${length} bytes is too large`);
      if (this.size < 8 + length) break;
      const whole = this.take(8 + length);
      const payload = whole.subarray(8);
      const flags = head[4]!;
      if (head[0]! & 0x80) {
        const version = head.readUInt16BE(0) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported version ${version}`);
        frames.push(decodeControl(head.readUInt16BE(2), flags, payload));
      } else {
        frames.push({
          type: 'data',
          streamId: head.readUInt32BE(0) & 0x7fffffff,
          fin: (flags & FLAG_FIN) !== 0,
          data: payload,
        });
      }
    }
    return frames;
  }

  private peek(n: number): Buffer {
    if (this.buffered[0]!.length < n) this.buffered = [Buffer.concat(this.buffered)];
    return this.buffered[0]!.subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
    const out = Buffer.from(all.subarray(0, n));
    const rest = all.subarray(n);
    this.buffered = rest.length ? [rest] : [];
    this.size -= n;
    return out;
  }
}
