import type { Driver, LogEntry } from './driver.ts';
import { eventOf, stateBefore } from './driver.ts';
import { errors, StorageError } from './errors.ts';
import { prefixRange } from './keys.ts';
import { pageAtRevision } from './snapshot.ts';
import type {
  Backend,
  KeyValue,
  ListOptions,
  ListResult,
  ReadOptions,
  Watch,
  WatchEvent,
  WatchOptions,
} from './types.ts';
import { Watcher } from './watcher.ts';

export interface RetentionOptions {
  /** Keep at most this many revisions of history (older ones are compacted). */
  readonly maxRevisions?: number;
  /** Compact and truncate the WAL this often, keeping the history of one interval (ms; 0 = off). */
  readonly compactIntervalMs?: number;
  /** Undelivered events a watcher may hold before it is closed. */
  readonly watchMaxPending?: number;
}

type Op =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected?: number };

interface Queued {
  op: Op;
  resolve: (kv: KeyValue) => void;
  reject: (e: unknown) => void;
}

const defaults = { maxRevisions: 10_000, compactIntervalMs: 5 * 60_000, watchMaxPending: 10_000 };

/**
 * The Backend every engine shares: it owns revisions, compare-and-swap, group commit (writes
 * queued in the same turn of the event loop share one transaction and one fsync), reads at
 * older revisions from current state plus the change log, watch with replay and in-process
 * push, and compaction on a schedule and by size.
 */
export class LogBackend implements Backend {
  private rev: number;
  private compacted: number;
  private queue: Queued[] = [];
  private flushScheduled = false;
  private unsynced: { batch: Queued[]; outcomes: (LogEntry | StorageError)[] }[] = [];
  private syncing: Promise<void> | undefined;
  private readonly watchers = new Set<Watcher>();
  private readonly options: Required<RetentionOptions>;
  private readonly timer: NodeJS.Timeout | undefined;
  /** The revision at the previous scheduled compaction: history older than one interval. */
  private lastTickRevision: number;
  private isClosed = false;
  private readonly driver: Driver;

  constructor(driver: Driver, options: RetentionOptions = {}) {
    this.driver = driver;
    this.options = { ...defaults, ...options };
    const meta = driver.meta();
    this.rev = meta.revision;
    this.compacted = meta.compactRevision;
    this.lastTickRevision = this.rev;
    if (this.options.compactIntervalMs > 0) {
      this.timer = setInterval(() => this.scheduledCompaction(), this.options.compactIntervalMs);
      this.timer.unref();
    }
  }

  revision(): number {
    return this.rev;
  }

  compactRevision(): number {
    return this.compacted;
  }

  private checkOpen(): void {
    if (this.isClosed) throw errors.closed();
  }

  /** The revision a read is for, checked against what history still holds. */
  private readRevision(requested: number | undefined): number {
    this.checkOpen();
    if (requested === undefined || requested === 0) return this.rev;
    if (requested > this.rev) throw errors.future(requested, this.rev);
    if (requested < this.compacted) throw errors.compacted(requested, this.compacted);
    return requested;
  }

