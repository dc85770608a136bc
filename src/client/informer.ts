import type { KubeObject } from '../api/object.ts';
import { isStatusError } from '../api/status.ts';

export interface EventStream {
  /** The next batch of events; undefined when the stream ended. */
  next(): Promise<{ type: string; object: KubeObject }[] | undefined>;
  close(): void;
}

/** Where an informer gets its objects: a list, then a watch from the list's revision. */
export interface ListWatch {
  list(): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  watch(resourceVersion: string): Promise<EventStream>;
}

export interface EventHandlers {
  add?(obj: KubeObject): void;
  update?(old: KubeObject, obj: KubeObject): void;
  delete?(obj: KubeObject): void;
}

export const objectKeyOf = (o: KubeObject) =>
  o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata.name ?? '');

/**
 * client-go's shared informer in small: a cache filled by list + watch, handlers told of every
 * change, and a relist (with the differences reported) when the watch ends or expires.
 */
export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private readonly handlers: EventHandlers[] = [];
  private readonly lw: ListWatch;
  private stream: EventStream | undefined;
  private stopped = false;
  private synced: Promise<void>;
  private markSynced!: () => void;
  hasSynced = false;

  constructor(lw: ListWatch) {
    this.lw = lw;
    this.synced = new Promise((resolve) => {
      this.markSynced = resolve;
    });
  }

  addHandler(h: EventHandlers): void {
    this.handlers.push(h);
    for (const obj of this.cache.values()) h.add?.(obj);
  }

  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  /** Starts the list/watch loop; resolves once the first list is in the cache. */
  start(): Promise<void> {
    void this.run();
    return this.synced;
  }

  stop(): void {
    this.stopped = true;
    this.stream?.close();
  }

  private replace(items: KubeObject[]): void {
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKeyOf(obj);
      seen.add(key);
      this.apply('MODIFIED', obj);
    }
    for (const [key, old] of [...this.cache]) if (!seen.has(key)) this.apply('DELETED', old);
  }

  private apply(type: string, obj: KubeObject): void {
    const key = objectKeyOf(obj);
    const old = this.cache.get(key);
    if (type === 'DELETED') {
      if (!old) return;
      this.cache.delete(key);
      for (const h of this.handlers) h.delete?.(obj);
      return;
    }
    this.cache.set(key, obj);
    for (const h of this.handlers) {
      if (!old) h.add?.(obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) h.update?.(old, obj);
    }
  }

  private async run(): Promise<void> {
    let rv: string | undefined;
    let delay = 100;
    while (!this.stopped) {
      try {
        if (rv === undefined) {
          const listed = await this.lw.list();
          this.replace(listed.items);
          rv = listed.resourceVersion;
          if (!this.hasSynced) {
            this.hasSynced = true;
            this.markSynced();
          }
        }
        this.stream = await this.lw.watch(rv);
        for (;;) {
          const events = await this.stream.next();
          if (!events) break;
          for (const e of events) {
            if (e.type === 'BOOKMARK') rv = e.object.metadata.resourceVersion ?? rv;
            else if (e.type === 'ERROR') throw Object.assign(new Error('watch error'), { status: e.object });
            else {
              this.apply(e.type, e.object);
              rv = e.object.metadata.resourceVersion ?? rv;
            }
          }
        }
        delay = 100;
      } catch (e) {
        const expired =
          (isStatusError(e) && e.code === 410) || (e as { status?: { code?: number } }).status?.code === 410;
        if (expired) rv = undefined;
        if (this.stopped) return;
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, 5000);
      }
    }
  }
}
