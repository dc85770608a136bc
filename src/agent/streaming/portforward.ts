import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import {
  acceptWebSocket,
  CHANNEL_V1,
  CHANNEL_V4,
  CHANNEL_V5,
  channelFrame,
  offeredProtocols,
  pickProtocol,
  SPDY_TUNNEL,
} from './channels.ts';
import { badRequest, rejectUpgrade } from './http-status.ts';
import { relaySpdy } from './remotecommand.ts';
import { SpdyConnection, type SpdyStream } from './spdy/connection.ts';
import type { StreamingLog } from './types.ts';
import { dialUpgrade } from './upstream.ts';

const PORTFORWARD_PROTOCOL = 'portforward.k8s.io';

function spdyHeaders(): Record<string, string> {
  return { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': PORTFORWARD_PROTOCOL };
}

/** `ports=8080,9090` or repeated `ports=`: each 1..65535. */
export function parsePorts(q: URLSearchParams): number[] {
  const ports: number[] = [];
  for (const value of q.getAll('ports')) {
    for (const raw of value.split(',')) {
      const p = raw.trim();
      const n = Number(p);
      if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw badRequest(`invalid port "${raw}": must be 1-65535`);
      ports.push(n);
    }
  }
  return ports;
}

/**
 * Serves an upgraded port-forward request against the runtime's stream URL:
 * - WebSocket `SPDY/3.1+portforward.k8s.io` (kubectl 1.31+): the SPDY session inside the
 *   messages is relayed as bytes to a SPDY upgrade on the runtime;
 * - WebSocket channel protocol with `?ports=` (client libraries): translated to SPDY streams;
 * - SPDY/3.1: relayed byte for byte.
 */
export async function servePortForward(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  runtimeUrl: string,
  query: URLSearchParams,
  log: StreamingLog,
): Promise<void> {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (upgrade.startsWith('spdy/')) return relaySpdy(req, socket, head, runtimeUrl);
  if (upgrade !== 'websocket') {
    rejectUpgrade(socket, badRequest(`unsupported upgrade "${req.headers.upgrade}"`));
    return;
  }
  const offered = offeredProtocols(req.headers['sec-websocket-protocol']);
  if (offered.includes(SPDY_TUNNEL)) return tunnel(req, socket, head, runtimeUrl);
  const protocol =
    pickProtocol(offered, [CHANNEL_V4, CHANNEL_V5, CHANNEL_V1]) ?? (offered.length ? undefined : '');
  if (protocol === undefined) {
    rejectUpgrade(
      socket,
      badRequest(`none of the offered WebSocket protocols is served (${offered.join(', ')})`),
    );
    return;
  }
  let ports: number[];
  try {
    ports = parsePorts(query);
    if (!ports.length) throw badRequest('query parameter "ports" is required');
  } catch (err) {
    rejectUpgrade(socket, err);
    return;
  }
  return channels(req, socket, head, runtimeUrl, protocol, ports, log);
}

async function tunnel(req: IncomingMessage, socket: Duplex, head: Buffer, runtimeUrl: string): Promise<void> {
  let up: Awaited<ReturnType<typeof dialUpgrade>>;
  try {
    up = await dialUpgrade(runtimeUrl, 'POST', spdyHeaders());
  } catch (err) {
    rejectUpgrade(socket, err);
    return;
  }
  const ws = acceptWebSocket(req, socket, head, SPDY_TUNNEL);
  const inner = up.socket;
  if (!ws) {
    inner.destroy();
    return;
  }
  if (up.head.length) ws.send(up.head);
  ws.on('message', (data: Buffer) => inner.write(data));
  inner.on('data', (chunk: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(chunk);
  });
  const end = () => {
    inner.destroy();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
  };
  inner.on('close', end);
  inner.on('error', end);
  ws.on('close', end);
  ws.on('error', end);
}

async function channels(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  runtimeUrl: string,
  protocol: string,
  ports: number[],
  log: StreamingLog,
): Promise<void> {
  let conn: SpdyConnection;
  const pairs: { port: number; data: SpdyStream; error: SpdyStream }[] = [];
  try {
    const up = await dialUpgrade(runtimeUrl, 'POST', spdyHeaders());
    if (up.head.length) up.socket.unshift(up.head);
    conn = new SpdyConnection(up.socket, { isServer: false });
    conn.on('error', (err: Error) => log.warn({ err: err.message }, 'runtime SPDY session failed'));
    for (const [i, port] of ports.entries()) {
      const common = { port: String(port), requestid: String(i) };
      const error = await conn.open({ streamtype: 'error', ...common });
      error.end(); // the client never writes on its error stream
      const data = await conn.open({ streamtype: 'data', ...common });
      pairs.push({ port, data, error });
    }
  } catch (err) {
    rejectUpgrade(socket, err);
    return;
  }
  const ws: WebSocket | undefined = acceptWebSocket(req, socket, head, protocol);
  if (!ws) {
    conn.destroy();
    return;
  }
  const close = () => {
    if (ws.readyState === ws.OPEN) ws.close(1000);
    conn.close();
  };
  for (const [i, { port, data, error }] of pairs.entries()) {
    const prefix = Buffer.from([port & 0xff, port >> 8]);
    ws.send(channelFrame(2 * i, prefix));
    ws.send(channelFrame(2 * i + 1, prefix));
    data.on('data', (c: Buffer) => ws.readyState === ws.OPEN && ws.send(channelFrame(2 * i, c)));
    error.on('data', (c: Buffer) => ws.readyState === ws.OPEN && ws.send(channelFrame(2 * i + 1, c)));
    // When the connection to the pod's port ends, so does the WebSocket (as the kubelet does).
    data.once('end', close);
    data.once('close', close);
  }
  conn.once('close', close);
  ws.on('message', (msg: Buffer, isBinary: boolean) => {
    if (!isBinary || msg.length === 0) return;
    const channel = msg[0]!;
    const pair = pairs[channel / 2];
    if (channel % 2 === 0 && pair) pair.data.write(msg.subarray(1));
  });
  ws.on('close', () => conn.destroy());
  ws.on('error', () => conn.destroy());
}
