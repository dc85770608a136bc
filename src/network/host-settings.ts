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

/**
 * Applies the settings; returns what could not be set (the caller logs it), never throws.
 * `routeLocalnet` (a node IP on loopback): connections to a NodePort or LoadBalancer IP on
 * 127.0.0.1 are DNATed to pods behind the bridge, which the kernel drops as martians unless
 * net.ipv4.conf.all.route_localnet=1, as kube-proxy sets it. The service proxy then drops new
 * connections to 127.0.0.0/8 arriving on any other interface (CVE-2020-8558).
 */
export async function ensureNodeNetworking(options: { routeLocalnet?: boolean } = {}): Promise<string[]> {
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
    ...(options.routeLocalnet ? ([['net.ipv4.conf.all.route_localnet', '1']] as const) : []),
  ] as const) {
    const problem = setSysctl(name, value);
    if (problem) problems.push(problem);
  }
  return problems;
}
