/**
 * upstream's RateLimitedTimedQueue for NoExecute tainting, one per zone: a node enters once
 * per not-ready episode (until removed when it is reachable again), and is processed when the
 * zone's token bucket allows (0.1/s, burst 1 by default; 0 stops tainting).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  readonly qps: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(qps: number, burst = 1, now: () => number = Date.now) {
    this.qps = qps;
    this.burst = burst;
    this.tokens = burst;
    this.now = now;
    this.last = now();
  }

  tryAccept(): boolean {
    if (this.qps <= 0) return false;
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class ZoneTainter {
  private readonly seen = new Set<string>();
  private queue: string[] = [];
  private bucket: TokenBucket;
  private readonly now: () => number;

  constructor(qps: number, now: () => number = Date.now) {
    this.now = now;
    this.bucket = new TokenBucket(qps, 1, now);
  }

  /** Adds a node unless it was added since it was last removed; true when added. */
  add(name: string): boolean {
    if (this.seen.has(name)) return false;
    this.seen.add(name);
    this.queue.push(name);
    return true;
  }

  remove(name: string): void {
    this.seen.delete(name);
    this.queue = this.queue.filter((n) => n !== name);
  }

  swapLimiter(qps: number): void {
    if (qps !== this.bucket.qps) this.bucket = new TokenBucket(qps, 1, this.now);
  }

  get length(): number {
    return this.queue.length;
  }

  /** Processes queued nodes while the bucket allows; a false result keeps the node queued. */
  async try(fn: (name: string) => Promise<boolean>): Promise<void> {
    const pending = [...this.queue];
    for (const name of pending) {
      if (!this.queue.includes(name)) continue;
      if (!this.bucket.tryAccept()) return;
      if (await fn(name)) this.queue = this.queue.filter((n) => n !== name);
    }
  }
}
