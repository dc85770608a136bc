import https from 'node:https';

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

/**
 * One HTTPS request. With `ca` the server must present a certificate it signs; without it
 * (only for fetching the CA bundle that is then checked against the token) nothing is checked.
 */
export function httpsRequest(
  url: URL,
  options: {
    method: string;
    ca?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
  },
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method,
        headers: options.headers,
        ...(options.ca ? { ca: options.ca } : { rejectUnauthorized: false }),
        timeout: options.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} in time`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
