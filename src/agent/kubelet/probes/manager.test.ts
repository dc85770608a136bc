import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import pino from 'pino';
import { ProbeManager } from './manager.ts';
import type { ExecInContainer } from './types.ts';

/** One probe "second" is 20 ms here. */
const secondMs = 20;

function podWith(container: V1Container): V1Pod {
  return { metadata: { name: 'p', namespace: 'default', uid: 'pod-1' }, spec: { containers: [container] } };
}

async function waitFor(what: string, cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Rig {
  manager: ProbeManager;
  /** Exit code per command name; calls counted per command name. */
  exits: Record<string, number>;
  calls: Record<string, number>;
  changes: string[];
  events: { type: string; reason: string; message: string }[];
}

let current: ProbeManager | undefined;
afterEach(() => current?.stop());

function rig(): Rig {
  const exits: Record<string, number> = {};
  const calls: Record<string, number> = {};
  const exec: ExecInContainer = async (_id, cmd) => {
    const name = cmd[0]!;
    calls[name] = (calls[name] ?? 0) + 1;
    const code = exits[name] ?? 0;
    return { exitCode: code, stdout: Buffer.from(`${name} said ${code}`), stderr: Buffer.alloc(0) };
  };
  const r: Rig = { exits, calls, changes: [], events: [], manager: undefined as unknown as ProbeManager };
  r.manager = new ProbeManager({
    exec,
    onChange: (uid) => r.changes.push(uid),
    onEvent: (_pod, type, reason, message) => r.events.push({ type, reason, message }),
    log: pino({ level: 'silent' }),
    jitter: false,
    secondMs,
  });
  current = r.manager;
  return r;
}

const execProbe = (cmd: string, extra: Partial<V1Container['livenessProbe'] & object> = {}) => ({
  exec: { command: [cmd] },
  periodSeconds: 1,
  ...extra,
});

describe('ProbeManager', () => {
  it('without probes a container is started and ready at once', () => {
    const r = rig();
    r.manager.track(podWith({ name: 'c' }), 'c', 'id1', Date.now(), '10.0.0.1');
    assert.equal(r.manager.started('id1'), true);
    assert.equal(r.manager.ready('id1'), true);
    assert.equal(r.manager.livenessFailed('id1'), undefined);
    assert.equal(r.manager.ready('unknown'), false);
  });

  it('readiness follows the thresholds and calls onChange on each flip', async () => {
    const r = rig();
    r.exits.ready = 0;
    const c = { name: 'c', readinessProbe: execProbe('ready', { successThreshold: 2, failureThreshold: 2 }) };
    r.manager.track(podWith(c), 'c', 'id1', Date.now(), '10.0.0.1');
    assert.equal(r.manager.ready('id1'), false, 'not ready before the first success');
    await waitFor('first probe', () => (r.calls.ready ?? 0) >= 1);
    assert.equal(r.manager.ready('id1'), false, 'one success is below successThreshold 2');
    await waitFor('ready', () => r.manager.ready('id1'));
    assert.ok(r.calls.ready! >= 2);
    assert.deepEqual(r.changes, ['pod-1']);
    r.exits.ready = 1;
    const before = r.calls.ready!;
    await waitFor('one failure', () => r.calls.ready! >= before + 1);
    await waitFor('not ready', () => !r.manager.ready('id1'));
    assert.ok(r.calls.ready! >= before + 2, 'two failures needed');
    assert.deepEqual(r.changes, ['pod-1', 'pod-1']);
    assert.deepEqual(r.events[0], {
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe failed: ready said 1',
    });
    assert.equal(r.manager.livenessFailed('id1'), undefined, 'readiness never kills');
  });

  it('liveness fails after failureThreshold runs, then holds and reports the probe grace period', async () => {
    const r = rig();
    r.exits.live = 1;
    const c = {
      name: 'c',
      livenessProbe: execProbe('live', { failureThreshold: 3, terminationGracePeriodSeconds: 7 }),
    };
    r.manager.track(podWith(c), 'c', 'id1', Date.now(), '');
    await waitFor('two runs', () => (r.calls.live ?? 0) >= 2);
    assert.equal(r.manager.livenessFailed('id1'), undefined);
    await waitFor('liveness failed', () => r.manager.livenessFailed('id1') !== undefined);
    assert.equal(r.manager.livenessFailed('id1'), 'Container c failed liveness probe, will be restarted');
    assert.equal(r.manager.failureGracePeriodSeconds('id1'), 7);
    assert.equal(r.calls.live, 3);
    assert.equal(r.manager.ready('id1'), true, 'no readiness probe: ready while running');
    await sleep(secondMs * 4);
    assert.equal(r.calls.live, 3, 'no probing after the failure was reported');
    assert.equal(r.events.filter((e) => e.message === 'Liveness probe failed: live said 1').length, 3);
  });

  it('a startup probe gates liveness and readiness; its success triggers readiness at once', async () => {
    const r = rig();
    r.exits.start = 1;
    const c = {
      name: 'c',
      startupProbe: execProbe('start', { failureThreshold: 100 }),
      livenessProbe: execProbe('live'),
      readinessProbe: execProbe('ready', { periodSeconds: 1000 }),
    };
    r.manager.track(podWith(c), 'c', 'id1', Date.now(), '');
    await waitFor('startup runs', () => (r.calls.start ?? 0) >= 3);
    assert.equal(r.manager.started('id1'), false);
    assert.equal(r.manager.ready('id1'), false);
    assert.equal(r.calls.live, undefined, 'liveness waits for startup');
    assert.equal(r.calls.ready, undefined, 'readiness waits for startup');
    r.exits.start = 0;
    await waitFor('started', () => r.manager.started('id1'));
    // readiness has a 1000 "second" period: only the trigger can run it this soon.
    await waitFor('ready', () => r.manager.ready('id1'));
    const starts = r.calls.start!;
    await sleep(secondMs * 3);
    assert.equal(r.calls.start, starts, 'startup probe stops once passed');
    assert.ok((r.calls.live ?? 0) >= 1);
  });

  it('a failing startup probe asks for a restart', async () => {
    const r = rig();
    r.exits.start = 1;
    const c = { name: 'c', startupProbe: execProbe('start', { failureThreshold: 2 }) };
    r.manager.track(podWith(c), 'c', 'id1', Date.now(), '');
    await waitFor('startup failed', () => r.manager.livenessFailed('id1') !== undefined);
    assert.equal(r.manager.livenessFailed('id1'), 'Container c failed startup probe, will be restarted');
    assert.equal(r.manager.failureGracePeriodSeconds('id1'), undefined);
  });

  it('waits initialDelaySeconds, and untrack/untrackPod stop the workers', async () => {
    const r = rig();
    const c = { name: 'c', readinessProbe: execProbe('ready', { initialDelaySeconds: 10 }) };
    const t0 = Date.now();
    r.manager.track(podWith(c), 'c', 'id1', t0, '');
    await sleep(secondMs * 5);
    assert.equal(r.calls.ready, undefined, 'inside the initial delay');
    await waitFor('probed after the delay', () => (r.calls.ready ?? 0) >= 1);
    assert.ok(Date.now() - t0 >= secondMs * 10);
    r.manager.untrackPod('pod-1');
    const n = r.calls.ready!;
    await sleep(secondMs * 4);
    assert.equal(r.calls.ready, n);
    assert.equal(r.manager.ready('id1'), false);
  });

  it('tracks regular init containers without probing them', async () => {
    const r = rig();
    const pod: V1Pod = {
      metadata: { name: 'p', namespace: 'default', uid: 'pod-1' },
      spec: {
        initContainers: [{ name: 'init', readinessProbe: execProbe('ready') }],
        containers: [{ name: 'c' }],
      },
    };
    r.manager.track(pod, 'init', 'id-init', Date.now(), '');
    assert.equal(r.manager.started('id-init'), true);
    assert.equal(r.manager.ready('id-init'), true);
    await sleep(secondMs * 3);
    assert.equal(r.calls.ready, undefined);
  });

  /** A manager on real seconds, a readiness probe of period 1000 s, probe runs counted by container. */
  const realSecondsManager = () => {
    const calls: Record<string, number> = {};
    const exec: ExecInContainer = async (id) => {
      calls[id] = (calls[id] ?? 0) + 1;
      return { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
    };
    const m = new ProbeManager({
      exec,
      onChange() {},
      onEvent() {},
      log: pino({ level: 'silent' }),
      secondMs: 1000,
    });
    current = m;
    return { m, calls, c: { name: 'c', readinessProbe: execProbe('ready', { periodSeconds: 1000 }) } };
  };

  it('jitters the first run only of containers older than the manager', async () => {
    const { m, calls, c } = realSecondsManager();
    m.track(podWith(c), 'c', 'new', Date.now() + 1, '');
    m.track(podWith(c), 'c', 'old', Date.now() - 60_000, '');
    await waitFor('the new container probed at once', () => calls.new === 1);
    // The old one waits a random part of 1000 s: almost surely not within this test.
    assert.equal(calls.old, undefined);
  });

  it('probes at once a container whose start time is a little ahead of the clock', async () => {
    const { m, calls, c } = realSecondsManager();
    // Without an initialDelaySeconds nothing may hold the first run back a whole period.
    m.track(podWith(c), 'c', 'ahead', Date.now() + 200, '');
    await waitFor('the first probe', () => calls.ahead === 1);
  });

  it('ignores containers the pod does not have (no crash)', () => {
    const r = rig();
    r.manager.track(podWith({ name: 'c' }), 'other', 'id9', Date.now(), '');
    assert.equal(r.manager.started('id9'), false);
  });
});
