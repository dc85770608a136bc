import { type IncomingMessage, ServerResponse, STATUS_CODES } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Hono } from 'hono';
import { statusErrors } from '../api/status.ts';
import { attachStreamingContext, isTakenOver, type KubeletStreamingConfig } from './streaming/context.ts';

/** A request the HTTP adapter could not even turn into a Request still gets a Status. */
function adapterError(e: unknown): Response {
  const message = e instanceof Error ? e.message : String(e);
  const status = statusErrors.badRequest(`the request could not be read: ${message}`).toStatus();
  return new Response(JSON.stringify(status), {
    status: 400,
    headers: { 'Content-Type': 'application/json' },
  });
}

export interface TlsMaterial {
  readonly certPem: string;
  readonly keyPem: string;
  /** CA whose client certificates are accepted. */
  readonly clientCaPem: string;
}

export interface ListenOptions {
  /** How to reach node agents for logs/exec/attach/port-forward; without it they answer 503. */
  readonly streaming?: KubeletStreamingConfig;
}

export interface Listening {
  readonly server: https.Server;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * HTTPS (HTTP/1.1, so watches stream and upgrades work) with optional client certificates:
 * a certificate the client CA did not sign is not refused here, it just authenticates no one.
 */
export async function listen(
  app: Hono<never>,
  tls: TlsMaterial,
  port: number,
  host = '0.0.0.0',
  options: ListenOptions = {},
): Promise<Listening> {
  const listener = getRequestListener(app.fetch, { errorHandler: adapterError });
  const server = https.createServer(
    {
      cert: tls.certPem,
      key: tls.keyPem,
      ca: tls.clientCaPem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (req, res) => {
      if (options.streaming) attachStreamingContext(req, { config: options.streaming });
      return listener(req, res);
    },
  );
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    void serveUpgrade(app, req, socket, head, options.streaming);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Bytes that are not HTTP at all: answer with a Status too, then hang up.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(
      statusErrors.badRequest(`malformed HTTP request: ${err.code ?? err.message}`).toStatus(),
    );
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of upgraded) s.destroy();
      }),
  };
}

/**
 * An upgrade request (WebSocket or SPDY: exec, attach, port-forward) goes through the same app
 * as any request (authentication, authorization, the pod checks); the streaming handler takes
 * the socket over and the app answers RESPONSE_ALREADY_SENT. Anything else the app answers is
 * written to the socket as a plain HTTP response, and the connection closed.
 */
async function serveUpgrade(
  app: Hono<never>,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  streaming: KubeletStreamingConfig | undefined,
): Promise<void> {
  let response: Response;
  try {
    if (streaming) attachStreamingContext(req, { config: streaming, upgrade: { socket, head } });
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const request = new Request(`https://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
    });
    response = await app.fetch(request, { incoming: req, outgoing: new ServerResponse(req) } as never);
  } catch (e) {
    response = adapterError(e);
  }
  if (response === RESPONSE_ALREADY_SENT || response.headers.get('x-hono-already-sent')) {
    // A handler that streams into a response (a watch asked for over WebSocket) cannot use this
    // socket: only the streaming handler takes upgrades over.
    if (!isTakenOver(req)) socket.destroy();
    return;
  }
  const body = Buffer.from(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`];
  response.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'connection' && name !== 'transfer-encoding')
      lines.push(`${name}: ${value}`);
  });
  lines.push(`Content-Length: ${body.length}`, 'Connection: close');
  if (socket.writable) socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]));
}
