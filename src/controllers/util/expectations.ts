/**
 * Upstream's UIDTrackingControllerExpectations: what a controller expects its informer to show
 * next (pods it created, pods it deleted, by key), so a sync does not act again on a stale cache.
 * A controller waits until the expectations are met or five minutes have passed.
 */
export const expectationsTimeoutMs = 5 * 60 * 1000;

interface Expected {
  add: number;
  del: number;
  readonly timestamp: number;
  readonly deleteKeys: Set<string>;
}

export class Expectations {
  private readonly byController = new Map<string, Expected>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Whether a sync may act: nothing expected, everything seen, or the wait expired. */
  satisfied(key: string): boolean {
    const e = this.byController.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.timestamp > expectationsTimeoutMs;
  }

  expectCreations(key: string, count: number): void {
    this.byController.set(key, { add: count, del: 0, timestamp: this.now(), deleteKeys: new Set() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    const keys = new Set(podKeys);
    this.byController.set(key, { add: 0, del: keys.size, timestamp: this.now(), deleteKeys: keys });
  }

  creationObserved(key: string): void {
    const e = this.byController.get(key);
    if (e) e.add--;
  }

  /** Counts a deletion once per expected pod, whether seen as a deletion mark or as gone. */
  deletionObserved(key: string, podKey: string): void {
    const e = this.byController.get(key);
    if (e?.deleteKeys.delete(podKey)) e.del--;
  }

  delete(key: string): void {
    this.byController.delete(key);
  }

  /** For tests: the counts still expected. */
  pending(key: string): { add: number; del: number } | undefined {
    const e = this.byController.get(key);
    return e && { add: e.add, del: e.del };
  }
}
