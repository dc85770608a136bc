/**
 * The cluster DNS address (10.43.0.10) held by a dummy interface on the node, so the node's own
 * DNS listener answers there for its pods (their traffic reaches it through the bridge gateway)
 * and for the host, with no NAT, as NodeLocal DNSCache does with its link-local address.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The node's DNS interface: `skdns` + 8 hex of its name (nodes sharing a netns keep apart). */
export function dnsInterfaceFor(nodeName: string): string {
  return `skdns${createHash('sha256').update(nodeName).digest('hex').slice(0, 8)}`;
}

async function ip(args: string[]): Promise<{ ok: boolean; stderr: string }> {
  try {
    await run('ip', args);
    return { ok: true, stderr: '' };
  } catch (e) {
    return { ok: false, stderr: String((e as { stderr?: string }).stderr ?? e) };
  }
}

/** Creates the interface (if missing) and gives it `address/32` (if missing). */
export async function ensureDnsAddress(address: string, ifname: string): Promise<void> {
  const show = await ip(['link', 'show', ifname]);
  if (!show.ok) {
    const add = await ip(['link', 'add', ifname, 'type', 'dummy']);
    if (!add.ok && !/File exists/.test(add.stderr))
      throw new Error(`ip link add ${ifname}: ${add.stderr.trim()}`);
  }
  const up = await ip(['link', 'set', ifname, 'up']);
  if (!up.ok) throw new Error(`ip link set ${ifname} up: ${up.stderr.trim()}`);
  const addr = await ip(['addr', 'add', `${address}/32`, 'dev', ifname]);
  if (!addr.ok && !/File exists/.test(addr.stderr))
    throw new Error(`ip addr add ${address}: ${addr.stderr.trim()}`);
}

/** Removes the interface (and its address); nothing when it is not there. */
export async function removeDnsAddress(ifname: string): Promise<void> {
  await ip(['link', 'del', ifname]);
}
