import type { KeyRange } from './keys.ts';
import type { EventType, KeyValue, WatchEvent } from './types.ts';

/** One row of the change log: what one revision did to one key. */
export interface LogEntry {
  readonly revision: number;
  readonly type: EventType;
  readonly key: string;
  /** The new value; absent for a delete. */
  readonly value?: string;
  readonly createRevision: number;
  /** The value before this change; absent for a create. */
  readonly prev?: KeyValue;
}

export interface Meta {
  readonly revision: number;
  readonly compactRevision: number;
}

/**
 * What a backend's storage engine provides: current state by key, and a change log by revision,
 * written together in transactions. Synchronous: the generic layer (log-backend.ts) is the only
 * writer and owns revisions, compare-and-swap, group commit and watch.
 */
export interface Driver {
  meta(): Meta;
  /** Runs `fn` atomically: all its writes land together, or none when it throws. */
  transaction<T>(fn: () => T): T;
  /**
   * When present, transactions return before they reach the disk, and this makes every one
   * committed so far durable without blocking the event loop; writers are acknowledged after.
   */
  syncToDisk?(): Promise<void>;
  get(key: string): KeyValue | undefined;
  /** Current rows in key order, after `after` (exclusive), at most `limit` (0 = all). */
  range(range: KeyRange, after: string | undefined, limit: number): KeyValue[];
  count(range: KeyRange): number;
  /** For each key in range changed after `revision`, its oldest change after it. */
  firstChangesAfter(range: KeyRange, revision: number): LogEntry[];
  /** Log entries in revision order after `afterRevision`, at most `limit` (0 = all). */
  logAfter(range: KeyRange, afterRevision: number, limit: number): LogEntry[];
  put(kv: KeyValue): void;
  remove(key: string): void;
  append(entry: LogEntry): void;
  setRevision(revision: number): void;
  /** Drops log entries at or below `revision` and records it as the compact revision. */
  compact(revision: number): void;
  /** Gives back disk space the log no longer needs (WAL truncation). */
  checkpoint(): void;
  size(): number;
  close(): void;
}

export function eventOf(entry: LogEntry): WatchEvent {
  const { revision, type, key, prev } = entry;
  if (type === 'delete') {
    const last = prev!;
    return { type, revision, kv: { ...last, modRevision: revision }, prevKv: last };
  }
  const kv: KeyValue = {
    key,
    value: entry.value!,
    createRevision: entry.createRevision,
    modRevision: revision,
  };
  return prev ? { type, revision, kv, prevKv: prev } : { type, revision, kv };
}

/** The key's state just before `entry` was applied (undefined: it did not exist). */
export function stateBefore(entry: LogEntry): KeyValue | undefined {
  return entry.type === 'create' ? undefined : entry.prev;
}
