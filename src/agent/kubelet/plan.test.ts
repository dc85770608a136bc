import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { containerHash } from './container-config.ts';
import type { CriSandbox } from './cri-types.ts';
import { type ProbeView, planPod } from './plan.ts';
import type { Instance, PodRuntime } from './runtime.ts';

const probes: ProbeView = { started: () => true, livenessFailed: () => false };
const c = (name: string, extra: Partial<V1Container> = {}): V1Container => ({
  name,
  image: 'busybox',
  ...extra,
});
const pod = (spec: Partial<NonNullable<V1Pod['spec']>>): V1Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: { containers: [c('app')], ...spec },
});
const sandbox = (state = 'SANDBOX_READY', attempt = 0): CriSandbox => ({
  id: `s${attempt}`,
  metadata: { name: 'p', uid: 'u', namespace: 'default', attempt },
  state,
  createdAt: attempt,
  labels: {},
  annotations: {},
});
let n = 0;
const inst = (name: string, state: string, exitCode = 0, restartCount = 0, sandboxId = 's0'): Instance => ({
  id: `${name}-${n++}`,
  name,
  sandboxId,
  restartCount,
  state,
  image: 'busybox',
  imageRef: 'sha256:x',
  createdAt: n,
  startedAt: n,
  finishedAt: n,
  exitCode,
  reason: '',
  message: '',
  annotations: {},
});
const rt = (sandboxes: CriSandbox[], instances: Instance[]): PodRuntime => ({ sandboxes, instances });
const started = (p: ReturnType<typeof planPod>) => p.start.map((s) => s.container.name);

test('a new pod gets a sandbox and its first init container, or all app containers', () => {
  const p1 = planPod(pod({ initContainers: [c('i1'), c('i2')] }), rt([], []), probes);
  assert.deepEqual(p1.createSandbox, { attempt: 0 });
  assert.deepEqual(started(p1), ['i1']);
  const p2 = planPod(pod({ containers: [c('a'), c('b')] }), rt([], []), probes);
  assert.deepEqual(started(p2), ['a', 'b']);
  // A dead sandbox is replaced with the next attempt, and running containers are killed.
  const p3 = planPod(
    pod({}),
    rt([sandbox('SANDBOX_NOTREADY', 2)], [inst('app', 'CONTAINER_RUNNING', 0, 0, 's2')]),
    probes,
  );
  assert.deepEqual(p3.createSandbox, { attempt: 3 });
  assert.equal(p3.kill.length, 1);
});

test('init containers run one at a time, in order', () => {
  const spec = pod({ initContainers: [c('i1'), c('i2')] });
  assert.deepEqual(started(planPod(spec, rt([sandbox()], [inst('i1', 'CONTAINER_RUNNING')]), probes)), []);
  const after1 = planPod(spec, rt([sandbox()], [inst('i1', 'CONTAINER_EXITED', 0)]), probes);
  assert.deepEqual(started(after1), ['i2']);
  assert.equal(after1.initialized, false);
  const done = planPod(
    spec,
    rt([sandbox()], [inst('i1', 'CONTAINER_EXITED'), inst('i2', 'CONTAINER_EXITED')]),
    probes,
  );
  assert.deepEqual(started(done), ['app']);
  assert.equal(done.initialized, true);
  // A failed init container is restarted, and nothing after it runs.
  const failed = planPod(spec, rt([sandbox()], [inst('i1', 'CONTAINER_EXITED', 1)]), probes);
  assert.deepEqual(started(failed), ['i1']);
  assert.ok(failed.start[0]?.previous);
  // With restartPolicy Never it ends the pod.
  const never = planPod(
    pod({ restartPolicy: 'Never', initContainers: [c('i1')] }),
    rt([sandbox()], [inst('i1', 'CONTAINER_EXITED', 1)]),
    probes,
  );
  assert.equal(never.terminal, true);
});

test('sidecars start in order and the next init waits until they are started', () => {
  const spec = pod({ initContainers: [c('side', { restartPolicy: 'Always' }), c('i2')] });
  assert.deepEqual(started(planPod(spec, rt([sandbox()], []), probes)), ['side']);
  const notStarted = { ...probes, started: () => false };
  const waiting = planPod(spec, rt([sandbox()], [inst('side', 'CONTAINER_RUNNING')]), notStarted);
  assert.deepEqual(started(waiting), []);
  assert.deepEqual(started(planPod(spec, rt([sandbox()], [inst('side', 'CONTAINER_RUNNING')]), probes)), [
    'i2',
  ]);
  // Once the app runs, an exited sidecar is restarted without holding anything up.
  const later = planPod(
    spec,
    rt(
      [sandbox()],
      [inst('side', 'CONTAINER_EXITED', 1), inst('i2', 'CONTAINER_EXITED'), inst('app', 'CONTAINER_RUNNING')],
    ),
    probes,
  );
  assert.deepEqual(started(later), ['side']);
});

test('restartPolicy decides which exited containers start again', () => {
  const exited = (code: number) => rt([sandbox()], [inst('app', 'CONTAINER_EXITED', code)]);
  assert.deepEqual(started(planPod(pod({ restartPolicy: 'Always' }), exited(0), probes)), ['app']);
  assert.deepEqual(started(planPod(pod({ restartPolicy: 'OnFailure' }), exited(1), probes)), ['app']);
  const succeeded = planPod(pod({ restartPolicy: 'OnFailure' }), exited(0), probes);
  assert.equal(succeeded.terminal, true);
  assert.equal(planPod(pod({ restartPolicy: 'Never' }), exited(1), probes).terminal, true);
  // Not terminal while another container still runs.
  const two = pod({ restartPolicy: 'Never', containers: [c('app'), c('b')] });
  const partly = planPod(
    two,
    rt([sandbox()], [inst('app', 'CONTAINER_EXITED', 1), inst('b', 'CONTAINER_RUNNING')]),
    probes,
  );
  assert.equal(partly.terminal, false);
  assert.deepEqual(started(partly), []);
});

test('running containers are left alone unless their liveness probe failed', () => {
  const running = inst('app', 'CONTAINER_RUNNING');
  const calm = planPod(pod({}), rt([sandbox()], [running]), probes);
  assert.deepEqual([started(calm), calm.kill.length, calm.createSandbox], [[], 0, undefined]);
  const sick = planPod(pod({}), rt([sandbox()], [running]), {
    ...probes,
    livenessFailed: (id) => id === running.id,
  });
  assert.equal(sick.kill[0]?.instance.id, running.id);
  assert.deepEqual(started(sick), ['app']);
});

test('a finished pod only has its containers stopped', () => {
  const p = planPod(pod({}), rt([sandbox()], [inst('app', 'CONTAINER_RUNNING')]), probes, true);
  assert.equal(p.terminal, true);
  assert.equal(p.kill.length, 1);
  assert.deepEqual(started(p), []);
});

test('a running container created from another spec is replaced', () => {
  const spec = pod({});
  const same = {
    ...inst('app', 'CONTAINER_RUNNING'),
    annotations: { 'io.kubernetes.container.hash': containerHash(c('app')) },
  };
  assert.equal(planPod(spec, rt([sandbox()], [same]), probes).kill.length, 0);
  const old = {
    ...same,
    annotations: { 'io.kubernetes.container.hash': containerHash(c('app', { image: 'busybox:1.36' })) },
  };
  const p = planPod(spec, rt([sandbox()], [old]), probes);
  assert.deepEqual([p.kill[0]?.reason, started(p)], ['Changed', ['app']]);
});
