import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deletionCost, lessValuable, podsToDelete } from './active-pods.ts';
import { Expectations } from './expectations.ts';
import type { Pod } from './types.ts';

const now = Date.parse('2024-06-01T12:00:00Z');
const ago = (s: number) => new Date(now - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(
  name: string,
  o: {
    node?: string;
    phase?: string;
    readySince?: number;
    created?: number;
    restarts?: number;
    cost?: string;
  } = {},
): Pod {
  return {
    metadata: {
      name,
      uid: name,
      creationTimestamp: ago(o.created ?? 1000),
      ...(o.cost !== undefined
        ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } }
        : {}),
    },
    spec: { ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions:
        o.readySince !== undefined
          ? [{ type: 'Ready', status: 'True', lastTransitionTime: ago(o.readySince) }]
          : [],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
}

const order = (pods: Pod[]) => podsToDelete(pods, pods, pods.length - 1, now).map((p) => p.metadata.name);

test('unassigned, then pending, then not ready pods go first', () => {
  const running = pod('running', { node: 'n1', readySince: 500 });
  const unassigned = pod('unassigned', { phase: 'Pending' });
  const pending = pod('pending', { node: 'n1', phase: 'Pending' });
  const unknown = pod('unknown', { node: 'n1', phase: 'Unknown' });
  const notReady = pod('not-ready', { node: 'n1' });
  assert.deepEqual(order([running, notReady, unknown, pending, unassigned]), [
    'unassigned',
    'pending',
    'unknown',
    'not-ready',
  ]);
});

test('the deletion cost, then doubling up on a node, then the shorter readiness go first', () => {
  const cheap = pod('cheap', { node: 'n1', readySince: 5000, cost: '-5' });
  const dear = pod('dear', { node: 'n1', readySince: 10, cost: '100' });
  assert.ok(lessValuable({ pod: cheap, rank: 0 }, { pod: dear, rank: 0 }, now));
  const crowded = pod('crowded', { node: 'n1', readySince: 5000 });
  const alone = pod('alone', { node: 'n2', readySince: 10 });
  assert.ok(lessValuable({ pod: crowded, rank: 3 }, { pod: alone, rank: 1 }, now));
  const fresh = pod('fresh', { node: 'n1', readySince: 10 });
  const seasoned = pod('seasoned', { node: 'n1', readySince: 5000 });
  assert.ok(lessValuable({ pod: fresh, rank: 1 }, { pod: seasoned, rank: 1 }, now));
  assert.ok(!lessValuable({ pod: seasoned, rank: 1 }, { pod: fresh, rank: 1 }, now));
});

test('ready times in the same power-of-two bucket tie on the UID; then restarts, then age decide', () => {
  // 100 s and 120 s ago share a log2 bucket of nanoseconds: the lower UID goes first.
  const a = pod('a', { node: 'n1', readySince: 120, restarts: 0 });
  const b = pod('b', { node: 'n1', readySince: 100, restarts: 4 });
  assert.ok(lessValuable({ pod: a, rank: 1 }, { pod: b, rank: 1 }, now));
  const restarted = pod('r', { node: 'n1', readySince: 100, restarts: 4 });
  const steady = pod('s', { node: 'n1', readySince: 100, restarts: 0 });
  assert.ok(lessValuable({ pod: restarted, rank: 1 }, { pod: steady, rank: 1 }, now));
  const young = pod('y', { node: 'n1', readySince: 100, created: 100 });
  const old = pod('o', { node: 'n1', readySince: 100, created: 100000 });
  assert.ok(lessValuable({ pod: young, rank: 1 }, { pod: old, rank: 1 }, now));
});

test('pod-deletion-cost accepts only canonical int32 values', () => {
  const withCost = (cost: string) => pod('p', { cost });
  assert.equal(deletionCost(withCost('10')), 10);
  assert.equal(deletionCost(withCost('-3')), -3);
  assert.equal(deletionCost(withCost('0')), 0);
  assert.equal(deletionCost(withCost('+10')), 0);
  assert.equal(deletionCost(withCost('08')), 0);
  assert.equal(deletionCost(withCost('99999999999')), 0);
  assert.equal(deletionCost(pod('p')), 0);
});

test('expectations: deletions count once per pod, and expire after five minutes', () => {
  let clock = 0;
  const e = new Expectations(() => clock);
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a');
  assert.deepEqual(e.pending('ns/rs'), { add: 0, del: 1 });
  assert.equal(e.satisfied('ns/rs'), false);
  clock += 5 * 60 * 1000 + 1;
  assert.equal(e.satisfied('ns/rs'), true);
  e.expectCreations('ns/rs', 1);
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), true);
});
