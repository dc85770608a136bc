/**
 * upstream's cidrset (pkg/controller/nodeipam/ipam/cidrset): the cluster CIDR cut into
 * per-node subnets (/24 from 10.42.0.0/16), handed out in order from a rotating candidate.
 */
import { numberToIpv4, parseIpv4Cidr } from '../../registry/allocation/ranges.ts';

export class CidrSet {
  readonly clusterCidr: string;
  readonly maskSize: number;
  private readonly base: number;
  private readonly count: number;
  private readonly used = new Set<number>();
  private next = 0;

  constructor(clusterCidr: string, maskSize = 24) {
    const cidr = parseIpv4Cidr(clusterCidr);
    if (maskSize < cidr.bits || maskSize > 32)
      throw new Error(`node mask /${maskSize} does not fit ${clusterCidr}`);
    this.clusterCidr = cidr.text;
    this.maskSize = maskSize;
    this.base = cidr.base;
    this.count = 2 ** (maskSize - cidr.bits);
  }

  get size(): number {
    return this.count;
  }

  get allocated(): number {
    return this.used.size;
  }

  cidrOf(index: number): string {
    return `${numberToIpv4(this.base + index * 2 ** (32 - this.maskSize))}/${this.maskSize}`;
  }

  /** The subnet index of a CIDR, undefined unless it is one of this set's subnets. */
  indexOf(cidr: string): number | undefined {
    let parsed: ReturnType<typeof parseIpv4Cidr>;
    try {
      parsed = parseIpv4Cidr(cidr);
    } catch {
      return undefined;
    }
    if (parsed.bits !== this.maskSize) return undefined;
    const offset = parsed.base - this.base;
    const step = 2 ** (32 - this.maskSize);
    if (offset < 0 || offset % step !== 0 || offset / step >= this.count) return undefined;
    return offset / step;
  }

  /** The next free subnet, undefined when every one is taken. */
  allocateNext(): string | undefined {
    for (let i = 0; i < this.count; i++) {
      const candidate = (this.next + i) % this.count;
      if (this.used.has(candidate)) continue;
      this.used.add(candidate);
      this.next = (candidate + 1) % this.count;
      return this.cidrOf(candidate);
    }
    return undefined;
  }

  /** Marks a subnet as used; false when it is not one of this set's subnets. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    this.used.add(i);
    return true;
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used.delete(i);
  }

  isUsed(cidr: string): boolean {
    const i = this.indexOf(cidr);
    return i !== undefined && this.used.has(i);
  }
}
