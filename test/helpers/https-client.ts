import fs from 'node:fs';
import https from 'node:https';
import { parse } from 'yaml';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export interface RawClient {
  request(
    method: string,
    path: string,
    options?: { body?: Buffer | string; headers?: Record<string, string>; timeoutMs?: number },
  ): Promise<RawResponse>;
  close(): void;
}

/** Plain HTTPS requests with the admin credentials of a kubeconfig (for black-box tests). */
export function rawClient(kubeconfigPath: string): RawClient {
  const kc = parse(fs.readFileSync(kubeconfigPath, 'utf8'));
  const cluster = kc.clusters[0].cluster;
  const user = kc.users[0].user;
  const url = new URL(cluster.server);
  const b64 = (s: string) => Buffer.from(s, 'base64');
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: 32,
    ca: b64(cluster['certificate-authority-data']),
    cert: b64(user['client-certificate-data']),
    key: b64(user['client-key-data']),
  });
  return {
    request(method, path, options = {}) {
      return new Promise((resolve, reject) => {
        const req = https.request(
          {
            host: url.hostname,
            port: url.port,
            method,
            path,
            agent,
            headers: {
              ...(options.body !== undefined
                ? { 'Content-Length': String(Buffer.byteLength(options.body)) }
                : {}),
              ...options.headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
            );
            res.on('error', reject);
          },
        );
        req.setTimeout(options.timeoutMs ?? 10_000, () =>
          req.destroy(new Error(`timeout: ${method} ${path}`)),
        );
        req.on('error', reject);
        req.end(options.body);
      });
    },
    close: () => agent.destroy(),
  };
}
