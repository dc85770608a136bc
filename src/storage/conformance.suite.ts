import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isStorageError, type StorageErrorCode } from './errors.ts';
import type { BackendOptions } from './index.ts';
import type { Backend, Watch, WatchEvent } from './types.ts';

export interface Harness {
  backend: Backend;
  /** Closes and opens the same store again (persistent backends only). */
  reopen?: () => Promise<Backend>;
  cleanup: () => Promise<void>;
}

async function rejects(p: Promise<unknown>, code: StorageErrorCode): Promise<void> {
  await assert.rejects(p, (e) => isStorageError(e, code) || assert.fail(`expected ${code}, got ${e}`));
}

function throws(fn: () => unknown, code: StorageErrorCode): void {
  assert.throws(fn, (e) => isStorageError(e, code) || assert.fail(`expected ${code}, got ${e}`));
}

/** Takes events from a watch until `n` have arrived (fails after two seconds). */
async function take(w: Watch, n: number): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  const it = w[Symbol.asyncIterator]();
  const deadline = setTimeout(() => w.close(), 2000);
  try {
    while (out.length < n) {
      const r = await it.next();
      if (r.done) break;
      out.push(...r.value);
    }
  } finally {
    clearTimeout(deadline);
  }
  assert.equal(out.length, n, `expected ${n} events, got ${out.length}`);
  return out;
}

const summary = (events: WatchEvent[]) =>
  events.map((e) => `${e.type} ${e.kv.key}=${e.kv.value}@${e.revision}`);

