/**
 * host-gw routing (as flannel's host-gw backend): for every other node, `<podCIDR> via
 * <InternalIP>`. Every route skiff adds carries `proto 77`, so sync and clean-up only ever
 * touch their own.
 */
import { execFile } from 'node:child_process';
import { isIP } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The rtnetlink protocol number of skiff's routes (unassigned by iproute2's rt_protos). */
export const ROUTE_PROTO = '77';

export interface NodeRouteFacts {
  readonly name: string;
  readonly podCidr?: string;
  readonly internalIp?: string;
}

export interface RouteNode {
  metadata?: { name?: string };
  spec?: { podCIDR?: string };
  status?: { addresses?: { type: string; address: string }[] };
}

export function routeFacts(node: RouteNode): NodeRouteFacts {
  return {
    name: node.metadata?.name ?? '',
    podCidr: node.spec?.podCIDR,
    internalIp: node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
  };
}

const CIDR = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/;

/** podCIDR → gateway for every node but self with an IPv4 podCIDR and InternalIP. */
export function desiredRoutes(nodes: Iterable<NodeRouteFacts>, self: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of nodes) {
    if (n.name === self || !n.podCidr || !n.internalIp) continue;
    const m = CIDR.exec(n.podCidr);
    if (!m || isIP(m[1] as string) !== 4 || Number(m[2]) > 32 || isIP(n.internalIp) !== 4) continue;
    out.set(n.podCidr, n.internalIp);
  }
  return out;
}

export interface InstalledRoute {
  readonly dst: string;
  readonly gateway?: string;
}

async function ip(args: string[]): Promise<string> {
  const { stdout } = await run('ip', args, { timeout: 10_000 });
  return stdout;
}

/** skiff's routes in the main table. */
export async function listRoutes(): Promise<InstalledRoute[]> {
  const out = await ip(['-j', '-4', 'route', 'show', 'proto', ROUTE_PROTO]);
  const parsed = JSON.parse(out.trim() || '[]') as { dst: string; gateway?: string }[];
  return parsed.map((r) => ({ dst: r.dst, gateway: r.gateway }));
}

/** The changes that make installed equal desired (routes not desired are deleted). */
export function planRoutes(installed: readonly InstalledRoute[], desired: ReadonlyMap<string, string>) {
  const have = new Map(installed.map((r) => [r.dst, r.gateway]));
  const replace = [...desired].filter(([dst, via]) => have.get(dst) !== via);
  const remove = [...have.keys()].filter((dst) => !desired.has(dst));
  return { replace, remove };
}

/** Applies desired; returns the errors (an unreachable gateway, say), one per route. */
export async function syncRoutes(desired: ReadonlyMap<string, string>): Promise<string[]> {
  const { replace, remove } = planRoutes(await listRoutes(), desired);
  const errors: string[] = [];
  for (const [dst, via] of replace) {
    await ip(['route', 'replace', dst, 'via', via, 'proto', ROUTE_PROTO]).catch(
      (e: Error & { stderr?: string }) =>
        errors.push(`route ${dst} via ${via}: ${(e.stderr ?? e.message).trim()}`),
    );
  }
  for (const dst of remove) {
    await ip(['route', 'del', dst, 'proto', ROUTE_PROTO]).catch((e: Error & { stderr?: string }) =>
      errors.push(`delete route ${dst}: ${(e.stderr ?? e.message).trim()}`),
    );
  }
  return errors;
}

/** `skiff agent --cleanup`: removes every skiff route of this namespace; returns how many. */
export async function cleanupRoutes(): Promise<number> {
  let routes: InstalledRoute[];
  try {
    routes = await listRoutes();
  } catch {
    return 0;
  }
  await syncRoutes(new Map());
  return routes.length;
}
