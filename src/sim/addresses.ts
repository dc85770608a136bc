/**
 * Fake addresses. Node i of a simulator gets InternalIP 127.x.y.z = 127.0.0.2 + i (inside
 * loopback, so nothing real answers elsewhere) and, unless the node has a spec.podCIDR, pods
 * from 10.(200 + i / 256).(i % 256).0/24.
 */

const ipv4 = (n: number) => `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

export function nodeIP(index: number): string {
  return ipv4(((127 << 24) >>> 0) + 2 + index);
}

export function fallbackPodCIDR(index: number): string {
  return `10.${200 + Math.floor(index / 256)}.${index % 256}.0/24`;
}

/** Hands out pod IPs of one node's IPv4 CIDR, skipping the network and first address. */
export class PodIPs {
  private base = 0;
  private size = 0;
  private next = 2;
  private readonly used = new Set<number>();

  constructor(cidr: string) {
    this.setCIDR(cidr);
  }

  /** Uses a new range for later pods (a podCIDR assigned after registration). */
  setCIDR(cidr: string): void {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m) return;
    const bits = Math.min(30, Math.max(8, Number(m[5])));
    const addr = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
    this.size = 2 ** (32 - bits);
    this.base = addr - (addr % this.size);
    this.next = 2;
    this.used.clear();
  }

  /** The next free address; when the range is full, addresses are reused. */
  allocate(): string {
    const usable = this.size - 3;
    for (let tries = 0; tries < usable; tries++) {
      const offset = this.next;
      this.next = this.next + 1 >= this.size - 1 ? 2 : this.next + 1;
      if (!this.used.has(offset)) {
        this.used.add(offset);
        return ipv4(this.base + offset);
      }
    }
    return ipv4(this.base + 2);
  }

  /** Marks an address as taken (a pod adopted with its IP). */
  claim(ip: string): void {
    const offset = this.offsetOf(ip);
    if (offset !== undefined) this.used.add(offset);
  }

  release(ip: string | undefined): void {
    const offset = ip === undefined ? undefined : this.offsetOf(ip);
    if (offset !== undefined) this.used.delete(offset);
  }

  private offsetOf(ip: string): number | undefined {
    const parts = ip.split('.').map(Number);
    if (parts.length !== 4) return undefined;
    const n = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
    const offset = n - this.base;
    return offset >= 0 && offset < this.size ? offset : undefined;
  }
}
