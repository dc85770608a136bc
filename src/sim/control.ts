/**
 * A tiny loopback HTTP endpoint for tests: `POST /nodes/<name>/silent` and
 * `POST /nodes/<name>/resume`; `GET /nodes` lists the nodes with their silence.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimNodes } from './nodes.ts';

export interface ControlServer {
  readonly port: number;
  close(): Promise<void>;
}

function reply(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

export async function startControl(nodes: SimNodes, port: number): Promise<ControlServer> {
  const server = http.createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/nodes') {
      const list = [...nodes.byName.keys()].map((name) => ({ name, silent: nodes.silent(name) }));
      return reply(res, 200, list);
    }
    const m = /^\/nodes\/([^/]+)\/(silent|resume)$/.exec(url.pathname);
    if (!m) return reply(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return reply(res, 405, { error: 'use POST' });
    const name = decodeURIComponent(m[1]!);
    const silent = m[2] === 'silent';
    if (!nodes.setSilent(name, silent)) return reply(res, 404, { error: `no simulated node ${name}` });
    reply(res, 200, { name, silent: nodes.silent(name) });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
