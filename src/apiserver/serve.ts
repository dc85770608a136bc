import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';

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
    getRequestListener(app.fetch),
  );
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
