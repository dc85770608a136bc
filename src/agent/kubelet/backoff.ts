/**
 * The crash-loop back-off of restarting containers (client-go flowcontrol.Backoff as the
 * kubelet uses it): 10 s doubling up to 5 min per container, forgotten once a container has
 * not failed for twice the maximum (it ran long enough).
 */

export const initialBackoffMs = 10_000;
export const maxBackoffMs = 300_000;

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();
  private readonly initial: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(initial = initialBackoffMs, max = maxBackoffMs, now: () => number = Date.now) {
    this.initial = initial;
    this.max = max;
    this.now = now;
  }

  private expired(e: Entry, eventTime: number): boolean {
    return eventTime - e.lastUpdate > 2 * this.max;
  }

  /** The current delay of `key` (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Whether a restart of `key` after a failure at `eventTime` must still wait. */
  inBackoffSince(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(e, eventTime)) return false;
    return this.now() - eventTime < e.backoffMs;
  }

  /** When the back-off of a failure at `eventTime` ends. */
  until(key: string, eventTime: number): number {
    return eventTime + this.get(key);
  }

  /** Records a restart after a failure at `eventTime`: the next one waits longer. */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(e, eventTime))
      this.entries.set(key, { backoffMs: this.initial, lastUpdate: eventTime });
    else {
      e.backoffMs = Math.min(e.backoffMs * 2, this.max);
      e.lastUpdate = eventTime;
    }
  }

  /** Forgets every entry whose key starts with `prefix` (a pod's containers). */
  forget(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

/** A duration as Go's time.Duration.String prints whole seconds: 10s, 1m20s, 5m0s. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`;
}
