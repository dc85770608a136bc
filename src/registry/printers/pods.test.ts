import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { table } from './pods.ts';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const MIN = 60_000;

function pod(
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  meta: Partial<KubeObject['metadata']> = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(10 * MIN), ...meta },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
    status,
  } satisfies KubeObject;
}

const running = (ready: boolean, extra: Record<string, unknown> = {}) => ({
  ready,
  restartCount: 0,
  state: { running: { startedAt: ago(5 * MIN) } },
  ...extra,
});

/** READY, STATUS, RESTARTS. */
const summary = (p: KubeObject) => table.cells(p, now).slice(1, 4);

describe('pods table', () => {
  it('has upstream columns, wide ones at priority 1', () => {
    assert.deepEqual(
      table.columns.map((c) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Ready', 0],
        ['Status', 0],
        ['Restarts', 0],
        ['Age', 0],
        ['IP', 1],
        ['Node', 1],
        ['Nominated Node', 1],
        ['Readiness Gates', 1],
      ],
    );
    assert.equal(table.columns[0]?.format, 'name');
  });

  it('prints a pending pod', () => {
    const p = pod({ containers: [{ name: 'a' }, { name: 'b' }] }, { phase: 'Pending' });
    assert.deepEqual(table.cells(p, now), [
      'web',
      '0/2',
      'Pending',
      '0',
      '10m',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
  });

  it('counts ready containers of a running pod', () => {
    const p = pod(
      { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'edge-1' },
      {
        phase: 'Running',
        podIP: '10.42.0.7',
        podIPs: [{ ip: '10.42.0.7' }],
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [running(true, { name: 'a' }), running(false, { name: 'b' })],
      },
    );
    assert.deepEqual(table.cells(p, now), [
      'web',
      '1/2',
      'Running',
      '0',
      '10m',
      '10.42.0.7',
      'edge-1',
      '<none>',
      '<none>',
    ]);
  });

  it('shows init progress while an init container runs', () => {
    const p = pod(
      { initContainers: [{ name: 'setup' }] },
      {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'setup', ready: false, restartCount: 0, state: { running: {} } }],
        containerStatuses: [
          { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ],
      },
    );
    assert.deepEqual(summary(p), ['0/1', 'Init:0/1', '0']);
  });

  it('shows a failed or crashing init container', () => {
    const failed = pod(
      { initContainers: [{ name: 'a' }, { name: 'b' }] },
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'a', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'b', restartCount: 1, state: { terminated: { exitCode: 1, reason: 'Error' } } },
        ],
      },
    );
    assert.deepEqual(summary(failed), ['0/1', 'Init:Error', '1']);
    const crashing = pod(
      { initContainers: [{ name: 'a' }] },
      {
        initContainerStatuses: [
          { name: 'a', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
    );
    assert.deepEqual(summary(crashing)[1], 'Init:CrashLoopBackOff');
    const killed = pod(
      { initContainers: [{ name: 'a' }] },
      { initContainerStatuses: [{ name: 'a', state: { terminated: { exitCode: 137, signal: 9 } } }] },
    );
    assert.deepEqual(summary(killed)[1], 'Init:Signal:9');
  });

  it('shows CrashLoopBackOff with restarts and when the last one was', () => {
    const p = pod(
      {},
      {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(2 * MIN) } },
          },
        ],
      },
    );
    assert.deepEqual(summary(p), ['0/1', 'CrashLoopBackOff', '3 (2m ago)']);
  });

  it('shows a completed pod', () => {
    const p = pod(
      {},
      {
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
          },
        ],
      },
    );
    assert.deepEqual(summary(p), ['0/1', 'Completed', '0']);
  });

  it('prints the exit code of a container terminated without a reason', () => {
    const p = pod(
      {},
      { phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 2 } } }] },
    );
    assert.equal(summary(p)[1], 'ExitCode:2');
  });

  it('shows Running when a pod has a completed container and a running one', () => {
    const p = pod(
      { containers: [{ name: 'a' }, { name: 'b' }] },
      {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          running(true, { name: 'a' }),
          { name: 'b', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        ],
      },
    );
    assert.deepEqual(summary(p), ['1/2', 'Running', '0']);
  });

  it('shows Terminating once deletion starts, and Unknown for a lost node', () => {
    const deleting = { deletionTimestamp: ago(0) };
    const p = pod({}, { phase: 'Running', containerStatuses: [running(true, { name: 'app' })] }, deleting);
    assert.deepEqual(summary(p), ['1/1', 'Terminating', '0']);
    const lost = pod({}, { phase: 'Running', reason: 'NodeLost' }, deleting);
    assert.equal(summary(lost)[1], 'Unknown');
    const done = pod({}, { phase: 'Succeeded' }, deleting);
    assert.equal(summary(done)[1], 'Succeeded');
  });

  it('shows SchedulingGated pods', () => {
    const p = pod(
      { schedulingGates: [{ name: 'wait' }] },
      {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
      },
    );
    assert.equal(summary(p)[1], 'SchedulingGated');
  });

  it('counts sidecar (restartable init) containers', () => {
    const p = pod(
      { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
      {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [
          {
            name: 'proxy',
            ready: true,
            started: true,
            restartCount: 1,
            state: { running: {} },
            lastState: { terminated: { exitCode: 1, finishedAt: ago(90_000) } },
          },
        ],
        containerStatuses: [running(true, { name: 'app' })],
      },
    );
    assert.deepEqual(summary(p), ['2/2', 'Running', '1 (90s ago)']);
  });

  it('counts readiness gates and nominated node', () => {
    const p = pod(
      { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
      {
        phase: 'Pending',
        nominatedNodeName: 'edge-2',
        conditions: [
          { type: 'example.com/lb', status: 'True' },
          { type: 'example.com/dns', status: 'False' },
        ],
      },
    );
    assert.deepEqual(table.cells(p, now).slice(7), ['edge-2', '1/2']);
  });
});