/** The behaviour every Backend must show; each backend's test file runs it. */
export function conformance(name: string, open: (options?: BackendOptions) => Promise<Harness>): void {
  describe(`storage conformance: ${name}`, () => {
    const withBackend = (fn: (h: Harness) => Promise<void>, options?: BackendOptions) => async () => {
      const h = await open(options);
      try {
        await fn(h);
      } finally {
        await h.cleanup();
      }
    };

    test(
      'create, get, and a revision that only goes up',
      withBackend(async ({ backend: b }) => {
        const start = b.revision();
        const a = await b.create('/r/a', 'one');
        assert.equal(a.modRevision, start + 1);
        assert.equal(a.createRevision, a.modRevision);
        assert.deepEqual(await b.get('/r/a'), a);
        assert.equal(await b.get('/r/missing'), undefined);
        await rejects(b.create('/r/a', 'two'), 'KeyExists');
        assert.equal(b.revision(), start + 1, 'a failed write uses no revision');
        const c = await b.create('/r/c', 'three');
        assert.equal(c.modRevision, start + 2);
      }),
    );

    test(
      'update is a compare-and-swap on the revision',
      withBackend(async ({ backend: b }) => {
        const v1 = await b.create('/r/k', 'v1');
        const v2 = await b.update('/r/k', 'v2', v1.modRevision);
        assert.equal(v2.value, 'v2');
        assert.equal(v2.createRevision, v1.createRevision);
        assert.ok(v2.modRevision > v1.modRevision);
        await assert.rejects(b.update('/r/k', 'stale', v1.modRevision), (e) => {
          assert.ok(isStorageError(e, 'Conflict'));
          assert.deepEqual(e.current, v2, 'a conflict carries the current value');
          return true;
        });
        await rejects(b.update('/r/none', 'x', 1), 'KeyNotFound');
        assert.equal((await b.get('/r/k'))?.value, 'v2');
      }),
    );

    test(
      'delete returns the last value and honours its precondition',
      withBackend(async ({ backend: b }) => {
        const v1 = await b.create('/r/d', 'v1');
        const v2 = await b.update('/r/d', 'v2', v1.modRevision);
        await rejects(b.delete('/r/d', v1.modRevision), 'Conflict');
        const gone = await b.delete('/r/d', v2.modRevision);
        assert.equal(gone.value, 'v2');
        assert.ok(gone.modRevision > v2.modRevision, 'the delete has its own revision');
        assert.equal(await b.get('/r/d'), undefined);
        await rejects(b.delete('/r/d'), 'KeyNotFound');
        const again = await b.create('/r/d', 'v3');
        assert.equal(again.createRevision, again.modRevision, 'a re-created key starts a new life');
      }),
    );

    test(
      'list and count by prefix, in key order, with limit and continue',
      withBackend(async ({ backend: b }) => {
        for (const k of ['/p/b', '/p/a', '/p/c', '/pq/x', '/o/z', '/p/a/sub']) await b.create(k, k);
        const all = await b.list('/p/');
        assert.deepEqual(
          all.items.map((i) => i.key),
          ['/p/a', '/p/a/sub', '/p/b', '/p/c'],
        );
        assert.equal(all.more, false);
        assert.equal(all.revision, b.revision());
        assert.equal(await b.count('/p/'), 4);
        assert.equal(await b.count('/nothing/'), 0);
        const p1 = await b.list('/p/', { limit: 3 });
        assert.deepEqual(
          p1.items.map((i) => i.key),
          ['/p/a', '/p/a/sub', '/p/b'],
        );
        assert.equal(p1.more, true);
        const p2 = await b.list('/p/', { limit: 3, after: '/p/b', revision: p1.revision });
        assert.deepEqual(
          p2.items.map((i) => i.key),
          ['/p/c'],
        );
        assert.equal(p2.more, false);
        const exact = await b.list('/p/', { limit: 4 });
        assert.equal(exact.more, false, 'no more when the page ends exactly at the last key');
      }),
    );

    test(
      'later pages stay consistent at the first page’s revision',
      withBackend(async ({ backend: b }) => {
        const revs = new Map<string, number>();
        for (let i = 0; i < 10; i++) revs.set(`/c/${i}`, (await b.create(`/c/${i}`, `v${i}`)).modRevision);
        const first = await b.list('/c/', { limit: 4 });
        assert.deepEqual(
          first.items.map((i) => i.value),
          ['v0', 'v1', 'v2', 'v3'],
        );
        // Writes between pages: a delete, an update, a create, in the range of later pages.
        await b.delete('/c/5');
        await b.update('/c/6', 'changed', revs.get('/c/6')!);
        await b.create('/c/55', 'new');
        await b.delete('/c/9');
        await b.create('/c/9', 'reborn');
        const seen: string[] = [...first.items.map((i) => i.value)];
        let after = first.items.at(-1)!.key;
        for (;;) {
          const page = await b.list('/c/', { limit: 4, after, revision: first.revision });
          assert.equal(page.revision, first.revision);
          seen.push(...page.items.map((i) => i.value));
          if (!page.more) break;
          after = page.items.at(-1)!.key;
        }
        assert.deepEqual(
          seen,
          Array.from({ length: 10 }, (_, i) => `v${i}`),
        );
        const old = await b.get('/c/6', { revision: first.revision });
        assert.equal(old?.value, 'v6');
        assert.equal(await b.get('/c/55', { revision: first.revision }), undefined);
        assert.equal((await b.get('/c/6'))?.value, 'changed');
      }),
    );

    test(
      'concurrent writes: each lands once with its own revision, a loser fails alone',
      withBackend(async ({ backend: b }) => {
        const start = b.revision();
        const results = await Promise.allSettled([
          ...Array.from({ length: 100 }, (_, i) => b.create(`/g/${i}`, `${i}`)),
          b.create('/g/0', 'duplicate'),
        ]);
        const ok = results.filter((r) => r.status === 'fulfilled').map((r) => r.value.modRevision);
        assert.equal(ok.length, 100);
        assert.equal(new Set(ok).size, 100);
        assert.deepEqual(
          [...ok].sort((x, y) => x - y),
          Array.from({ length: 100 }, (_, i) => start + 1 + i),
        );
        const last = results.at(-1)!;
        assert.ok(last.status === 'rejected' && isStorageError(last.reason, 'KeyExists'));
        assert.equal(b.revision(), start + 100);
        assert.equal((await b.get('/g/0'))?.value, '0');
      }),
    );

    test(
      'watch: live events in commit order with previous values, filtered by prefix',
      withBackend(async ({ backend: b }) => {
        const w = b.watch('/w/', b.revision());
        const key = b.watch('/w/a', b.revision());
        const a = await b.create('/w/a', '1');
        await b.create('/other/x', 'no');
        const a2 = await b.update('/w/a', '2', a.modRevision);
        await b.create('/w/b', '3');
        await b.delete('/w/a');
        const events = await take(w, 4);
        assert.deepEqual(summary(events), [
          `create /w/a=1@${a.modRevision}`,
          `update /w/a=2@${a2.modRevision}`,
          `create /w/b=3@${a2.modRevision + 1}`,
          `delete /w/a=2@${a2.modRevision + 2}`,
        ]);
        assert.equal(events[0]!.prevKv, undefined);
        assert.equal(events[1]!.prevKv?.value, '1');
        assert.equal(events[3]!.prevKv?.value, '2');
        assert.equal(events[3]!.kv.createRevision, a.createRevision);
        assert.deepEqual(summary(await take(key, 3)), [
          summary(events)[0],
          summary(events)[1],
          summary(events)[3],
        ]);
        w.close();
        key.close();
        assert.equal((await w[Symbol.asyncIterator]().next()).done, true, 'a closed watch ends');
      }),
    );

    test(
      'watch from an older revision replays history, then goes live without gaps or repeats',
      withBackend(async ({ backend: b }) => {
        const from = b.revision();
        for (let i = 0; i < 5; i++) await b.create(`/h/${i}`, `${i}`);
        const w = b.watch('/h/', from);
        const live = Promise.all(Array.from({ length: 5 }, (_, i) => b.create(`/h/${i + 5}`, `${i + 5}`)));
        const events = await take(w, 10);
        await live;
        assert.deepEqual(
          events.map((e) => e.revision),
          Array.from({ length: 10 }, (_, i) => from + 1 + i),
        );
        assert.equal(w.revision, from + 10);
        w.close();
      }),
    );

    test(
      'compaction: older reads and watches fail with Compacted; future reads with FutureRevision',
      withBackend(async ({ backend: b }) => {
        const first = await b.create('/x/a', '1');
        const second = await b.update('/x/a', '2', first.modRevision);
        await b.update('/x/a', '3', second.modRevision);
        await b.compact(second.modRevision);
        assert.equal(b.compactRevision(), second.modRevision);
        await rejects(b.list('/x/', { revision: first.modRevision }), 'Compacted');
        await rejects(b.get('/x/a', { revision: first.modRevision }), 'Compacted');
        throws(() => b.watch('/x/', first.modRevision), 'Compacted');
        assert.equal((await b.get('/x/a', { revision: second.modRevision }))?.value, '2');
        const w = b.watch('/x/', second.modRevision);
        assert.equal((await take(w, 1))[0]!.kv.value, '3');
        w.close();
        await rejects(b.list('/x/', { revision: b.revision() + 5 }), 'FutureRevision');
      }),
    );

    test(
      'history is bounded: old revisions are compacted as writes go on',
      withBackend(
        async ({ backend: b }) => {
          let kv = await b.create('/t/k', '0');
          for (let i = 1; i <= 300; i++) kv = await b.update('/t/k', `${i}`, kv.modRevision);
          assert.ok(b.compactRevision() >= b.revision() - 110, `compacted to ${b.compactRevision()}`);
          assert.ok(b.compactRevision() <= b.revision() - 100, 'the newest history is kept');
          await rejects(b.list('/t/', { revision: b.revision() - 200 }), 'Compacted');
        },
        { maxRevisions: 100 },
      ),
    );

    test(
      'a watcher that falls behind is closed with a clear reason',
      withBackend(
        async ({ backend: b }) => {
          const w = b.watch('/s/', b.revision());
          await Promise.all(Array.from({ length: 20 }, (_, i) => b.create(`/s/${i}`, 'x')));
          await assert.rejects(
            w[Symbol.asyncIterator]().next(),
            (e) => isStorageError(e, 'WatcherTooSlow') && /fell behind/.test(e.message),
          );
        },
        { watchMaxPending: 5 },
      ),
    );

    test(
      'values are kept byte for byte',
      withBackend(async ({ backend: b }) => {
        const value = JSON.stringify({
          s: 'ünïcødé ✓ \u0000 "quoted"\n',
          n: 1.5e300,
          big: 'x'.repeat(200_000),
        });
        await b.create('/v/k', value);
        assert.equal((await b.get('/v/k'))?.value, value);
        assert.ok((await b.size()) > 0);
      }),
    );

    test('writes and revisions survive closing and opening again', async (t) => {
      const h = await open();
      try {
        if (!h.reopen) return t.skip('not persistent');
        const a = await h.backend.create('/d/a', 'kept');
        const b2 = await h.backend.update('/d/a', 'kept2', a.modRevision);
        await h.backend.compact(a.modRevision);
        const again = await h.reopen();
        assert.equal(again.revision(), b2.modRevision);
        assert.equal(again.compactRevision(), a.modRevision);
        assert.deepEqual(await again.get('/d/a'), b2);
        const next = await again.create('/d/b', 'new');
        assert.equal(next.modRevision, b2.modRevision + 1, 'revisions are never reused');
        h.backend = again;
      } finally {
        await h.cleanup();
      }
    });

    test(
      'closing fails later calls and ends watches',
      withBackend(async (h) => {
        const w = h.backend.watch('/', h.backend.revision());
        await h.backend.close();
        assert.equal((await w[Symbol.asyncIterator]().next()).done, true);
        await rejects(h.backend.create('/z', 'x'), 'Closed');
        await rejects(h.backend.get('/z'), 'Closed');
      }),
    );
  });
}
