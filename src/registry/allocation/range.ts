/**
 * One allocation range (upstream's bitmap allocator, pkg/registry/core/service/allocator):
 * offsets 0..size-1, a lower "static" band of `offset` entries that random allocation uses
 * only once the upper band is full (ServiceIPStaticSubrange / ServiceNodePortStaticSubrange).
 *
 * What is taken comes from two places: values held by stored objects (kept in step with a
 * watch, keyed by the owner, `namespace/name`), and short-lived claims made at admission for a
 * write that is not stored yet. A value is free for an owner when nobody else holds or claims
 * it, so a dry run followed by the real write of the same object does not collide with itself.
 */
export interface RangeOptions {
  readonly size: number;
  readonly offset: number;
  /** How long an admission claim lasts without its object showing up in storage. */
  readonly claimTtlMs?: number;
  readonly now?: () => number;
  readonly random?: (n: number) => number;
}

export class AllocationRange {
  readonly size: number;
  readonly offset: number;
  private readonly held = new Map<number, Set<string>>();
  private readonly byOwner = new Map<string, number[]>();
  private readonly claims = new Map<number, { owner: string; expires: number }>();
  private readonly claimTtlMs: number;
  private readonly now: () => number;
  private readonly random: (n: number) => number;

  constructor(options: RangeOptions) {
    this.size = options.size;
    this.offset = Math.min(options.offset, options.size);
    this.claimTtlMs = options.claimTtlMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? ((n) => Math.floor(Math.random() * n));
  }

  /** Replaces what a stored object holds (an empty list: it holds nothing, or is gone). */
  setHeld(owner: string, values: readonly number[]): void {
    for (const v of this.byOwner.get(owner) ?? []) {
      const owners = this.held.get(v);
      owners?.delete(owner);
      if (owners?.size === 0) this.held.delete(v);
    }
    const inRange = values.filter((v) => v >= 0 && v < this.size);
    if (inRange.length === 0) this.byOwner.delete(owner);
    else this.byOwner.set(owner, inRange);
    for (const v of inRange) {
      let owners = this.held.get(v);
      if (!owners) {
        owners = new Set();
        this.held.set(v, owners);
      }
      owners.add(owner);
      if (this.claims.get(v)?.owner === owner) this.claims.delete(v);
    }
  }

  isFree(v: number, owner: string): boolean {
    const owners = this.held.get(v);
    if (owners && [...owners].some((o) => o !== owner)) return false;
    const claim = this.claims.get(v);
    if (!claim || claim.owner === owner) return true;
    if (claim.expires > this.now()) return false;
    this.claims.delete(v);
    return true;
  }

  /** Claims a value for an owner; false when someone else has it. */
  claim(v: number, owner: string): boolean {
    if (!this.isFree(v, owner)) return false;
    this.claims.set(v, { owner, expires: this.now() + this.claimTtlMs });
    return true;
  }

  /** Drops a claim made by this owner (a failed admission giving back what it took). */
  unclaim(v: number, owner: string): void {
    if (this.claims.get(v)?.owner === owner) this.claims.delete(v);
  }

  /**
   * A random free value, the upper band first (upstream's randomScanStrategyWithOffset),
   * skipping `reserved`; claimed for `owner`. Undefined when the range is full.
   */
  next(owner: string, reserved: ReadonlySet<number> = new Set()): number | undefined {
    const scan = (from: number, count: number): number | undefined => {
      if (count <= 0) return undefined;
      const start = this.random(count);
      for (let i = 0; i < count; i++) {
        const v = from + ((start + i) % count);
        if (!reserved.has(v) && this.claim(v, owner)) return v;
      }
      return undefined;
    };
    return scan(this.offset, this.size - this.offset) ?? scan(0, this.offset);
  }

  /** Values held by stored objects or claimed (for tests and diagnostics). */
  used(): number {
    return new Set([...this.held.keys(), ...this.claims.keys()]).size;
  }
}

/** upstream's calculateRangeOffset: min(max(lo, size/step), hi), 0 for tiny ranges. */
export function staticBand(size: number, lo: number, hi: number, step: number): number {
  if (size <= lo) return 0;
  return Math.min(Math.max(lo, Math.floor(size / step)), hi);
}
