import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageAtRevision } from './snapshot.ts';
import type { KeyValue } from './types.ts';

const kv = (key: string, rev = 1): KeyValue => ({ key, value: key, createRevision: rev, modRevision: rev });
const keys = (r: { items: KeyValue[] }) => r.items.map((i) => i.key);

test('unchanged rows pass through, with more when the range was not read to its end', () => {
  const r = pageAtRevision([kv('a'), kv('b')], false, new Map(), 0);
  assert.deepEqual(keys(r), ['a', 'b']);
  assert.equal(r.more, true);
  assert.equal(pageAtRevision([kv('a')], true, new Map(), 0).more, false);
});

test('keys created since are dropped, updated and deleted ones restored', () => {
  const changed = new Map<string, KeyValue | undefined>([
    ['b', undefined], // created later
    ['c', kv('c', 1)], // updated later: current row is newer
    ['d', kv('d', 1)], // deleted later: no current row
  ]);
  const r = pageAtRevision([kv('a'), kv('b', 5), kv('c', 6)], true, changed, 0);
  assert.deepEqual(keys(r), ['a', 'c', 'd']);
  assert.equal(r.items[1]!.modRevision, 1);
});

test('the limit cuts the merged page and reports more', () => {
  const changed = new Map<string, KeyValue | undefined>([['aa', kv('aa')]]);
  const r = pageAtRevision([kv('a'), kv('b')], true, changed, 2);
  assert.deepEqual(keys(r), ['a', 'aa']);
  assert.equal(r.more, true);
});

test('restored keys past the last row read wait for the next page', () => {
  const changed = new Map<string, KeyValue | undefined>([['z', kv('z')]]);
  const r = pageAtRevision([kv('a'), kv('b')], false, changed, 0);
  assert.deepEqual(keys(r), ['a', 'b']);
  assert.equal(r.more, true);
});
