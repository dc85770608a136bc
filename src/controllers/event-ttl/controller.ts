import type { Logger } from 'pino';
import { isObject, type KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import type { Registry } from '../../registry/registry.ts';

const time = (t: unknown) => (typeof t === 'string' && t ? Date.parse(t) : Number.NaN);

/**
 * When an Event last happened: the latest of lastTimestamp, series.lastObservedTime and
 * eventTime; its creation time only when it has none of them.
 */
export function lastSeen(e: KubeObject): number {
  const series = isObject(e.series) ? e.series : {};
  const times = [e.lastTimestamp, series.lastObservedTime, e.eventTime]
    .map(time)
    .filter((ms) => !Number.isNaN(ms));
  if (times.length > 0) return Math.max(...times);
  const created = time(e.metadata.creationTimestamp);
  return Number.isNaN(created) ? 0 : created;
}

/**
 * Events expire an hour after they last happened (kube-apiserver's --event-ttl; etcd leases
 * there, a sweep here), so a busy cluster's events do not pile up in the store.
 */
export class EventTtlController {
  private timer: NodeJS.Timeout | undefined;
  private readonly registry: Registry;
  private readonly log: Logger;
  private readonly ttlMs: number;
  private readonly intervalMs: number;

  constructor(registry: Registry, log: Logger, ttlMs = 3_600_000, intervalMs = 60_000) {
    this.registry = registry;
    this.log = log.child({ controller: 'event-ttl' });
    this.ttlMs = ttlMs;
    this.intervalMs = intervalMs;
  }

  async start(): Promise<void> {
    this.timer = setInterval(
      () => void this.sweep().catch((err) => this.log.warn({ err }, 'sweep failed')),
      this.intervalMs,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Deletes every Event older than the TTL; returns how many went. */
  async sweep(now = Date.now()): Promise<number> {
    const events = this.registry.byResource('', 'events')!;
    let deleted = 0;
    let cont: string | undefined;
    do {
      const page = await events.list(undefined, { limit: 500, ...(cont ? { continue: cont } : {}) });
      for (const e of page.items) {
        if (now - lastSeen(e) < this.ttlMs) continue;
        try {
          await events.delete(e.metadata.namespace, e.metadata.name!, {
            preconditions: { uid: e.metadata.uid! },
          });
          deleted++;
        } catch (err) {
          if (!isStatusError(err) || (err.code !== 404 && err.code !== 409)) throw err;
        }
      }
      cont = page.continue;
    } while (cont);
    return deleted;
  }
}
