/**
 * The cluster DNS address (10.43.0.10) made local to the node by adding it to the loopback
 * interface, so the node's own DNS listener answers there for its pods (their traffic reaches
 * the host through the bridge gateway) and for the host itself, with no NAT — as NodeLocal
 * DNSCache does with its link-local address. (A dummy interface would be tidier, but not every
 * kernel has the dummy driver; loopback is always there.)
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The address label (`lo:` + 8 hex of the node name), which marks the address as the agent's. */
export function dnsLabelFor(nodeName: string): string {
  return `lo:${createHash('sha256').update(nodeName).digest('hex').slice(0, 8)}`;
}

async function ip(args: string[]): Promise<{ ok: boolean; stderr: string }> {
  try {
    await run('ip', args);
    return { ok: true, stderr: '' };
  } catch (e) {
    return { ok: false, stderr: String((e as { stderr?: string }).stderr ?? e) };
  }
}

/** Adds `address/32` to lo with the node's label, unless it is there already. */
export async function ensureDnsAddress(address: string, label: string): Promise<void> {
  const add = await ip(['addr', 'add', `${address}/32`, 'dev', 'lo', 'label', label]);
  if (!add.ok && !/File exists/.test(add.stderr))
    throw new Error(`ip addr add ${address}: ${add.stderr.trim()}`);
}

/** Removes the address from lo; nothing when it is not there. */
export async function removeDnsAddress(address: string): Promise<void> {
  await ip(['addr', 'del', `${address}/32`, 'dev', 'lo']);
}
