import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { backoffMs, type PodRun, podPhase, podStatus, restartsAfter } from './pod-status.ts';
import { KeyedQueue } from './queue.ts';

const T0 = '2026-11-23T16:04:05Z';
const T1 = '2026-11-23T16:04:09Z';

function run(overrides: Partial<PodRun> = {}, pod: Partial<V1Pod> = {}): PodRun {
  return {
    key: 'default/web',
    uid: 'u1',
    node: 'sim-0',
    pod: {
      metadata: { name: 'web', namespace: 'default', uid: 'u1' },
      spec: {
        containers: [{ name: 'c', image: 'nginx' }],
        initContainers: [{ name: 'i', image: 'busybox' }],
      },
      ...pod,
    },
    behaviour: { exitCode: 0, neverReady: false },
    stage: 'running',
    startTime: T0,
    startedAt: T0,
    podIP: '10.200.0.2',
    restarts: 0,
    conditions: {},
    deleting: false,
    deleteDue: false,
    ...overrides,
  };
}

const cond = (s: Record<string, unknown>, type: string) =>
  (s.conditions as Record<string, unknown>[]).find((c) => c.type === type);

test('a running pod: Ready, its container running, init containers Completed', () => {
  const s = podStatus(run(), '127.0.0.2', T0);
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.200.0.2');
  assert.deepEqual(s.hostIPs, [{ ip: '127.0.0.2' }]);
  assert.equal(cond(s, 'Ready')?.status, 'True');
  assert.equal(cond(s, 'Ready')?.message, undefined);
  const [c] = s.containerStatuses as Record<string, unknown>[];
  assert.deepEqual(c, {
    name: 'c',
    image: 'nginx',
    imageID: 'sim://nginx',
    containerID: 'sim://u1-c',
    restartCount: 0,
    ready: true,
    started: true,
    state: { running: { startedAt: T0 } },
    lastState: {},
  });
  const [i] = s.initContainerStatuses as Record<string, Record<string, Record<string, unknown>>>[];
  assert.equal(i!.state!.terminated!.reason, 'Completed');
});

test('never-ready, crash loop and finished pods', () => {
  const r = run({ behaviour: { exitCode: 0, neverReady: true } });
  let s = podStatus(r, '127.0.0.2', T0);
  assert.equal(cond(s, 'Ready')?.status, 'False');
  assert.equal(cond(s, 'Ready')?.reason, 'ContainersNotReady');
  assert.equal(cond(s, 'Ready')?.message, 'containers with unready status: [c]');

  const last = { exitCode: 1, reason: 'Error', startedAt: T0, finishedAt: T1 };
  s = podStatus(run({ stage: 'backoff', restarts: 1, last }), '127.0.0.2', T1);
  const [c] = s.containerStatuses as Record<string, Record<string, Record<string, unknown>>>[];
  assert.equal(c!.state!.waiting!.reason, 'CrashLoopBackOff');
  assert.equal(c!.lastState!.terminated!.exitCode, 1);
  assert.equal(c!.restartCount as unknown, 1);
  assert.equal(s.phase, 'Running');

  const done = run({ stage: 'done', exit: last });
  assert.equal(podPhase(done), 'Failed');
  s = podStatus(done, '127.0.0.2', T1);
  assert.equal(cond(s, 'Ready')?.reason, 'PodCompleted');
  assert.equal(podPhase(run({ stage: 'done', exit: { ...last, exitCode: 0 } })), 'Succeeded');
});

test('conditions keep their transition time until their status changes', () => {
  const r = run();
  podStatus(r, 'h', T0);
  assert.equal(cond(podStatus(r, 'h', T1), 'Ready')?.lastTransitionTime, T0);
  r.stage = 'backoff';
  assert.equal(cond(podStatus(r, 'h', T1), 'Ready')?.lastTransitionTime, T1);
  assert.equal(cond(podStatus(r, 'h', T1), 'Initialized')?.lastTransitionTime, T0);
});

test('restart policy and back-off', () => {
  assert.equal(restartsAfter('Never', 1), false);
  assert.equal(restartsAfter('OnFailure', 0), false);
  assert.equal(restartsAfter('OnFailure', 1), true);
  assert.equal(restartsAfter('Always', 0), true);
  assert.equal(restartsAfter(undefined, 0), true);
  assert.deepEqual([1, 2, 3, 10].map(backoffMs), [10_000, 20_000, 40_000, 300_000]);
});

test('the queue coalesces a key and bounds concurrency', async () => {
  const seen: string[] = [];
  let running = 0;
  let most = 0;
  const q = new KeyedQueue(2, async (key) => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 5));
    seen.push(key);
    running--;
  });
  for (const k of ['a', 'b', 'c', 'a', 'a', 'd']) q.add(k);
  q.add('a');
  await q.idle();
  assert.equal(most, 2);
  assert.deepEqual(seen.sort(), ['a', 'a', 'b', 'c', 'd']);
});
