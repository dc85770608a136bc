import { errors } from './errors.ts';
import { inRange, type KeyRange } from './keys.ts';
import type { Watch, WatchEvent } from './types.ts';

/**
 * One watch: events for its key range after its start revision, queued until the consumer
 * takes them. It never holds more than `limit` undelivered events: past that it closes with
 * WatcherTooSlow, and the consumer starts again from a list (as Kubernetes clients do on 410).
 */
export class Watcher implements Watch {
  private queue: WatchEvent[] = [];
  private waiting: ((r: IteratorResult<WatchEvent[]>) => void) | undefined;
  private failWaiting: ((e: Error) => void) | undefined;
  private error: Error | undefined;
  private closed = false;
  #revision: number;
  private readonly range: KeyRange;
  private readonly limit: number;
  private readonly onClose: (w: Watcher) => void;

  constructor(range: KeyRange, afterRevision: number, limit: number, onClose: (w: Watcher) => void) {
    this.range = range;
    this.#revision = afterRevision;
    this.limit = limit;
    this.onClose = onClose;
  }

  get revision(): number {
    return this.#revision;
  }

  /** Queues the events it is for; events at or below what it has seen are ignored. */
  push(events: readonly WatchEvent[]): void {
    if (this.closed) return;
    for (const e of events) {
      if (e.revision <= this.#revision || !inRange(e.kv.key, this.range)) continue;
      this.queue.push(e);
      this.#revision = e.revision;
    }
    if (this.queue.length > this.limit) {
      this.fail(errors.tooSlow(this.limit));
      return;
    }
    this.deliver();
  }

  private deliver(): void {
    if (!this.waiting || this.queue.length === 0) return;
    const resolve = this.waiting;
    this.waiting = this.failWaiting = undefined;
    const batch = this.queue;
    this.queue = [];
    resolve({ value: batch, done: false });
  }

  fail(error: Error): void {
    if (this.closed) return;
    this.error = error;
    this.queue = [];
    this.finish();
    const reject = this.failWaiting;
    this.waiting = this.failWaiting = undefined;
    reject?.(error);
  }

  close(): void {
    if (this.closed) return;
    this.finish();
    const resolve = this.waiting;
    this.waiting = this.failWaiting = undefined;
    resolve?.({ value: undefined, done: true });
  }

  private finish(): void {
    this.closed = true;
    this.onClose(this);
  }

  next(): Promise<IteratorResult<WatchEvent[]>> {
    if (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      return Promise.resolve({ value: batch, done: false });
    }
    if (this.error) return Promise.reject(this.error);
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent[]> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
