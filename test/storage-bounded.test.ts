import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openBackend } from '../src/storage/index.ts';

/**
 * kine's best-known failure is a WAL that grows to hundreds of GB under steady updates. Here the
 * change log is capped (10,000 revisions by default) and the WAL is cut back after checkpoints,
 * so the files stay bounded however many updates go through.
 */
const updates = 200_000;
const keys = 100;
const valueBytes = 1024;
const boundBytes = 40 << 20;

function filesSize(file: string): number {
  return [file, `${file}-wal`, `${file}-shm`]
    .map((f) => (fs.existsSync(f) ? fs.statSync(f).size : 0))
    .reduce((a, b) => a + b, 0);
}

test(`${updates} updates to ${keys} keys keep the database and WAL under ${boundBytes >> 20} MiB`, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-bounded-'));
  const file = path.join(dir, 'state.db');
  const store = openBackend(`sqlite:${file}`);
  let largest = 0;
  try {
    const revs: number[] = [];
    for (let k = 0; k < keys; k++)
      revs.push((await store.create(`/b/${k}`, 'x'.repeat(valueBytes))).modRevision);
    let done = 0;
    await Promise.all(
      revs.map(async (_, k) => {
        for (let i = 0; i < updates / keys; i++) {
          const value = `${i}`.padEnd(valueBytes, 'y');
          revs[k] = (await store.update(`/b/${k}`, value, revs[k]!)).modRevision;
          if (++done % 10_000 === 0) largest = Math.max(largest, filesSize(file));
        }
      }),
    );
    largest = Math.max(largest, filesSize(file));
    assert.equal(await store.count('/b/'), keys);
    assert.ok(store.revision() > updates);
    assert.ok(largest < boundBytes, `files reached ${(largest / 2 ** 20).toFixed(1)} MiB`);
    console.log(`# largest size seen: ${(largest / 2 ** 20).toFixed(1)} MiB after ${done} updates`);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
