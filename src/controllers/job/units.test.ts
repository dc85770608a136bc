import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../util/types.ts';
import { nextBackoffRecord, noBackoff, remainingBackoff } from './backoff.ts';
import { firstPendingIndexes, formatIndexes, generateNameWithIndex, parseIndexes } from './indexes.ts';
import { countUncounted, planTracking } from './tracking.ts';
import type { Job } from './types.ts';

const pod = (uid: string, phase: string, finishedAt: string, extra: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: { uid, name: uid, finalizers: ['batch.kubernetes.io/job-tracking'], ...extra },
  status: { phase, containerStatuses: [{ state: { terminated: { finishedAt } } } as never] },
});

test('completed indexes round-trip as intervals', () => {
  assert.equal(formatIndexes([5, 0, 1, 2, 7, 8]), '0-2,5,7-8');
  assert.deepEqual([...parseIndexes('0-2,5,7-8', 8)].sort(), [0, 1, 2, 5, 7]);
  assert.deepEqual(firstPendingIndexes(2, 6, new Set([0, 2]), new Set([1])), [3, 4]);
  assert.equal(generateNameWithIndex('a'.repeat(60), 12), `${'a'.repeat(54)}-12-`);
});

test('backoff doubles from the base per failure since the last success, capped', () => {
  const t = Date.parse('2024-01-01T00:00:00Z');
  const failed = [pod('a', 'Failed', '2024-01-01T00:00:00Z'), pod('b', 'Failed', '2024-01-01T00:00:00Z')];
  const r = nextBackoffRecord(noBackoff, [], failed, t);
  assert.deepEqual(r, { failuresAfterLastSuccess: 2, lastFailureTime: t });
  assert.equal(remainingBackoff(r, t + 5000, 10_000, 360_000), 15_000);
  assert.equal(
    remainingBackoff({ failuresAfterLastSuccess: 10, lastFailureTime: t }, t, 10_000, 360_000),
    360_000,
  );
  const reset = nextBackoffRecord(r, [pod('c', 'Succeeded', '2024-01-01T00:01:00Z')], [], t);
  assert.equal(remainingBackoff(reset, t, 10_000, 360_000), 0);
});

test('finished pods become uncounted before their finalizers go, then counted', () => {
  const job = { metadata: {}, spec: {}, status: { succeeded: 1 } } as Job;
  const pods = [pod('s', 'Succeeded', ''), pod('f', 'Failed', ''), pod('r', 'Running', '')];
  const plan = planTracking(job, pods, new Set(), undefined, new Set());
  assert.deepEqual(
    plan.removeFinalizer.map((p) => p.metadata.uid),
    ['s', 'f'],
  );
  assert.deepEqual(plan.uncounted, { succeeded: ['s'], failed: ['f'] });
  const status = { succeeded: 1, uncountedTerminatedPods: plan.uncounted };
  countUncounted(status, new Set(['f']));
  assert.deepEqual(status, { succeeded: 2, failed: 0, uncountedTerminatedPods: { failed: ['f'] } });
});
