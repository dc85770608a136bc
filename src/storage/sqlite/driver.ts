import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Driver, LogEntry, Meta } from '../driver.ts';
import type { KeyRange } from '../keys.ts';
import type { EventType, KeyValue } from '../types.ts';
import { schema, schemaVersion } from './schema.ts';

export interface SqliteOptions {
  /** Bytes the WAL file is cut back to after each checkpoint. */
  readonly walSizeLimit?: number;
}

const types: EventType[] = ['create', 'update', 'delete'];

interface LogRow {
  rev: number;
  type: number;
  key: string;
  value: string | null;
  create_rev: number;
  prev_value: string | null;
  prev_create_rev: number | null;
  prev_mod_rev: number | null;
}

/** Columns named as KeyValue's fields, so rows need no copying. */
const kvColumns = 'key, value, create_rev AS createRevision, mod_rev AS modRevision';

function toEntry(r: LogRow): LogEntry {
  const prev =
    r.prev_value === null
      ? undefined
      : { key: r.key, value: r.prev_value, createRevision: r.prev_create_rev!, modRevision: r.prev_mod_rev! };
  return {
    revision: r.rev,
    type: types[r.type]!,
    key: r.key,
    ...(r.value === null ? {} : { value: r.value }),
    createRevision: r.create_rev,
    ...(prev ? { prev } : {}),
  };
}

/** The SQLite engine (better-sqlite3, WAL, every commit synced to disk before it returns). */
export class SqliteDriver implements Driver {
  private readonly db: Database.Database;
  private readonly file: string;
  private readonly q;

  constructor(file: string, options: SqliteOptions = {}) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.file = file;
    this.db = new Database(file);
    // 8 KiB pages hold three 1 KiB log rows (value + previous value) where 4 KiB pages hold one.
    // It only takes effect when the file is created.
    this.db.pragma('page_size = 8192');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('wal_autocheckpoint = 512');
    // NORMAL: a commit writes the WAL but does not fsync it; syncToDisk() does, on libuv's
    // thread pool, and the backend acknowledges writes only after it (see log-backend.ts).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`journal_size_limit = ${options.walSizeLimit ?? 16 << 20}`);
    this.db.pragma('foreign_keys = OFF');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > schemaVersion) {
      this.db.close();
      throw new Error(
        `${file}: schema version ${version} is newer than this skiff understands (${schemaVersion})`,
      );
    }
    this.db.exec(schema);
    this.db.pragma(`user_version = ${schemaVersion}`);
    const db = this.db;
    this.q = {
      meta: db.prepare<[], { name: string; value: number }>('SELECT name, value FROM meta'),
      get: db.prepare<[string], KeyValue>(`SELECT ${kvColumns} FROM kv WHERE key = ?`),
      range: db.prepare<[string, string, number], KeyValue>(
        `SELECT ${kvColumns} FROM kv WHERE key > ? AND key < ? ORDER BY key LIMIT ?`,
      ),
      rangeFrom: db.prepare<[string, string, number], KeyValue>(
        `SELECT ${kvColumns} FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?`,
      ),
      count: db.prepare<[string, string], { n: number }>(
        'SELECT COUNT(*) AS n FROM kv WHERE key >= ? AND key < ?',
      ),
      firstChanges: db.prepare<[string, string, number], LogRow>(
        `SELECT l.* FROM log l JOIN (
           SELECT MIN(rev) AS rev FROM log WHERE key >= ? AND key < ? AND rev > ? GROUP BY key
         ) f ON l.rev = f.rev`,
      ),
      logAfter: db.prepare<[number, string, string, number], LogRow>(
        'SELECT * FROM log WHERE rev > ? AND key >= ? AND key < ? ORDER BY rev LIMIT ?',
      ),
      upsert: db.prepare(
        `INSERT INTO kv (key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, create_rev = excluded.create_rev,
           mod_rev = excluded.mod_rev`,
      ),
      remove: db.prepare('DELETE FROM kv WHERE key = ?'),
      append: db.prepare('INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      setMeta: db.prepare('UPDATE meta SET value = ? WHERE name = ?'),
      compact: db.prepare('DELETE FROM log WHERE rev <= ?'),
    };
  }

  meta(): Meta {
    const m = new Map(this.q.meta.all().map((r) => [r.name, r.value]));
    return { revision: m.get('revision') ?? 1, compactRevision: m.get('compact_revision') ?? 0 };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private walFd: number | undefined;
  private walSynced = false;

  async syncToDisk(): Promise<void> {
    if (this.walFd === undefined) {
      try {
        this.walFd = fs.openSync(`${this.file}-wal`, 'r+');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw e;
      }
    }
    await new Promise<void>((resolve, reject) =>
      fs.fdatasync(this.walFd!, (err) => (err ? reject(err) : resolve())),
    );
    if (!this.walSynced) {
      // The WAL file's own directory entry must be durable too, once.
      const dir = fs.openSync(path.dirname(this.file), 'r');
      try {
        fs.fsyncSync(dir);
      } finally {
        fs.closeSync(dir);
      }
      this.walSynced = true;
    }
  }

  get(key: string): KeyValue | undefined {
    return this.q.get.get(key);
  }

  range(range: KeyRange, after: string | undefined, limit: number): KeyValue[] {
    const n = limit > 0 ? limit : -1;
    return after !== undefined && after >= range.start
      ? this.q.range.all(after, range.end, n)
      : this.q.rangeFrom.all(range.start, range.end, n);
  }

  count(range: KeyRange): number {
    return this.q.count.get(range.start, range.end)!.n;
  }

  firstChangesAfter(range: KeyRange, revision: number): LogEntry[] {
    return this.q.firstChanges.all(range.start, range.end, revision).map(toEntry);
  }

  logAfter(range: KeyRange, afterRevision: number, limit: number): LogEntry[] {
    return this.q.logAfter.all(afterRevision, range.start, range.end, limit > 0 ? limit : -1).map(toEntry);
  }

  put(kv: KeyValue): void {
    this.q.upsert.run(kv.key, kv.value, kv.createRevision, kv.modRevision);
  }

  remove(key: string): void {
    this.q.remove.run(key);
  }

  append(e: LogEntry): void {
    const p = e.prev;
    this.q.append.run(
      e.revision,
      types.indexOf(e.type),
      e.key,
      e.value ?? null,
      e.createRevision,
      p?.value ?? null,
      p?.createRevision ?? null,
      p?.modRevision ?? null,
    );
  }

  setRevision(revision: number): void {
    this.q.setMeta.run(revision, 'revision');
  }

  compact(revision: number): void {
    this.transaction(() => {
      this.q.compact.run(revision);
      this.q.setMeta.run(revision, 'compact_revision');
    });
  }

  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  size(): number {
    const bytes = (f: string) => {
      try {
        return fs.statSync(f).size;
      } catch {
        return 0;
      }
    };
    return bytes(this.file) + bytes(`${this.file}-wal`) + bytes(`${this.file}-shm`);
  }

  close(): void {
    if (this.walFd !== undefined) fs.closeSync(this.walFd);
    this.walFd = undefined;
    if (this.db.open) this.db.close();
  }
}
