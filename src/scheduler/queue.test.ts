import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterEvent } from './framework.ts';
import { isPodUpdated, SchedulingQueue } from './queue.ts';
import { makePod, podInfo } from './testing.ts';

function queue(now: { t: number }) {
  const pluginEvents = new Map<string, ReadonlySet<ClusterEvent>>([
    ['NodeResourcesFit', new Set<ClusterEvent>(['NodeAdd', 'AssignedPodDelete'])],
    ['TaintToleration', new Set<ClusterEvent>(['NodeAdd', 'NodeUpdate'])],
  ]);
  return new SchedulingQueue({ now: () => now.t, pluginEvents });
}

test('activeQ pops by priority, then by arrival', async () => {
  const now = { t: 0 };
  const q = queue(now);
  for (const [name, priority] of [
    ['a', 0],
    ['b', 10],
    ['c', 0],
    ['d', 10],
  ] as const) {
    now.t++;
    q.add(podInfo(makePod(name, { priority })));
  }
  const order: string[] = [];
  for (let i = 0; i < 4; i++) order.push((await q.pop())!.qpi.podInfo.name);
  assert.deepEqual(order, ['b', 'd', 'a', 'c']);
});

test('backoff doubles from 1s to at most 10s per attempt', () => {
  const q = queue({ t: 0 });
  const qpi = { attempts: 1 } as Parameters<SchedulingQueue['backoffDuration']>[0];
  const durations = [1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration({ ...qpi, attempts: a }));
  assert.deepEqual(durations, [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('unschedulable pods wait for an event a rejecting plugin registered, then back off', async () => {
  const now = { t: 0 };
  const q = queue(now);
  q.add(podInfo(makePod('p')));
  const { qpi, cycle } = (await q.pop())!;
  qpi.unschedulablePlugins = new Set(['NodeResourcesFit']);
  q.addUnschedulableIfNotPresent(qpi, cycle);
  assert.equal(q.pending().unschedulable, 1);
  q.moveAllToActiveOrBackoffQueue('NodeUpdate');
  assert.equal(q.pending().unschedulable, 1, 'NodeResourcesFit does not care about node updates');
  q.moveAllToActiveOrBackoffQueue('AssignedPodDelete');
  assert.deepEqual(q.pending(), { active: 0, backoff: 1, unschedulable: 0, gated: 0 });
  now.t += 999;
  q.flushBackoffQCompleted();
  assert.equal(q.pending().backoff, 1);
  now.t += 1;
  q.flushBackoffQCompleted();
  assert.equal(q.pending().active, 1);
});

test('a move request during the attempt sends the failed pod to backoffQ; leftovers flush after 5 minutes', async () => {
  const now = { t: 0 };
  const q = queue(now);
  q.add(podInfo(makePod('p')));
  q.add(podInfo(makePod('r')));
  const first = (await q.pop())!;
  q.moveAllToActiveOrBackoffQueue('NodeAdd');
  first.qpi.unschedulablePlugins = new Set(['TaintToleration']);
  q.addUnschedulableIfNotPresent(first.qpi, first.cycle);
  assert.equal(q.pending().backoff, 1);
  const second = (await q.pop())!;
  second.qpi.unschedulablePlugins = new Set(['TaintToleration']);
  q.addUnschedulableIfNotPresent(second.qpi, second.cycle);
  assert.equal(q.pending().unschedulable, 1);
  now.t += 5 * 60_000 + 1;
  q.flushUnschedulablePodsLeftover();
  assert.equal(q.pending().unschedulable, 0);
});

test('scheduling gates hold a pod until an update removes them; status-only updates do not requeue', async () => {
  const q = queue({ t: 0 });
  const gated = makePod('g', { spec: { schedulingGates: [{ name: 'example.com/wait' }] } });
  q.add(podInfo(gated));
  assert.deepEqual(q.pending(), { active: 0, backoff: 0, unschedulable: 0, gated: 1 });
  q.moveAllToActiveOrBackoffQueue('NodeAdd');
  assert.equal(q.pending().gated, 1);
  const open = { ...gated, spec: { ...(gated.spec as object), schedulingGates: [] } };
  q.update(podInfo(gated), podInfo(open));
  assert.equal((await q.pop())!.qpi.podInfo.name, 'g');
  assert.ok(
    !isPodUpdated(open, {
      ...open,
      status: { conditions: [] },
      metadata: { ...open.metadata, resourceVersion: '9' },
    }),
  );
  assert.ok(isPodUpdated(open, { ...open, metadata: { ...open.metadata, labels: { a: 'b' } } }));
});

test('pop waits for a pod; close releases waiters', async () => {
  const q = queue({ t: 0 });
  const waiting = q.pop();
  q.add(podInfo(makePod('late')));
  assert.equal((await waiting)!.qpi.podInfo.name, 'late');
  const blocked = q.pop();
  q.close();
  assert.equal(await blocked, undefined);
});
