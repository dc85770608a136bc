import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkQueue } from './workqueue.ts';

test('a key added twice before it is taken is worked on once', async () => {
  const q = new WorkQueue();
  q.add('a');
  q.add('a');
  q.add('b');
  assert.equal(q.length, 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
});

test('a key re-added while being processed comes back only after done()', async () => {
  const q = new WorkQueue();
  q.add('a');
  const k = await q.get();
  q.add('a');
  assert.equal(q.length, 0, 'not handed to a second worker');
  q.done(k!);
  assert.equal(q.length, 1);
  assert.equal(await q.get(), 'a');
});

test('a waiting worker gets a key as soon as it is added', async () => {
  const q = new WorkQueue();
  const next = q.get();
  q.add('x');
  assert.equal(await next, 'x');
});

test('failures back off exponentially per key and forget() resets', async () => {
  const q = new WorkQueue({ baseDelayMs: 20 });
  q.addRateLimited('k');
  assert.equal(q.retries('k'), 1);
  const t0 = Date.now();
  assert.equal(await q.get(), 'k');
  assert.ok(Date.now() - t0 >= 15);
  q.done('k');
  q.addRateLimited('k');
  const t1 = Date.now();
  await q.get();
  assert.ok(Date.now() - t1 >= 35, 'second failure waits twice as long');
  q.forget('k');
  assert.equal(q.retries('k'), 0);
});

test('shutDown releases waiting workers', async () => {
  const q = new WorkQueue();
  const next = q.get();
  q.shutDown();
  assert.equal(await next, undefined);
});
