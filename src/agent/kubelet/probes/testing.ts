/** Shared bits of the probe tests. */

import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { ExecInContainer, ProbeTarget } from './types.ts';

export const pod: V1Pod = { metadata: { name: 'p', namespace: 'default', uid: 'u1' } };

export function target(container: Partial<V1Container> = {}, exec?: ExecInContainer): ProbeTarget {
  return {
    pod,
    container: { name: 'c', ...container },
    containerId: 'cid',
    podIp: '127.0.0.1',
    exec: exec ?? (async () => ({ exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) })),
  };
}

/** A loopback port nothing listens on. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}
