/**
 * The service IP range (an IPv4 CIDR without its network and broadcast addresses) and the
 * NodePort range, each mapped onto an AllocationRange, with upstream's allocator errors.
 */
import { isIPv4 } from 'node:net';
import { AllocationRange, type RangeOptions, staticBand } from './range.ts';

export function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export interface Ipv4Cidr {
  /** The network address as a number. */
  readonly base: number;
  readonly bits: number;
  /** Canonical text: `10.43.0.0/16`. */
  readonly text: string;
}

export function parseIpv4Cidr(cidr: string): Ipv4Cidr {
  const [ip, len] = cidr.split('/');
  const bits = Number(len);
  if (!ip || !isIPv4(ip) || !/^\d{1,2}$/.test(len ?? '') || bits > 32)
    throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - bits);
  const base = Math.floor(ipv4ToNumber(ip) / size) * size;
  return { base, bits, text: `${numberToIpv4(base)}/${bits}` };
}

/** Allocator errors (ipallocator/portallocator), the text the API shows after the field. */
export class AllocatorError extends Error {
  readonly kind: 'NotInRange' | 'Allocated' | 'Full';
  constructor(kind: AllocatorError['kind'], message: string) {
    super(message);
    this.kind = kind;
  }
}

type Extra = Omit<RangeOptions, 'size' | 'offset'>;

/** Service ClusterIPs: offsets count from the first usable address (network + 1). */
export class ServiceIPRange {
  readonly cidr: Ipv4Cidr;
  readonly range: AllocationRange;
  private readonly reserved: Set<number>;

  constructor(cidr: string, reserved: readonly string[] = [], extra: Extra = {}) {
    this.cidr = parseIpv4Cidr(cidr);
    const total = 2 ** (32 - this.cidr.bits);
    const size = total > 2 ? total - 2 : total;
    this.range = new AllocationRange({ ...extra, size, offset: staticBand(size, 16, 256, 16) });
    this.reserved = new Set(reserved.map((ip) => this.offsetOf(ip)).filter((o) => o !== undefined));
  }

  /** The offset of an address in the range, undefined when outside it. */
  offsetOf(ip: string): number | undefined {
    if (!isIPv4(ip)) return undefined;
    const o = ipv4ToNumber(ip) - this.cidr.base - 1;
    return o >= 0 && o < this.range.size ? o : undefined;
  }

  /** Claims a requested address for `owner`, or throws upstream's allocator error. */
  allocate(ip: string, owner: string): void {
    const o = this.offsetOf(ip);
    if (o === undefined)
      throw new AllocatorError(
        'NotInRange',
        `provided IP is not in the valid range. The range of valid IPs is ${this.cidr.text}`,
      );
    if (!this.range.claim(o, owner))
      throw new AllocatorError('Allocated', 'provided IP is already allocated');
  }

  /** A random free address (never a reserved one such as the DNS Service's), claimed. */
  allocateNext(owner: string): string {
    const o = this.range.next(owner, this.reserved);
    if (o === undefined) throw new AllocatorError('Full', 'range is full');
    return numberToIpv4(this.cidr.base + 1 + o);
  }

  release(ip: string, owner: string): void {
    const o = this.offsetOf(ip);
    if (o !== undefined) this.range.unclaim(o, owner);
  }

  setHeld(owner: string, ips: readonly string[]): void {
    this.range.setHeld(
      owner,
      ips.map((ip) => this.offsetOf(ip)).filter((o): o is number => o !== undefined),
    );
  }
}

/** NodePorts: `30000-32767` by default. */
export class NodePortRange {
  readonly base: number;
  readonly text: string;
  readonly range: AllocationRange;

  constructor(text = '30000-32767', extra: Extra = {}) {
    const m = /^(\d+)(?:-(\d+)|\+(\d+))?$/.exec(text.trim());
    if (!m) throw new Error(`not a port range: ${text}`);
    const base = Number(m[1]);
    const last = m[2] ? Number(m[2]) : m[3] ? base + Number(m[3]) : base;
    if (last < base || last > 65535) throw new Error(`not a port range: ${text}`);
    this.base = base;
    this.text = `${base}-${last}`;
    const size = last - base + 1;
    this.range = new AllocationRange({ ...extra, size, offset: staticBand(size, 16, 128, 32) });
  }

  contains(port: number): boolean {
    return port >= this.base && port < this.base + this.range.size;
  }

  allocate(port: number, owner: string): void {
    if (!this.contains(port))
      throw new AllocatorError(
        'NotInRange',
        `provided port is not in the valid range. The range of valid ports is ${this.text}`,
      );
    if (!this.range.claim(port - this.base, owner))
      throw new AllocatorError('Allocated', 'provided port is already allocated');
  }

  allocateNext(owner: string): number {
    const o = this.range.next(owner);
    if (o === undefined) throw new AllocatorError('Full', 'range is full');
    return this.base + o;
  }

  release(port: number, owner: string): void {
    if (this.contains(port)) this.range.unclaim(port - this.base, owner);
  }

  setHeld(owner: string, ports: readonly number[]): void {
    this.range.setHeld(
      owner,
      ports.filter((p) => this.contains(p)).map((p) => p - this.base),
    );
  }
}
