import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

/** The WebSocket channel protocols kubectl and client libraries speak (wsstream). */
export const CHANNEL_V5 = 'v5.channel.k8s.io';
export const CHANNEL_V4 = 'v4.channel.k8s.io';
export const CHANNEL_V1 = 'channel.k8s.io';
/** kubectl 1.31+ port-forward: SPDY/3.1 frames carried in binary WebSocket messages. */
export const SPDY_TUNNEL = 'SPDY/3.1+portforward.k8s.io';

export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** Protocols offered in Sec-WebSocket-Protocol (comma-separated, maybe repeated headers). */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const all = Array.isArray(header) ? header.join(',') : (header ?? '');
  return all
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The first of ours, in our order of preference, that the client offered. */
export function pickProtocol(offered: readonly string[], ours: readonly string[]): string | undefined {
  return ours.find((p) => offered.includes(p));
}

/** One channel message: the channel byte, then the data. */
export function channelFrame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  body.copy(out, 1);
  return out;
}

/**
 * Completes a WebSocket handshake on an upgrade request, answering with the given protocol.
 * Undefined when the request was not a valid handshake (ws has then answered it with an error).
 */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  protocol: string,
): WebSocket | undefined {
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    handleProtocols: () => protocol,
  });
  let accepted: WebSocket | undefined;
  wss.handleUpgrade(req, socket, head, (ws) => {
    accepted = ws;
  });
  return accepted;
}
