/**
 * A coalescing work queue: a key queued again before it is worked on is worked on once, and
 * at most `concurrency` keys are worked on at a time. The worker computes what to write when it
 * runs, so a burst of changes to one pod costs one request.
 */
export class KeyedQueue {
  private readonly ready = new Set<string>();
  private readonly active = new Set<string>();
  /** Keys queued again while being worked on: requeued when that finishes. */
  private readonly again = new Set<string>();
  private readonly work: (key: string) => Promise<void>;
  private readonly concurrency: number;
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(concurrency: number, work: (key: string) => Promise<void>) {
    this.concurrency = concurrency;
    this.work = work;
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) this.again.add(key);
    else this.ready.add(key);
    this.pump();
  }

  get length(): number {
    return this.ready.size + this.active.size;
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.ready.clear();
    this.again.clear();
  }

  private pump(): void {
    while (this.running < this.concurrency && this.ready.size > 0) {
      const key = this.ready.values().next().value as string;
      this.ready.delete(key);
      this.active.add(key);
      this.running++;
      void this.work(key)
        .catch(() => {})
        .finally(() => {
          this.running--;
          this.active.delete(key);
          if (this.again.delete(key) && !this.stopped) this.ready.add(key);
          this.pump();
          if (this.length === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const w of waiters) w();
          }
        });
    }
  }
}
