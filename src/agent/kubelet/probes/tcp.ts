/** tcpSocket probe: a TCP connection that opens within the timeout is a success. */
import net from 'node:net';
import { failure, type ProbeResult, success } from './types.ts';

export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (r: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const timer = setTimeout(() => done(failure(`dial tcp ${address}: i/o timeout`)), timeoutMs);
    socket.once('connect', () => done(success()));
    socket.once('error', (e: NodeJS.ErrnoException) => done(failure(`dial tcp ${address}: ${dialError(e)}`)));
  });
}

/** Node's errno codes in the words Go's net package uses (what users see in events upstream). */
export function dialError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connect: connection refused';
    case 'EHOSTUNREACH':
      return 'connect: no route to host';
    case 'ENETUNREACH':
      return 'connect: network is unreachable';
    case 'ECONNRESET':
      return 'read: connection reset by peer';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `lookup: no such host`;
    default:
      return e.message;
  }
}