  async get(key: string, options: ReadOptions = {}): Promise<KeyValue | undefined> {
    const at = this.readRevision(options.revision);
    if (at === this.rev) return this.driver.get(key);
    const [change] = this.driver.firstChangesAfter({ start: key, end: `${key}\0` }, at);
    return change ? stateBefore(change) : this.driver.get(key);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const at = this.readRevision(options.revision);
    const range = prefixRange(prefix);
    const limit = options.limit ?? 0;
    if (at === this.rev) {
      const rows = this.driver.range(range, options.after, limit > 0 ? limit + 1 : 0);
      const more = limit > 0 && rows.length > limit;
      return { items: more ? rows.slice(0, limit) : rows, revision: at, more };
    }
    const changed = new Map<string, KeyValue | undefined>();
    for (const e of this.driver.firstChangesAfter(range, at)) {
      if (options.after === undefined || e.key > options.after) changed.set(e.key, stateBefore(e));
    }
    const fetch = limit > 0 ? limit + changed.size + 1 : 0;
    const rows = this.driver.range(range, options.after, fetch);
    const exhausted = fetch === 0 || rows.length < fetch;
    return { ...pageAtRevision(rows, exhausted, changed, limit), revision: at };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    return this.driver.count(prefixRange(prefix));
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.enqueue({ kind: 'create', key, value });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'update', key, value, expected: expectedModRevision });
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.enqueue(
      expectedModRevision === undefined
        ? { kind: 'delete', key }
        : { kind: 'delete', key, expected: expectedModRevision },
    );
  }

  private enqueue(op: Op): Promise<KeyValue> {
    return new Promise((resolve, reject) => {
      if (this.isClosed) return reject(errors.closed());
      this.queue.push({ op, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Applies one operation inside the batch's transaction; a failed precondition writes nothing. */
  private apply(op: Op, revision: number): LogEntry | StorageError {
    const current = this.driver.get(op.key);
    if (op.kind === 'create') {
      if (current) return errors.exists(op.key);
      const kv = { key: op.key, value: op.value, createRevision: revision, modRevision: revision };
      this.driver.put(kv);
      const entry: LogEntry = {
        revision,
        type: 'create',
        key: op.key,
        value: op.value,
        createRevision: revision,
      };
      this.driver.append(entry);
      return entry;
    }
    if (!current) return errors.notFound(op.key);
    if (op.expected !== undefined && op.expected !== current.modRevision)
      return errors.conflict(op.key, current);
    if (op.kind === 'update') {
      this.driver.put({ ...current, value: op.value, modRevision: revision });
      const entry: LogEntry = {
        revision,
        type: 'update',
        key: op.key,
        value: op.value,
        createRevision: current.createRevision,
        prev: current,
      };
      this.driver.append(entry);
      return entry;
    }
    this.driver.remove(op.key);
    const entry: LogEntry = {
      revision,
      type: 'delete',
      key: op.key,
      createRevision: current.createRevision,
      prev: current,
    };
    this.driver.append(entry);
    return entry;
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: (LogEntry | StorageError)[];
    let next = this.rev;
    try {
      outcomes = this.driver.transaction(() => {
        const out = batch.map(({ op }) => {
          const r = this.apply(op, next + 1);
          if (!(r instanceof StorageError)) next++;
          return r;
        });
        if (next !== this.rev) this.driver.setRevision(next);
        return out;
      });
    } catch (e) {
      // Nothing of the batch landed: every writer hears why.
      for (const q of batch) q.reject(e);
      return;
    }
    this.rev = next;
    const committed = { batch, outcomes };
    if (this.rev - this.compacted > this.options.maxRevisions * 1.1) {
      this.compactTo(this.rev - this.options.maxRevisions);
    }
    if (!this.driver.syncToDisk) {
      this.acknowledge(committed);
      return;
    }
    this.unsynced.push(committed);
    if (!this.syncing) this.syncing = this.syncLoop();
  }

  /**
   * Group commit's second half: one fsync covers every transaction committed before it began;
   * transactions committed meanwhile wait for the next one. Acknowledgements and watch events
   * go out in commit order, only once durable.
   */
  private async syncLoop(): Promise<void> {
    while (this.unsynced.length > 0) {
      const group = this.unsynced;
      this.unsynced = [];
      try {
        await this.driver.syncToDisk!();
      } catch (e) {
        // The disk refused an fsync: what is on it is unknown. Stop, as databases do, and let
        // a restart recover from the WAL rather than acknowledge anything more.
        const fatal = new Error(`storage: fsync failed, stopping: ${(e as Error).message}`);
        for (const c of group) for (const q of c.batch) q.reject(fatal);
        process.nextTick(() => {
          throw fatal;
        });
        return;
      }
      for (const c of group) this.acknowledge(c);
    }
    this.syncing = undefined;
  }

  private acknowledge({ batch, outcomes }: { batch: Queued[]; outcomes: (LogEntry | StorageError)[] }): void {
    const events: WatchEvent[] = [];
    outcomes.forEach((r, i) => {
      const q = batch[i]!;
      if (r instanceof StorageError) {
        q.reject(r);
        return;
      }
      const event = eventOf(r);
      events.push(event);
      q.resolve(event.kv);
    });
    if (events.length > 0) for (const w of this.watchers) w.push(events);
  }

  watch(prefix: string, afterRevision: number, options: WatchOptions = {}): Watch {
    this.checkOpen();
    if (afterRevision < this.compacted) throw errors.compacted(afterRevision, this.compacted);
    const range = prefixRange(prefix);
    const replay = afterRevision < this.rev ? this.driver.logAfter(range, afterRevision, 0).map(eventOf) : [];
    const limit = replay.length + (options.maxPending ?? this.options.watchMaxPending);
    const watcher = new Watcher(range, afterRevision, limit, (w) => this.watchers.delete(w));
    this.watchers.add(watcher);
    if (replay.length > 0) watcher.push(replay);
    return watcher;
  }

  private compactTo(revision: number): void {
    if (revision <= this.compacted) return;
    this.driver.compact(revision);
    this.compacted = revision;
    // Watchers that have not yet been handed events the log no longer holds keep them queued;
    // only new reads and watches below the compact revision fail.
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw errors.future(revision, this.rev);
    this.compactTo(revision);
  }

  /** Keeps one interval of history, then gives the WAL's disk space back. */
  private scheduledCompaction(): void {
    if (this.isClosed) return;
    try {
      this.compactTo(this.lastTickRevision);
      this.lastTickRevision = this.rev;
      this.driver.checkpoint();
    } catch {
      // A failed compaction leaves history in place; the next tick tries again.
    }
  }

  async size(): Promise<number> {
    this.checkOpen();
    return this.driver.size();
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    if (this.queue.length > 0) this.flush();
    this.isClosed = true;
    await this.syncing;
    if (this.timer) clearInterval(this.timer);
    for (const w of [...this.watchers]) w.close();
    this.driver.close();
  }
}
