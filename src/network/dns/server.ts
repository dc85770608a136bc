/**
 * The node-local cluster DNS listener: UDP and TCP on one address and port, answering from the
 * current record index. A malformed query gets FORMERR (when it has a header to answer) and the
 * server keeps serving.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import * as dns from 'dns-packet';
import type pino from 'pino';
import { answer, RCODE } from './answer.ts';
import type { Upstream } from './forward.ts';
import type { RecordIndex } from './records.ts';

export interface DnsServerOptions {
  host: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  index(): RecordIndex;
  upstream: Upstream;
  log: pino.Logger;
}

export interface DnsServer {
  readonly port: number;
  close(): Promise<void>;
}

const CLASSIC_UDP_SIZE = 512;

/** A FORMERR header for a query that could not be decoded (id and opcode kept), if it has one. */
function formErr(raw: Buffer): Buffer | undefined {
  if (raw.length < 12 || (raw.readUInt16BE(2) & 0x8000) !== 0) return undefined;
  const out = Buffer.alloc(12);
  out.writeUInt16BE(raw.readUInt16BE(0), 0);
  out.writeUInt16BE(0x8000 | (raw.readUInt16BE(2) & 0x7900) | RCODE.FORMERR, 2);
  return out;
}

/** Encodes a reply; over UDP, one larger than the client accepts is cut to a header with TC set. */
function encodeReply(packet: dns.Packet, limit: number | undefined): Buffer {
  const full = dns.encode(packet);
  if (limit === undefined || full.length <= limit) return full;
  return dns.encode({
    ...packet,
    flags: (packet.flags ?? 0) | dns.TRUNCATED_RESPONSE,
    answers: [],
    additionals: [],
    authorities: [],
  });
}

function udpLimit(query: dns.DecodedPacket): number {
  const opt = query.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return Math.max(CLASSIC_UDP_SIZE, Math.min(opt?.udpPayloadSize ?? CLASSIC_UDP_SIZE, 4096));
}

export async function startDnsServer(o: DnsServerOptions): Promise<DnsServer> {
  const handle = async (raw: Buffer, tcp: boolean): Promise<Buffer | undefined> => {
    let query: dns.DecodedPacket;
    try {
      query = dns.decode(raw);
    } catch {
      return formErr(raw);
    }
    if (query.type !== 'query') return undefined;
    const reply = await answer(o.index(), query, raw, (q) => o.upstream.forward(q, tcp));
    if (reply.raw) return reply.raw;
    return encodeReply(reply.packet, tcp ? undefined : udpLimit(query));
  };

  const tcpServer = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (d) => {
      buffered = Buffer.concat([buffered, d]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const msg = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + msg.length);
        void handle(Buffer.from(msg), true).then((out) => {
          if (!out || socket.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          socket.write(Buffer.concat([len, out]));
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcpServer.once('error', reject);
    tcpServer.listen(o.port, o.host, () => resolve());
  });
  const port = (tcpServer.address() as net.AddressInfo).port;
  const udp = dgram.createSocket(o.host.includes(':') ? 'udp6' : 'udp4');
  udp.on('message', (msg, rinfo) => {
    handle(msg, false).then(
      (out) => {
        if (out) udp.send(out, rinfo.port, rinfo.address);
      },
      (e) => o.log.warn({ err: String(e) }, 'DNS query failed'),
    );
  });
  udp.on('error', (e) => o.log.warn({ err: String(e) }, 'DNS UDP socket error'));
  try {
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, o.host, () => resolve());
    });
  } catch (e) {
    tcpServer.close();
    throw e;
  }
  o.log.info({ host: o.host, port }, 'cluster DNS listening');
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        udp.close();
        tcpServer.close(() => resolve());
      }),
  };
}
