/**
 * Kernel settings a node's pod network needs: forwarding between the bridge and the outside, and
 * bridged traffic passing through netfilter (br_netfilter), without which a pod cannot reach a
 * Service whose endpoint sits on the same bridge (or itself, hairpin).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

function setSysctl(name: string, value: string): string | undefined {
  const file = `/proc/sys/${name.replaceAll('.', '/')}`;
  try {
    if (readFileSync(file, 'utf8').trim() !== value) writeFileSync(file, value);
    return undefined;
  } catch (e) {
    return `${name}=${value}: ${(e as Error).message}`;
  }
}

/** Applies the settings; returns what could not be set (the caller logs it), never throws. */
export async function ensureNodeNetworking(): Promise<string[]> {
  const problems: string[] = [];
  if (!existsSync('/proc/sys/net/bridge')) {
    await run('modprobe', ['br_netfilter']).catch((e: Error) =>
      problems.push(`modprobe br_netfilter: ${e.message.trim()}`),
    );
  }
  for (const [name, value] of [
    ['net.ipv4.ip_forward', '1'],
    ['net.bridge.bridge-nf-call-iptables', '1'],
    ['net.bridge.bridge-nf-call-ip6tables', '1'],
  ] as const) {
    const problem = setSysctl(name, value);
    if (problem) problems.push(problem);
  }
  return problems;
}
