import { isIP } from 'node:net';
import os from 'node:os';

/** Subject alternative names of a serving certificate. */
export interface Sans {
  readonly dns: readonly string[];
  readonly ips: readonly string[];
}

/** The names the API server answers to inside the cluster, as kube-apiserver adds them. */
export const KUBERNETES_SERVICE_NAMES = [
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
] as const;

/** What defaultSans reads from the machine; tests pass their own. */
export interface HostInfo {
  readonly hostname: string;
  readonly interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>;
}

/**
 * The API server's serving SANs: loopback names and addresses, the host name, every
 * non-internal interface address (IPv6 link-local ones excepted: they mean nothing without
 * a zone), the in-cluster `kubernetes` names, the Service IP, and each extra entry
 * (--tls-san), classified as IP or DNS name.
 */
export function defaultSans(
  extra: readonly string[],
  serviceIp: string,
  host: HostInfo = { hostname: os.hostname(), interfaces: os.networkInterfaces() },
): Sans {
  const names = ['localhost', '127.0.0.1', '::1', host.hostname];
  for (const addresses of Object.values(host.interfaces)) {
    for (const a of addresses ?? []) {
      if (!a.internal && !isIpv6LinkLocal(a.address)) names.push(a.address);
    }
  }
  names.push(...KUBERNETES_SERVICE_NAMES, serviceIp, ...extra);
  return classifySans(names);
}

/** Splits names into IPs and DNS names, canonicalized and deduplicated, first occurrence first. */
export function classifySans(names: readonly string[]): Sans {
  const dns = new Set<string>();
  const ips = new Set<string>();
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') continue;
    const ip = canonicalIp(name);
    if (ip !== undefined) ips.add(ip);
    else dns.add(name.toLowerCase());
  }
  return { dns: [...dns], ips: [...ips] };
}

/** Canonicalizes both lists, so equal sets compare equal however they were written. */
export function normalizeSans(sans: Sans): Sans {
  return classifySans([...sans.dns, ...sans.ips]);
}

/** Set equality after canonicalization (order, case, IPv6 spelling and duplicates ignored). */
export function sameSans(a: Sans, b: Sans): boolean {
  const x = normalizeSans(a);
  const y = normalizeSans(b);
  return sameSet(x.dns, y.dns) && sameSet(x.ips, y.ips);
}

/**
 * The canonical text of an IP address (IPv6 compressed and lower case, as URL hosts are
 * written), or undefined when s is not an IP. Brackets around IPv6 are accepted.
 */
export function canonicalIp(s: string): string | undefined {
  const bare = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return undefined;
}

function isIpv6LinkLocal(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}

/** Whether a and b hold the same strings, ignoring order and duplicates. */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((v) => set.has(v));
}
