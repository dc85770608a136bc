import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import {
  acceptWebSocket,
  CHANNEL_V4,
  CHANNEL_V5,
  Channel,
  channelFrame,
  offeredProtocols,
  pickProtocol,
} from './channels.ts';
import { badRequest, rejectUpgrade } from './http-status.ts';
import { SpdyConnection, type SpdyStream } from './spdy/connection.ts';
import type { StreamingLog } from './types.ts';
import { dialUpgrade, splice } from './upstream.ts';

/** What exec and attach ask for (kubelet's remotecommand options). */
export interface StreamOptions {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

const yes = (v: string | null) => v === '1' || v === 'true' || v === 'True' || v === 'TRUE';

/** Reads stdin/stdout/stderr/tty as the kubelet does ("1", and "true" as kubectl sends it). */
export function streamOptions(q: URLSearchParams): StreamOptions {
  const o = {
    stdin: yes(q.get('stdin')),
    stdout: yes(q.get('stdout')),
    stderr: yes(q.get('stderr')),
    tty: yes(q.get('tty')),
  };
  if (o.tty && o.stderr) o.stderr = false; // a terminal merges stderr into stdout
  if (!o.stdin && !o.stdout && !o.stderr)
    throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return o;
}

/** Protocol versions containerd's streaming server speaks over SPDY (it has no v5). */
const SPDY_VERSIONS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

/**
 * Serves an upgraded exec/attach request against the runtime's stream URL:
 * - WebSocket (v5/v4.channel.k8s.io, what kubectl 1.30+ and client libraries use): terminated
 *   here and translated to a SPDY remotecommand v4 session with containerd (v5's stdin close
 *   becomes the stdin stream's FIN, so `kubectl cp` into a pod works);
 * - SPDY/3.1 (older clients, kubectl's fallback): relayed byte for byte to containerd.
 */
export async function serveRemoteCommand(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  runtimeUrl: string,
  options: StreamOptions,
  log: StreamingLog,
): Promise<void> {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') return bridgeWebSocket(req, socket, head, runtimeUrl, options, log);
  if (upgrade.startsWith('spdy/')) return relaySpdy(req, socket, head, runtimeUrl);
  rejectUpgrade(socket, badRequest(`unsupported upgrade "${req.headers.upgrade}"`));
}

/** Relays a SPDY upgrade to the runtime and the runtime's 101 back, then bytes both ways. */
export async function relaySpdy(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  runtimeUrl: string,
): Promise<void> {
  const headers: Record<string, string | string[]> = { Connection: 'Upgrade', Upgrade: 'SPDY/3.1' };
  const versions = req.headersDistinct['x-stream-protocol-version'];
  if (versions) headers['X-Stream-Protocol-Version'] = versions;
  let up: Awaited<ReturnType<typeof dialUpgrade>>;
  try {
    up = await dialUpgrade(runtimeUrl, 'POST', headers);
  } catch (err) {
    rejectUpgrade(socket, err);
    return;
  }
  const lines = ['HTTP/1.1 101 Switching Protocols'];
  for (let i = 0; i < up.rawHeaders.length; i += 2)
    lines.push(`${up.rawHeaders[i]}: ${up.rawHeaders[i + 1]}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (up.head.length) socket.write(up.head);
  if (head.length) up.socket.write(head);
  splice(socket, up.socket);
}

async function bridgeWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  runtimeUrl: string,
  o: StreamOptions,
  log: StreamingLog,
): Promise<void> {
  const protocol = pickProtocol(offeredProtocols(req.headers['sec-websocket-protocol']), [
    CHANNEL_V5,
    CHANNEL_V4,
  ]);
  if (!protocol) {
    rejectUpgrade(
      socket,
      badRequest(`none of the offered WebSocket protocols is served; use ${CHANNEL_V5} or ${CHANNEL_V4}`),
    );
    return;
  }
  // The runtime side first: a failure is still answered as HTTP, which kubectl prints.
  let conn: SpdyConnection;
  let streams: Record<string, SpdyStream>;
  try {
    const up = await dialUpgrade(runtimeUrl, 'POST', {
      Connection: 'Upgrade',
      Upgrade: 'SPDY/3.1',
      'X-Stream-Protocol-Version': SPDY_VERSIONS,
    });
    if (up.head.length) up.socket.unshift(up.head);
    conn = new SpdyConnection(up.socket, { isServer: false });
    conn.on('error', (err: Error) => log.warn({ err: err.message }, 'runtime SPDY session failed'));
    const kinds = [
      'error',
      ...(o.stdin ? ['stdin'] : []),
      ...(o.stdout ? ['stdout'] : []),
      ...(o.stderr ? ['stderr'] : []),
      ...(o.tty ? ['resize'] : []),
    ];
    const opened = await Promise.all(kinds.map((k) => conn.open({ streamtype: k })));
    streams = Object.fromEntries(kinds.map((k, i) => [k, opened[i]!]));
  } catch (err) {
    rejectUpgrade(socket, err);
    return;
  }
  const ws = acceptWebSocket(req, socket, head, protocol);
  if (!ws) {
    conn.destroy();
    return;
  }
  pump(ws, protocol, conn, streams, log);
}

const HIGH_WATER = 1 << 20;

function pump(
  ws: WebSocket,
  protocol: string,
  conn: SpdyConnection,
  s: Record<string, SpdyStream>,
  log: StreamingLog,
) {
  const status: Buffer[] = [];
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    if (ws.readyState === ws.OPEN) {
      if (status.length) ws.send(channelFrame(Channel.error, Buffer.concat(status)));
      ws.close(1000);
    }
    conn.close();
  };

  // Runtime → client: output channels, each paused while the client is slow to take it.
  const outputs: Promise<void>[] = [];
  for (const [kind, channel] of [
    ['stdout', Channel.stdout],
    ['stderr', Channel.stderr],
  ] as const) {
    const stream = s[kind];
    if (!stream) continue;
    stream.on('data', (chunk: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(channelFrame(channel, chunk));
      if (ws.bufferedAmount > HIGH_WATER) {
        stream.pause();
        const wait = setInterval(() => {
          if (ws.bufferedAmount <= HIGH_WATER / 2 || ws.readyState !== ws.OPEN) {
            clearInterval(wait);
            stream.resume();
          }
        }, 5);
      }
    });
    outputs.push(new Promise((r) => stream.once('close', r).once('end', r)));
  }
  const errorStream = s.error!;
  errorStream.on('data', (c: Buffer) => status.push(c));
  const errorDone = new Promise((r) => errorStream.once('close', r).once('end', r));
  // Everything read from the runtime is delivered before the status and the close: streams end
  // (FIN, the runtime's RST_STREAM, or the session closing) only after their buffered data.
  Promise.all([errorDone, ...outputs]).then(finish);

  // Client → runtime.
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const channel = data[0]!;
    const body = data.subarray(1);
    if (channel === Channel.stdin) {
      if (body.length) s.stdin?.write(body);
    } else if (channel === Channel.resize) {
      s.resize?.write(body);
    } else if (channel === Channel.close && protocol === CHANNEL_V5) {
      // v5: the client closed one of its channels; stdin is the one that matters.
      if (body[0] === Channel.stdin) s.stdin?.end();
    }
  });
  ws.on('close', () => {
    if (!finished) {
      finished = true;
      conn.destroy();
    }
  });
  ws.on('error', (err) => log.warn({ err: err.message }, 'exec/attach WebSocket failed'));
  // A v4 client cannot close stdin alone: it ends with the WebSocket.
}
