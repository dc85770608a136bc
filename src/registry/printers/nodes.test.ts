import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { table } from './nodes.ts';

const now = new Date('2024-05-01T12:00:00Z');

function node(
  labels: Record<string, string>,
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'edge-1', labels, creationTimestamp: '2024-04-28T09:00:00Z' },
    spec,
    status,
  };
}

const info = {
  kubeletVersion: 'v1.32.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  kernelVersion: '6.1.0-18-arm64',
  containerRuntimeVersion: 'containerd://1.7.13',
};

describe('nodes table', () => {
  it('has upstream columns', () => {
    assert.deepEqual(
      table.columns.map((c) => `${c.name}:${c.priority}`),
      [
        'Name:0',
        'Status:0',
        'Roles:0',
        'Age:0',
        'Version:0',
        'Internal-IP:1',
        'External-IP:1',
        'OS-Image:1',
        'Kernel-Version:1',
        'Container-Runtime:1',
      ],
    );
  });

  it('prints a ready control-plane node', () => {
    const n = node(
      {
        'node-role.kubernetes.io/control-plane': '',
        'node-role.kubernetes.io/master': 'true',
        'kubernetes.io/os': 'linux',
      },
      {},
      {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
        addresses: [
          { type: 'Hostname', address: 'edge-1' },
          { type: 'InternalIP', address: '192.168.1.10' },
        ],
        nodeInfo: info,
      },
    );
    assert.deepEqual(table.cells(n, now), [
      'edge-1',
      'Ready',
      'control-plane,master',
      '3d3h',
      'v1.32.0',
      '192.168.1.10',
      '<none>',
      'Debian GNU/Linux 12 (bookworm)',
      '6.1.0-18-arm64',
      'containerd://1.7.13',
    ]);
  });

  it('prints NotReady, Unknown and SchedulingDisabled', () => {
    const notReady = node(
      {},
      { unschedulable: true },
      { conditions: [{ type: 'Ready', status: 'Unknown' }] },
    );
    assert.deepEqual(table.cells(notReady, now).slice(1, 3), ['NotReady,SchedulingDisabled', '<none>']);
    const unknown = node({}, {}, {});
    const cells = table.cells(unknown, now);
    assert.equal(cells[1], 'Unknown');
    assert.equal(cells[4], '');
    assert.deepEqual(cells.slice(5), ['<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  });

  it('takes roles from the kubernetes.io/role label too', () => {
    const n = node({ 'kubernetes.io/role': 'worker', 'node-role.kubernetes.io/': 'x' }, {}, {});
    assert.equal(table.cells(n, now)[2], 'worker');
  });
});
