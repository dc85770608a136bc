import http from 'node:http';
import type { Duplex } from 'node:stream';
import { StreamingError } from './http-status.ts';

export interface Upgraded {
  readonly socket: Duplex;
  /** The 101's headers, raw (name, value pairs) to relay as they are. */
  readonly rawHeaders: string[];
  readonly headers: http.IncomingHttpHeaders;
  /** Bytes that came after the 101 (already part of the new protocol). */
  readonly head: Buffer;
}

/**
 * Sends an upgrade request to url (containerd's streaming server: plain HTTP on loopback) and
 * resolves with the switched socket. Any answer but 101 rejects with its body as the message.
 */
export function dialUpgrade(
  url: string,
  method: string,
  headers: Record<string, string | string[]>,
  timeoutMs = 10_000,
): Promise<Upgraded> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method,
      headers: { ...headers, 'Content-Length': '0' },
      timeout: timeoutMs,
    });
    req.on('upgrade', (res, socket, head) => {
      req.setTimeout(0);
      socket.setTimeout(0);
      resolve({ socket, rawHeaders: res.rawHeaders, headers: res.headers, head });
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        reject(
          new StreamingError(
            res.statusCode && res.statusCode >= 400 ? res.statusCode : 502,
            'InternalError',
            `container runtime refused the stream: ${res.statusCode} ${Buffer.concat(parts).toString().trim()}`,
          ),
        ),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from the container runtime at ${url}`)));
    req.on('error', (err) => reject(new StreamingError(502, 'InternalError', err.message)));
    req.end();
  });
}

/**
 * Relays bytes both ways. When one side closes, the other is ended (not destroyed), so what is
 * still queued for it is delivered first; an error tears both down.
 */
export function splice(a: Duplex, b: Duplex): void {
  const kill = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', kill);
  b.on('error', kill);
  a.on('close', () => b.end());
  b.on('close', () => a.end());
  a.pipe(b);
  b.pipe(a);
}
