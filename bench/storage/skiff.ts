import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBackend } from '../../src/storage/index.ts';
import type { Backend } from '../../src/storage/types.ts';
import type { BenchTarget } from './target.ts';

/** skiff's SQLite backend, in this process, on a fresh file in a temp dir. */
export class SkiffTarget implements BenchTarget {
  readonly name = 'skiff (sqlite)';
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-bench-'));
  private readonly backend: Backend = openBackend(`sqlite:${path.join(this.dir, 'state.db')}`);

  async create(key: string, value: string): Promise<void> {
    await this.backend.create(key, value);
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<number> {
    return (await this.backend.update(key, value, expectedModRevision)).modRevision;
  }

  async get(key: string): Promise<{ value: string; modRevision: number } | undefined> {
    return this.backend.get(key);
  }

  async list(prefix: string): Promise<number> {
    return (await this.backend.list(prefix)).items.length;
  }

  async watch(prefix: string, onEvent: (key: string, value: string) => void): Promise<() => void> {
    const w = this.backend.watch(prefix, this.backend.revision());
    void (async () => {
      for await (const batch of w) for (const e of batch) onEvent(e.kv.key, e.kv.value);
    })();
    return () => w.close();
  }

  async close(): Promise<void> {
    await this.backend.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
