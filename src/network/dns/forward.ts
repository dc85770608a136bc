/** Forwarding to the host's resolvers, over UDP (TCP when the answer was truncated or asked over TCP). */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';

export interface UpstreamServer {
  readonly host: string;
  readonly port: number;
}

/**
 * The nameservers of a resolv.conf. A loopback stub (systemd-resolved's 127.0.0.53) is not
 * reachable from pods' view of the world, so its own upstream file is read instead, as k3s does.
 */
export function hostResolvers(
  files = ['/etc/resolv.conf', '/run/systemd/resolve/resolv.conf'],
): UpstreamServer[] {
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const servers = [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!);
    const usable = servers.filter((s) => !s.startsWith('127.') && s !== '::1');
    if (usable.length > 0) return usable.map((host) => ({ host, port: 53 }));
  }
  return [];
}

function overUdp(server: UpstreamServer, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(server.host.includes(':') ? 'udp6' : 'udp4');
    const done = (b: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(b);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === query.readUInt16BE(0)) done(msg);
    });
    socket.send(query, server.port, server.host);
  });
}

function overTcp(server: UpstreamServer, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, server.host);
    let buffered = Buffer.alloc(0);
    const done = (b: Buffer | undefined) => {
      socket.destroy();
      resolve(b);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.on('error', () => done(undefined));
    socket.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      socket.write(Buffer.concat([len, query]));
    });
    socket.on('data', (d) => {
      buffered = Buffer.concat([buffered, d]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0))
        done(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
    });
  });
}

const truncated = (b: Buffer) => b.length >= 4 && (b.readUInt16BE(2) & 0x0200) !== 0;

export class Upstream {
  readonly servers: UpstreamServer[];
  private readonly timeoutMs: number;

  constructor(servers: UpstreamServer[], timeoutMs = 2000) {
    this.servers = servers;
    this.timeoutMs = timeoutMs;
  }

  /** The first answer from the servers in turn; undefined when none answers. */
  async forward(query: Buffer, tcp = false): Promise<Buffer | undefined> {
    for (const server of this.servers) {
      let answer = tcp ? undefined : await overUdp(server, query, this.timeoutMs);
      if (tcp || (answer && truncated(answer)))
        answer = (await overTcp(server, query, this.timeoutMs)) ?? answer;
      if (answer) return answer;
    }
    return undefined;
  }
}
