/**
 * MetricsApi's fetchSummary over the agents' endpoints: `GET /stats/skiff` at the Node's
 * kubelet endpoint, with the API server's kubelet-client certificate (as logs and exec go).
 */
import https from 'node:https';
import { isIP } from 'node:net';
import type { Summary } from '../../agent/stats/types.ts';
import type { KubeletStreamingConfig } from '../streaming/context.ts';
import { kubeletLocation } from '../streaming/kubelet-proxy.ts';

const maxBodyBytes = 16 * 1024 * 1024;

export function kubeletSummaryFetcher(
  config: KubeletStreamingConfig,
  timeoutMs = 10_000,
): (nodeName: string) => Promise<Summary | undefined> {
  return async (nodeName) => {
    const nodes = config.registry.byResource('', 'nodes');
    const node = await nodes?.get(undefined, nodeName).catch(() => undefined);
    if (!node) return undefined;
    const at = kubeletLocation(node as never, nodeName);
    if (!at) return undefined;
    const body = await new Promise<string>((resolve, reject) => {
      const req = https.request(
        {
          host: at.host,
          port: at.port,
          path: '/stats/skiff',
          method: 'GET',
          cert: config.clientCertPem,
          key: config.clientKeyPem,
          ca: config.serverCaPem,
          ...(isIP(at.host) ? {} : { servername: at.host }),
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBodyBytes) res.destroy(new Error('summary too large'));
            else chunks.push(c);
          });
          res.once('error', reject);
          res.once('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200)
              reject(new Error(`node ${nodeName}: ${res.statusCode}: ${text.slice(0, 500)}`));
            else resolve(text);
          });
        },
      );
      req.once('error', reject);
      req.end();
    });
    const s = JSON.parse(body) as Summary;
    if (!s?.node || !Array.isArray(s.pods) || typeof s.timestamp !== 'string') {
      throw new Error(`node ${nodeName}: the summary is not in the expected shape`);
    }
    return s;
  };
}
