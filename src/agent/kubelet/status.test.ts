import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { Instance, PodRuntime } from './runtime.ts';
import { podStatus, type StatusInput, type Waiting } from './status.ts';

const c = (name: string, extra: Partial<V1Container> = {}): V1Container => ({
  name,
  image: 'busybox',
  ...extra,
});
const pod = (spec: Partial<NonNullable<V1Pod['spec']>> = {}): V1Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: { containers: [c('app')], ...spec },
  status: {
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' as never },
    ],
  },
});
let clock = 1_700_000_000_000;
function inst(
  name: string,
  state: string,
  exitCode = 0,
  restartCount = 0,
  extra: Partial<Instance> = {},
): Instance {
  clock += 1000;
  const n = clock;
  return {
    id: `${name}${restartCount}`,
    name,
    sandboxId: 's',
    restartCount,
    state,
    image: 'busybox',
    imageRef: 'docker.io/library/busybox@sha256:x',
    createdAt: n,
    startedAt: n,
    finishedAt: state === 'CONTAINER_EXITED' ? n + 500 : 0,
    exitCode,
    reason: '',
    message: '',
    annotations: {},
    ...extra,
  };
}
const sandboxes = [{ id: 's', state: 'SANDBOX_READY', createdAt: 0, labels: {}, annotations: {} }];
const input = (p: V1Pod, instances: Instance[], over: Partial<StatusInput> = {}): StatusInput => ({
  pod: p,
  rt: { sandboxes, instances } as PodRuntime,
  waiting: new Map<string, Waiting>(),
  ready: () => true,
  started: () => true,
  terminationMessages: new Map(),
  podIps: ['10.88.1.2'],
  hostIp: '192.0.2.1',
  sandboxReady: true,
  terminal: false,
  now: '2026-11-23T10:00:00Z',
  ...over,
});
// biome-ignore lint/suspicious/noExplicitAny: container statuses are read as loose JSON here.
type Loose = Record<string, any>;
type S = {
  phase: string;
  conditions: { type: string; status: string; reason?: string; message?: string }[];
  containerStatuses: Loose[];
  initContainerStatuses?: Loose[];
  podIP?: string;
  qosClass: string;
};
const status = (i: StatusInput) => podStatus(i) as unknown as S;
const cond = (s: S, type: string) => s.conditions.find((x) => x.type === type);

test('a new pod is Pending with ContainerCreating', () => {
  const s = status(input(pod(), [], { sandboxReady: false, podIps: [] }));
  assert.equal(s.phase, 'Pending');
  assert.deepEqual(s.containerStatuses[0]?.state, { waiting: { reason: 'ContainerCreating' } });
  assert.equal(cond(s, 'PodReadyToStartContainers')?.status, 'False');
  assert.equal(cond(s, 'PodScheduled')?.status, 'True');
  assert.equal(s.qosClass, 'BestEffort');
});

test('a running container makes the pod Running and Ready', () => {
  const s = status(input(pod(), [inst('app', 'CONTAINER_RUNNING')]));
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.88.1.2');
  const cs = s.containerStatuses[0]!;
  assert.equal(cs.containerID, 'containerd://app0');
  assert.equal(cs.imageID, 'docker.io/library/busybox@sha256:x');
  assert.equal(cs.ready, true);
  assert.ok(cs.state.running.startedAt);
  for (const t of ['Initialized', 'Ready', 'ContainersReady', 'PodReadyToStartContainers'])
    assert.equal(cond(s, t)?.status, 'True', t);
  const unready = status(input(pod(), [inst('app', 'CONTAINER_RUNNING')], { ready: () => false }));
  assert.deepEqual(cond(unready, 'Ready'), {
    type: 'Ready',
    status: 'False',
    reason: 'ContainersNotReady',
    message: 'containers with unready status: [app]',
    lastProbeTime: null,
    lastTransitionTime: '2026-11-23T10:00:00Z',
  });
});

test('CrashLoopBackOff: waiting with the back-off message, last state terminated', () => {
  const waiting = new Map([
    [
      'app',
      {
        reason: 'CrashLoopBackOff',
        message: 'back-off 10s restarting failed container=app pod=p_default(u)',
      },
    ],
  ]);
  const s = status(
    input(pod(), [inst('app', 'CONTAINER_EXITED', 3, 1), inst('app', 'CONTAINER_EXITED', 3, 0)], { waiting }),
  );
  assert.equal(s.phase, 'Running');
  const cs = s.containerStatuses[0]!;
  assert.equal(cs.restartCount, 1);
  assert.equal(cs.state.waiting.reason, 'CrashLoopBackOff');
  assert.equal(cs.lastState.terminated.exitCode, 3);
  assert.equal(cs.lastState.terminated.reason, 'Error');
});

