import type { KubeObject } from '../api/object.ts';
import { statusErrors } from '../api/status.ts';
import { isStorageError } from '../storage/errors.ts';
import type { WatchEvent as StorageEvent, Watch } from '../storage/types.ts';
import { decodeObject } from './codec.ts';
import type { Matcher, ResourceStore } from './store.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject;
}

export interface WatchOptions {
  readonly filter?: Matcher;
  readonly resourceVersion?: string;
  /** Send the current objects as ADDED first, then a BOOKMARK marking their end. */
  readonly sendInitialEvents?: boolean;
}

/** A watch over one resource: the objects' events, after optional initial ADDED events. */
export interface ObjectWatch {
  /** The next batch of events; undefined once the watch has ended. */
  next(): Promise<WatchEvent[] | undefined>;
  /** Whether events the watcher was handed are still waiting to be taken. */
  idle(): boolean;
  /** The revision a bookmark may carry now: every event up to it has been handed out. */
  bookmarkRevision(): number;
  close(): void;
}

/**
 * Storage events turned into watch events as upstream's watch cache does with a filter: an
 * update that makes an object match is ADDED, one that makes it stop matching is DELETED.
 */
export function translate(
  e: StorageEvent,
  filter: Matcher | undefined,
  decode: (kv: StorageEvent['kv'], revision?: number) => KubeObject = decodeObject,
): WatchEvent | undefined {
  if (!filter) {
    // Without a selector every event passes as it is: the previous value is never parsed.
    if (e.type === 'delete') return { type: 'DELETED', object: decode(e.kv, e.revision) };
    return { type: e.type === 'create' ? 'ADDED' : 'MODIFIED', object: decode(e.kv) };
  }
  const now = e.type === 'delete' ? undefined : decode(e.kv);
  const before = e.prevKv ? decode(e.prevKv) : undefined;
  const ok = (o: KubeObject | undefined) => o !== undefined && filter.matches(o);
  if (e.type === 'delete') {
    if (!ok(before)) return undefined;
    return { type: 'DELETED', object: decode(e.kv, e.revision) };
  }
  const matchesNow = ok(now);
  const matchedBefore = e.type === 'update' && ok(before);
  if (matchesNow && matchedBefore) return { type: 'MODIFIED', object: now! };
  if (matchesNow) return { type: 'ADDED', object: now! };
  if (matchedBefore) return { type: 'DELETED', object: now! };
  return undefined;
}

export async function watchResource(
  store: ResourceStore,
  namespace: string | undefined,
  options: WatchOptions,
): Promise<ObjectWatch> {
  const { backend } = store;
  const rv = options.resourceVersion;
  if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv)) {
    throw statusErrors.badRequest(`invalid resourceVersion: ${JSON.stringify(rv)}`);
  }
  const fromNow = rv === undefined || rv === '' || rv === '0';
  const initial: WatchEvent[] = [];
  let start: number;
  if (fromNow || options.sendInitialEvents) {
    const listed = await store.list(namespace, { filter: options.filter });
    start = Number(listed.resourceVersion);
    for (const object of listed.items) initial.push({ type: 'ADDED', object });
    if (options.sendInitialEvents) {
      initial.push({
        type: 'BOOKMARK',
        object: {
          kind: store.info.kind,
          apiVersion: store.info.group ? `${store.info.group}/${store.info.version}` : store.info.version,
          metadata: {
            resourceVersion: String(start),
            annotations: { 'k8s.io/initial-events-end': 'true' },
          },
        },
      });
    }
  } else {
    start = Number(rv);
  }
  let watch: Watch;
  try {
    watch = backend.watch(store.prefix(namespace), start);
  } catch (e) {
    if (isStorageError(e, 'Compacted')) {
      throw statusErrors.expired(`too old resource version: ${start} (${backend.compactRevision()})`);
    }
    throw e;
  }
  const it = watch[Symbol.asyncIterator]();
  let pendingInitial: WatchEvent[] | undefined = initial.length > 0 ? initial : undefined;
  let inFlight = false;
  return {
    async next() {
      if (pendingInitial) {
        const batch = pendingInitial;
        pendingInitial = undefined;
        return batch;
      }
      for (;;) {
        inFlight = true;
        let r: IteratorResult<StorageEvent[]>;
        try {
          r = await it.next();
        } catch (e) {
          if (isStorageError(e, 'WatcherTooSlow')) throw statusErrors.expired(e.message);
          throw e;
        } finally {
          inFlight = false;
        }
        if (r.done) return undefined;
        const out: WatchEvent[] = [];
        for (const e of r.value) {
          const t = translate(e, options.filter, (kv, revision) => store.decode(kv, revision));
          if (t) out.push(t);
        }
        if (out.length > 0) return out;
      }
    },
    idle: () => pendingInitial === undefined && inFlight,
    bookmarkRevision: () => Math.max(watch.revision, inFlight ? backend.revision() : watch.revision),
    close: () => watch.close(),
  };
}
