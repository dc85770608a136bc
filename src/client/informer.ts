import type { KubeObject } from '../api/object.ts';
import { isStatusError } from '../api/status.ts';
import { deepFreeze, freezeCachedObjects } from './freeze.ts';

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

/**
 * What an informer tells its handlers. The objects are the cache's own, shared by every user
 * of the informer: treat them as read-only (copy before changing anything).
 */
export interface EventHandlers {
  add?(obj: KubeObject): void;
  update?(old: KubeObject, obj: KubeObject): void;
  delete?(obj: KubeObject): void;
}

/** The values an object is filed under in an index (none: not in the index). */
export type IndexFunc = (obj: KubeObject) => readonly string[];

export const objectKeyOf = (o: KubeObject) =>
  o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata.name ?? '');

/** One index: value → keys of the objects filed under it. */
class Index {
  readonly fn: IndexFunc;
  private readonly byValue = new Map<string, Set<string>>();

  constructor(fn: IndexFunc) {
    this.fn = fn;
  }

  update(key: string, old: KubeObject | undefined, obj: KubeObject | undefined): void {
    const before = old ? this.fn(old) : [];
    const after = obj ? this.fn(obj) : [];
    if (before.length === after.length && before.every((v, i) => v === after[i])) return;
    for (const v of before) {
      const keys = this.byValue.get(v);
      keys?.delete(key);
      if (keys?.size === 0) this.byValue.delete(v);
    }
    for (const v of after) {
      const keys = this.byValue.get(v);
      if (keys) keys.add(key);
      else this.byValue.set(v, new Set([key]));
    }
  }

  keys(value: string): ReadonlySet<string> | undefined {
    return this.byValue.get(value);
  }
}

/**
 * client-go's shared informer in small: a cache filled by list + watch, handlers told of every
 * change, and a relist (with the differences reported) when the watch ends or expires. Each
 * watch event is decoded once (by the watch) and the object is kept as it is: under test
 * (`node --test`, NODE_ENV=test or SKIFF_FREEZE_CACHE=1) it is deep-frozen, so a user that
 * changes a cached object fails loudly instead of corrupting everyone else's view.
 */
export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private readonly handlers: EventHandlers[] = [];
  private readonly indexes = new Map<string, Index>();
  private readonly lw: ListWatch;
  private readonly freeze = freezeCachedObjects();
  private stream: EventStream | undefined;
  private running = false;
  private stopped = false;
  private synced: Promise<void>;
  private markSynced!: () => void;
  hasSynced = false;
  /** Where a handler's exception goes (a bug in that handler): stderr unless replaced. */
  static onHandlerError: (e: unknown) => void = (e) => {
    process.stderr.write(`informer: an event handler threw: ${(e as Error)?.stack ?? String(e)}\n`);
  };
  /** The resourceVersion of the newest event (or list) the cache reflects; '' before the first list. */
  revision = '';

  constructor(lw: ListWatch) {
    this.lw = lw;
    this.synced = new Promise((resolve) => {
      this.markSynced = resolve;
    });
  }

  /** Adds a handler; it is told of every object already in the cache as an add first. */
  addHandler(h: EventHandlers): void {
    this.handlers.push(h);
    if (h.add) for (const obj of this.cache.values()) this.call(() => h.add?.(obj));
  }

  removeHandler(h: EventHandlers): void {
    const i = this.handlers.indexOf(h);
    if (i >= 0) this.handlers.splice(i, 1);
  }

  /** Adds an index (a no-op when one of that name exists); objects already cached are filed. */
  addIndexer(name: string, fn: IndexFunc): void {
    if (this.indexes.has(name)) return;
    const index = new Index(fn);
    for (const [key, obj] of this.cache) index.update(key, undefined, obj);
    this.indexes.set(name, index);
  }

  /** The cached objects an index files under `value`. */
  byIndex(name: string, value: string): KubeObject[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`informer has no index ${JSON.stringify(name)}`);
    const out: KubeObject[] = [];
    for (const key of index.keys(value) ?? []) {
      const obj = this.cache.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  get size(): number {
    return this.cache.size;
  }

  /** Starts the list/watch loop (once); resolves once the first list is in the cache. */
  start(): Promise<void> {
    if (!this.running && !this.stopped) {
      this.running = true;
      void this.run();
    }
    return this.synced;
  }

  stop(): void {
    this.stopped = true;
    this.stream?.close();
  }

  /** One handler's failure must not keep the event from the others (nor restart the watch). */
  private call(f: () => void): void {
    try {
      f();
    } catch (e) {
      Informer.onHandlerError(e);
    }
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

  private setIndexes(key: string, old: KubeObject | undefined, obj: KubeObject | undefined): void {
    for (const index of this.indexes.values()) index.update(key, old, obj);
  }

  private apply(type: string, obj: KubeObject): void {
    const key = objectKeyOf(obj);
    const old = this.cache.get(key);
    if (this.freeze) deepFreeze(obj);
    if (type === 'DELETED') {
      if (!old) return;
      this.cache.delete(key);
      this.setIndexes(key, old, undefined);
      for (const h of [...this.handlers]) this.call(() => h.delete?.(obj));
      return;
    }
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.cache.set(key, obj);
    this.setIndexes(key, old, obj);
    for (const h of [...this.handlers]) {
      if (!old) this.call(() => h.add?.(obj));
      else this.call(() => h.update?.(old, obj));
    }
  }

  private async run(): Promise<void> {
    let rv: string | undefined;
    let delay = 100;
    while (!this.stopped) {
      try {
        if (rv === undefined) {
          const listed = await this.lw.list();
          if (this.stopped) return;
          this.replace(listed.items);
          rv = listed.resourceVersion;
          this.revision = rv;
          if (!this.hasSynced) {
            this.hasSynced = true;
            this.markSynced();
          }
        }
        this.stream = await this.lw.watch(rv);
        if (this.stopped) {
          this.stream.close();
          return;
        }
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
            this.revision = rv;
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
