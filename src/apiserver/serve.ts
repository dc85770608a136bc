import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { statusErrors } from '../api/status.ts';

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
): Promise<Listening> {
  const server = https.createServer(
    {
      cert: tls.certPem,
      key: tls.keyPem,
      ca: tls.clientCaPem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    getRequestListener(app.fetch, { errorHandler: adapterError }),
  );
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
      }),
  };
}
