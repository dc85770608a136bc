import type { Driver, LogEntry, Meta } from '../driver.ts';
import { inRange, type KeyRange } from '../keys.ts';
import type { KeyValue } from '../types.ts';

/** Index of the first element of sorted `keys` that is >= `key` (or > `key` when `after`). */
function bound(keys: readonly string[], key: string, after: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = keys[mid]!;
    if (k < key || (after && k === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Pending {
  kv: Map<string, KeyValue | null>;
  log: LogEntry[];
  revision?: number;
}

/** The in-memory engine, for tests and throwaway servers. Writes apply when a transaction ends. */
export class MemoryDriver implements Driver {
  private readonly rows = new Map<string, KeyValue>();
  private readonly keys: string[] = [];
  private log: LogEntry[] = [];
  private revision = 1;
  private compactRevision = 0;
  private pending: Pending | undefined;

  meta(): Meta {
    return { revision: this.revision, compactRevision: this.compactRevision };
  }

  transaction<T>(fn: () => T): T {
    if (this.pending) return fn();
    this.pending = { kv: new Map(), log: [] };
    try {
      const result = fn();
      this.commit(this.pending);
      return result;
    } finally {
      this.pending = undefined;
    }
  }

  private commit(p: Pending): void {
    for (const [key, kv] of p.kv) {
      const had = this.rows.has(key);
      if (kv) {
        this.rows.set(key, kv);
        if (!had) this.keys.splice(bound(this.keys, key, false), 0, key);
      } else if (had) {
        this.rows.delete(key);
        this.keys.splice(bound(this.keys, key, false), 1);
      }
    }
    this.log.push(...p.log);
    if (p.revision !== undefined) this.revision = p.revision;
  }

  get(key: string): KeyValue | undefined {
    const staged = this.pending?.kv.get(key);
    if (staged !== undefined) return staged ?? undefined;
    return this.rows.get(key);
  }

  range(range: KeyRange, after: string | undefined, limit: number): KeyValue[] {
    const from =
      after !== undefined && after >= range.start
        ? bound(this.keys, after, true)
        : bound(this.keys, range.start, false);
    const out: KeyValue[] = [];
    for (let i = from; i < this.keys.length && (limit <= 0 || out.length < limit); i++) {
      const key = this.keys[i]!;
      if (key >= range.end) break;
      out.push(this.rows.get(key)!);
    }
    return out;
  }

  count(range: KeyRange): number {
    return bound(this.keys, range.end, false) - bound(this.keys, range.start, false);
  }

  /** Index of the first log entry with a revision above `revision`. */
  private logIndexAfter(revision: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid]!.revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  firstChangesAfter(range: KeyRange, revision: number): LogEntry[] {
    const first = new Map<string, LogEntry>();
    for (let i = this.logIndexAfter(revision); i < this.log.length; i++) {
      const e = this.log[i]!;
      if (inRange(e.key, range) && !first.has(e.key)) first.set(e.key, e);
    }
    return [...first.values()];
  }

  logAfter(range: KeyRange, afterRevision: number, limit: number): LogEntry[] {
    const out: LogEntry[] = [];
    for (let i = this.logIndexAfter(afterRevision); i < this.log.length; i++) {
      const e = this.log[i]!;
      if (inRange(e.key, range)) out.push(e);
      if (limit > 0 && out.length >= limit) break;
    }
    return out;
  }

  private staging(): Pending {
    if (!this.pending) throw new Error('memory driver: write outside a transaction');
    return this.pending;
  }

  put(kv: KeyValue): void {
    this.staging().kv.set(kv.key, kv);
  }

  remove(key: string): void {
    this.staging().kv.set(key, null);
  }

  append(entry: LogEntry): void {
    this.staging().log.push(entry);
  }

  setRevision(revision: number): void {
    this.staging().revision = revision;
  }

  compact(revision: number): void {
    this.log = this.log.slice(this.logIndexAfter(revision));
    this.compactRevision = Math.max(this.compactRevision, revision);
  }

  checkpoint(): void {}

  size(): number {
    let bytes = 0;
    for (const kv of this.rows.values()) bytes += kv.key.length + kv.value.length;
    for (const e of this.log) bytes += e.key.length + (e.value?.length ?? 0) + (e.prev?.value.length ?? 0);
    return bytes;
  }

  close(): void {}
}
