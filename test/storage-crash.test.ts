import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openBackend } from '../src/storage/index.ts';

const writer = path.join(import.meta.dirname, 'fixtures', 'crash-writer.ts');

interface Write {
  op: 'create' | 'update' | 'delete';
  value: string;
  revision?: number;
}
interface KeyHistory {
  acked?: Write;
  inFlight?: Write;
}

/** Runs the writer until it has acknowledged some writes, then kills it with SIGKILL. */
async function runAndKill(file: string, run: number, killAfterMs: number): Promise<string[]> {
  const report = `${file}.report-${run}`;
  const child = spawn(process.execPath, [writer, file, String(run), report], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const started = setInterval(() => {
        if (fs.existsSync(report) && fs.statSync(report).size > 0) {
          clearInterval(started);
          setTimeout(resolve, killAfterMs);
        }
      }, 5);
      child.once('exit', (code) => {
        clearInterval(started);
        reject(new Error(`writer exited early with ${code}`));
      });
    });
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  // Only whole lines count: a line cut by the kill was never acknowledged.
  return fs.readFileSync(report, 'utf8').split('\n').slice(0, -1);
}

test('acknowledged writes survive SIGKILL at random moments, 24 times', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-crash-'));
  const file = path.join(dir, 'state.db');
  const keys = new Map<string, KeyHistory>();
  let maxAcked = 0;
  let totalAcked = 0;
  try {
    for (let run = 0; run < 24; run++) {
      const lines = await runAndKill(file, run, 30 + Math.floor(Math.random() * 400));
      for (const line of lines) {
        const [kind, key, op, a, b] = line.split(' ') as [string, string, Write['op'], string, string];
        if (kind === 'R') {
          assert.ok(
            Number(key) >= maxAcked,
            `run ${run} opened at revision ${key}, below acknowledged ${maxAcked}`,
          );
          continue;
        }
        const h = keys.get(key) ?? {};
        keys.set(key, h);
        if (kind === 'I') h.inFlight = { op, value: a };
        else {
          h.acked = { op, revision: Number(a), value: b };
          h.inFlight = undefined;
          maxAcked = Math.max(maxAcked, Number(a));
          totalAcked++;
        }
      }
      const integrity = new Database(file);
      assert.equal(integrity.pragma('integrity_check', { simple: true }), 'ok');
      integrity.close();

      const store = openBackend(`sqlite:${file}`, { compactIntervalMs: 0 });
      try {
        assert.ok(store.revision() >= maxAcked, `revision went back: ${store.revision()} < ${maxAcked}`);
        for (const [key, h] of keys) {
          const kv = await store.get(key);
          const matches = (w: Write | undefined, exact: boolean) =>
            w !== undefined &&
            (w.op === 'delete'
              ? kv === undefined
              : kv !== undefined && kv.value === w.value && (!exact || kv.modRevision === w.revision));
          // Either the last acknowledged write is what is stored, or the one in flight landed.
          assert.ok(
            matches(h.acked, true) ||
              matches(h.inFlight, false) ||
              (h.acked === undefined && kv === undefined),
            `run ${run}: ${key} is ${kv ? `${kv.modRevision} ${kv.value.slice(0, 20)}` : 'absent'}, acked ${JSON.stringify(h.acked)?.slice(0, 80)}`,
          );
        }
      } finally {
        await store.close();
      }
    }
    assert.ok(totalAcked > 24 * 10, `only ${totalAcked} writes were acknowledged in all`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
