import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff, goDuration } from './backoff.ts';

test('crash-loop back-off doubles from 10 s to 5 min and resets after 10 min without failure', () => {
  let now = 0;
  const b = new Backoff(10_000, 300_000, () => now);
  // First failure: restart at once, the next one waits 10 s.
  assert.equal(b.inBackoffSince('p/c', 0), false);
  b.next('p/c', 0);
  assert.equal(b.get('p/c'), 10_000);
  now = 5_000;
  assert.equal(b.inBackoffSince('p/c', 1_000), true);
  now = 11_001;
  assert.equal(b.inBackoffSince('p/c', 1_000), false);
  b.next('p/c', 1_000);
  assert.equal(b.get('p/c'), 20_000);
  for (let i = 0; i < 10; i++) b.next('p/c', 2_000 + i);
  assert.equal(b.get('p/c'), 300_000);
  // A failure more than 2 × max after the last restart starts over.
  now = 700_000;
  assert.equal(b.inBackoffSince('p/c', 650_000), false);
  b.next('p/c', 650_000);
  assert.equal(b.get('p/c'), 10_000);
  b.forget('p/');
  assert.equal(b.get('p/c'), 0);
});

test('durations print as Go prints them', () => {
  assert.equal(goDuration(10_000), '10s');
  assert.equal(goDuration(80_000), '1m20s');
  assert.equal(goDuration(160_000), '2m40s');
  assert.equal(goDuration(300_000), '5m0s');
});
