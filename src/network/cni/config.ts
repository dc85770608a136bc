/**
 * The node's CNI network: one conflist, `<confDir>/10-skiff.conflist`, that containerd's CRI
 * plugin loads (max_conf_num = 1) for every pod sandbox:
 *   bridge (the node's bridge is the pods' gateway; no masquerade here, the proxy's nftables
 *   table does that) with host-local IPAM over the node's podCIDR → portmap (hostPort) → loopback.
 * This is the shape verified on these machines (notes/cri-spike.md). containerd picks up a
 * rewritten file without a restart; the file is written atomically so it never sees half of it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CONFLIST_NAME = '10-skiff.conflist';
export const NETWORK_NAME = 'skiff';
export const CNI_VERSION = '1.0.0';
/** Linux interface names are at most 15 bytes (IFNAMSIZ 16 with the NUL). */
export const MAX_IFNAME = 15;

export interface CniConfigOptions {
  confDir: string;
  /** This node's slice of the cluster CIDR, e.g. 10.42.0.0/24. */
  podCidr: string;
  /** The bridge's name; see bridgeNameFor(). */
  bridge: string;
  /** host-local's allocation directory (per node, so nodes on one machine do not share it). */
  ipamDataDir: string;
  /** The whole cluster's pod CIDR, e.g. 10.42.0.0/16; podCidr must lie inside it. */
  clusterCidr: string;
  mtu?: number;
}

export class CniConfigError extends Error {
  override readonly name = 'CniConfigError';
}

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  bits: number;
}

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses an IPv4 CIDR whose host bits are zero. */
export function parseIpv4Cidr(field: string, cidr: string): Ipv4Cidr {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(cidr ?? '');
  const ip = m ? ipToNumber(m[1]!) : undefined;
  const bits = m ? Number(m[2]) : Number.NaN;
  if (ip === undefined || !(bits >= 0 && bits <= 32)) {
    throw new CniConfigError(`${field} "${cidr}" is not an IPv4 CIDR like 10.42.0.0/24`);
  }
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  if ((ip & ~mask) >>> 0 !== 0) {
    throw new CniConfigError(
      `${field} "${cidr}" has host bits set (did you mean ${numberToIp((ip & mask) >>> 0)}/${bits}?)`,
    );
  }
  return { base: ip, bits };
}

function contains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  if (inner.bits < outer.bits) return false;
  const mask = outer.bits === 0 ? 0 : (0xffffffff << (32 - outer.bits)) >>> 0;
  return (inner.base & mask) >>> 0 === outer.base;
}

/** A stable, unique-per-node bridge name: "sk" + 8 hex digits of the node name's hash. */
export function bridgeNameFor(nodeName: string): string {
  return `sk${createHash('sha256').update(nodeName).digest('hex').slice(0, 8)}`;
}

export function validateBridgeName(name: string): void {
  if (
    !/^[A-Za-z0-9_.-]+$/.test(name) ||
    Buffer.byteLength(name) > MAX_IFNAME ||
    name === '.' ||
    name === '..'
  ) {
    throw new CniConfigError(
      `bridge name "${name}" must be 1-${MAX_IFNAME} characters of letters, digits, "_", "-" or "."`,
    );
  }
}

/** The conflist as an object (what is written, before JSON). */
export function cniConflist(opts: CniConfigOptions): Record<string, unknown> {
  const pod = parseIpv4Cidr('podCidr', opts.podCidr);
  const cluster = parseIpv4Cidr('clusterCidr', opts.clusterCidr);
  if (!contains(cluster, pod)) {
    throw new CniConfigError(`podCidr ${opts.podCidr} is not inside clusterCidr ${opts.clusterCidr}`);
  }
  if (pod.bits > 30) throw new CniConfigError(`podCidr ${opts.podCidr} is too small for pods (at most /30)`);
  validateBridgeName(opts.bridge);
  if (!opts.ipamDataDir?.startsWith('/')) {
    throw new CniConfigError(`ipamDataDir must be an absolute path, got "${opts.ipamDataDir ?? ''}"`);
  }
  const bridge: Record<string, unknown> = {
    type: 'bridge',
    bridge: opts.bridge,
    isGateway: true,
    hairpinMode: true,
    ipMasq: false,
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet: opts.podCidr, gateway: numberToIp(pod.base + 1) }]],
      routes: [{ dst: '0.0.0.0/0' }],
      dataDir: opts.ipamDataDir,
    },
  };
  if (opts.mtu !== undefined) bridge.mtu = opts.mtu;
  return {
    cniVersion: CNI_VERSION,
    name: NETWORK_NAME,
    plugins: [bridge, { type: 'portmap', capabilities: { portMappings: true } }, { type: 'loopback' }],
  };
}

/** Writes `<confDir>/10-skiff.conflist` atomically (temp file + rename); returns its path. */
export function writeCniConfig(opts: CniConfigOptions): string {
  if (!opts.confDir?.startsWith('/')) {
    throw new CniConfigError(`confDir must be an absolute path, got "${opts.confDir ?? ''}"`);
  }
  const body = `${JSON.stringify(cniConflist(opts), null, 2)}\n`;
  mkdirSync(opts.confDir, { recursive: true });
  mkdirSync(opts.ipamDataDir, { recursive: true });
  const path = join(opts.confDir, CONFLIST_NAME);
  // Not *.conf/*.conflist/*.json, so libcni never loads the temp file.
  const tmp = join(opts.confDir, `.${CONFLIST_NAME}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, body, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return path;
}
