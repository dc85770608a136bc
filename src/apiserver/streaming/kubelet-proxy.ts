import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { KubeletStreamingConfig } from './context.ts';

/** Where a node's agent endpoint is: its InternalIP and daemonEndpoints.kubeletEndpoint.Port. */
export interface KubeletLocation {
  readonly host: string;
  readonly port: number;
}

type NodeLike = {
  status?: {
    addresses?: { type?: string; address?: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
};

/** The agent endpoint of a Node object, or undefined when it publishes none. */
export function kubeletLocation(node: NodeLike, nodeName: string): KubeletLocation | undefined {
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!port) return undefined;
  const addresses = node.status?.addresses ?? [];
  const pick = (type: string) => addresses.find((a) => a.type === type && a.address)?.address;
  const host = pick('InternalIP') ?? pick('ExternalIP') ?? pick('Hostname') ?? nodeName;
  return { host, port };
}

const HOP_BY_HOP = new Set([
  'host',
  'authorization',
  'cookie',
  'proxy-authorization',
  'proxy-connection',
  'keep-alive',
]);

/** Request headers passed to the agent: the upgrade negotiation, never the client's credentials. */
function forwardedHeaders(req: IncomingMessage): string[] {
  const lines: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower.startsWith('impersonate-') || lower.startsWith('x-remote-')) continue;
    lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
  }
  return lines;
}

function hostHeader(at: KubeletLocation): string {
  return at.host.includes(':') ? `[${at.host}]:${at.port}` : `${at.host}:${at.port}`;
}

function tlsOptions(config: KubeletStreamingConfig, at: KubeletLocation) {
  return {
    host: at.host,
    port: at.port,
    cert: config.clientCertPem,
    key: config.clientKeyPem,
    ca: config.serverCaPem,
    ...(isIP(at.host) ? {} : { servername: at.host }),
  };
}

/**
 * GET logs from the agent and stream the body through as it comes (chunked, headers flushed at
 * once so `kubectl logs -f` shows lines immediately). The agent's errors (a Status) pass through.
 */
export function proxyLogs(
  config: KubeletStreamingConfig,
  at: KubeletLocation,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = https.request({
      ...tlsOptions(config, at),
      method: 'GET',
      path,
      headers: { Accept: '*/*' },
    });
    let answered = false;
    upstream.on('response', (up) => {
      answered = true;
      res.writeHead(up.statusCode ?? 502, {
        'Content-Type': up.headers['content-type'] ?? 'text/plain',
        'Transfer-Encoding': 'chunked',
      });
      res.flushHeaders();
      up.pipe(res);
      up.on('end', resolve);
      up.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    upstream.on('error', (err) => {
      if (answered) {
        res.destroy();
        resolve();
      } else reject(err);
    });
    // The client went away: stop reading the agent (it stops following the file).
    res.on('close', () => upstream.destroy());
    req.on('aborted', () => upstream.destroy());
    upstream.end();
  });
}

/**
 * Connects to the agent over TLS, sends the client's upgrade request there (same method, path
 * translated, negotiation headers as they came) and then relays bytes both ways: the agent's
 * 101 and everything after it reach the client untouched, so WebSocket and SPDY handshakes
 * (and kubectl's pings) are end to end between client and agent.
 */
export function proxyUpgrade(
  config: KubeletStreamingConfig,
  at: KubeletLocation,
  path: string,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const agent = tls.connect(tlsOptions(config, at));
    agent.once('error', reject);
    agent.once('secureConnect', () => {
      agent.off('error', reject);
      const lines = [`${req.method} ${path} HTTP/1.1`, `Host: ${hostHeader(at)}`, ...forwardedHeaders(req)];
      agent.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) agent.write(head);
      // A side that closes ends the other, which still delivers what is queued for it.
      const kill = () => {
        agent.destroy();
        client.destroy();
      };
      agent.on('error', kill);
      client.on('error', kill);
      agent.on('close', () => client.end());
      client.on('close', () => agent.end());
      agent.pipe(client);
      client.pipe(agent);
      resolve();
    });
  });
}
