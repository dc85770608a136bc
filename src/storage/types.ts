/**
 * The storage contract every backend meets (memory, SQLite; later postgres/etcd). It has etcd's
 * semantics, which Kubernetes relies on: one global revision that becomes the resourceVersion,
 * compare-and-swap writes, consistent paginated lists at a revision, and watch from a revision.
 */

/** A stored key and its value, with the revisions that created and last modified it. */
export interface KeyValue {
  readonly key: string;
  /** The value as stored: for the API server, the JSON it serves. */
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
}

export type EventType = 'create' | 'update' | 'delete';

/**
 * One change. For a delete, `kv` carries the last value with `modRevision` set to the revision
 * of the delete, and `prevKv` the value as it was.
 */
export interface WatchEvent {
  readonly type: EventType;
  readonly revision: number;
  readonly kv: KeyValue;
  readonly prevKv?: KeyValue;
}

export interface ReadOptions {
  /** Read the state as of this revision instead of the newest. */
  readonly revision?: number;
}

export interface ListOptions extends ReadOptions {
  /** Start after this key (exclusive): the last key of the previous page. */
  readonly after?: string;
  /** At most this many items; 0 or absent means all. */
  readonly limit?: number;
}

export interface ListResult {
  readonly items: KeyValue[];
  /** The revision the list was read at; pass it back for the next page. */
  readonly revision: number;
  /** Whether keys remain after the last item. */
  readonly more: boolean;
}

export interface WatchOptions {
  /**
   * How many undelivered events the watcher may hold (beyond its replay) before it is closed
   * with WatcherTooSlow rather than holding memory without bound.
   */
  readonly maxPending?: number;
}

/** Batches of events in commit order; ends when closed, throws the reason it was closed for. */
export interface Watch extends AsyncIterable<WatchEvent[]> {
  close(): void;
  /** The revision of the newest event handed to this watcher (or its start revision). */
  readonly revision: number;
}

export interface Backend {
  /** The newest revision committed. */
  revision(): number;
  /** The oldest revision still readable: reads and watches below it fail with Compacted. */
  compactRevision(): number;
  get(key: string, options?: ReadOptions): Promise<KeyValue | undefined>;
  /** Keys starting with `prefix`, in key order. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<number>;
  /** Fails with KeyExists. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Compare-and-swap on the key's modRevision; fails with KeyNotFound or Conflict. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Deletes and returns the last value; with a precondition, fails with Conflict if it moved. */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /** Every event after `afterRevision` for keys starting with `prefix` (a whole key works too). */
  watch(prefix: string, afterRevision: number, options?: WatchOptions): Watch;
  /** Forget history at and below `revision`. */
  compact(revision: number): Promise<void>;
  /** Bytes on disk (or in memory) the backend holds. */
  size(): Promise<number>;
  close(): Promise<void>;
}