test('phases of finished pods; termination messages and OOMKilled', () => {
  const messages = new Map([['app0', 'bye']]);
  const ok = status(
    input(pod({ restartPolicy: 'Never' }), [inst('app', 'CONTAINER_EXITED', 0)], {
      terminal: true,
      terminationMessages: messages,
    }),
  );
  assert.equal(ok.phase, 'Succeeded');
  assert.equal(ok.containerStatuses[0]!.state.terminated.reason, 'Completed');
  assert.equal(ok.containerStatuses[0]!.state.terminated.message, 'bye');
  assert.equal(cond(ok, 'Ready')?.reason, 'PodCompleted');
  const oom = status(
    input(
      pod({ restartPolicy: 'Never' }),
      [inst('app', 'CONTAINER_EXITED', 137, 0, { reason: 'OOMKilled' })],
      { terminal: true },
    ),
  );
  assert.equal(oom.phase, 'Failed');
  assert.equal(oom.containerStatuses[0]!.state.terminated.reason, 'OOMKilled');
  const onFailure = status(
    input(pod({ restartPolicy: 'OnFailure' }), [inst('app', 'CONTAINER_EXITED', 0)], { terminal: true }),
  );
  assert.equal(onFailure.phase, 'Succeeded');
});

test('init containers: Pending with PodInitializing, Init failure with Never is Failed', () => {
  const spec = pod({ initContainers: [c('i1'), c('i2')] });
  const s = status(input(spec, [inst('i1', 'CONTAINER_EXITED', 0), inst('i2', 'CONTAINER_RUNNING')]));
  assert.equal(s.phase, 'Pending');
  assert.equal(s.initContainerStatuses![0]!.state.terminated.reason, 'Completed');
  assert.equal(s.initContainerStatuses![0]!.ready, true);
  assert.ok(s.initContainerStatuses![1]!.state.running);
  assert.equal(s.containerStatuses[0]!.state.waiting.reason, 'PodInitializing');
  assert.deepEqual(
    [cond(s, 'Initialized')?.status, cond(s, 'Initialized')?.message],
    ['False', 'containers with incomplete status: [i2]'],
  );
  const waiting = new Map([['i1', { reason: 'CrashLoopBackOff', message: 'back-off' }]]);
  const crash = status(input(spec, [inst('i1', 'CONTAINER_EXITED', 1)], { waiting }));
  assert.equal(crash.phase, 'Pending');
  assert.equal(crash.initContainerStatuses![0]!.state.waiting.reason, 'CrashLoopBackOff');
  const never = status(
    input(pod({ restartPolicy: 'Never', initContainers: [c('i1')] }), [inst('i1', 'CONTAINER_EXITED', 1)], {
      terminal: true,
    }),
  );
  assert.equal(never.phase, 'Failed');
});

test('condition transition times are kept while the status holds', () => {
  const first = podStatus(input(pod(), [inst('app', 'CONTAINER_RUNNING')]));
  const again = status(
    input(pod(), [inst('app', 'CONTAINER_RUNNING')], {
      now: '2026-11-23T11:00:00Z',
      previous: first as never,
    }),
  );
  assert.equal(
    (cond(again, 'Ready') as { lastTransitionTime?: string }).lastTransitionTime,
    '2026-11-23T10:00:00Z',
  );
});

test('readiness gates hold Ready back; conditions of others are kept', () => {
  const p = pod({ readinessGates: [{ conditionType: 'example.com/lb' }] });
  const s = status(input(p, [inst('app', 'CONTAINER_RUNNING')]));
  assert.equal(cond(s, 'ContainersReady')?.status, 'True');
  assert.deepEqual(
    [cond(s, 'Ready')?.status, cond(s, 'Ready')?.reason, cond(s, 'Ready')?.message],
    [
      'False',
      'ReadinessGatesNotReady',
      'corresponding condition of pod readiness gate "example.com/lb" does not exist.',
    ],
  );
  p.status!.conditions!.push({ type: 'example.com/lb', status: 'True' });
  const ok = status(input(p, [inst('app', 'CONTAINER_RUNNING')]));
  assert.equal(cond(ok, 'Ready')?.status, 'True');
  assert.equal(cond(ok, 'example.com/lb')?.status, 'True');
  assert.equal(cond(ok, 'PodScheduled')?.status, 'True');
});
