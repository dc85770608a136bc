import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Node } from '@kubernetes/client-node';
import { memTotalBytes, osImage } from './host.ts';
import { nodeLabels, nodeStatus, statusDigest } from './status.ts';

const host = {
  hostname: 'box',
  cpus: 2,
  memoryBytes: 4 * 1024 ** 3,
  ephemeralStorageBytes: 100 * 1024 ** 3,
  machineID: 'm',
  systemUUID: 'u',
  bootID: 'b',
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  architecture: 'amd64',
};
const state = {
  name: 'box',
  nodeIp: '127.0.0.1',
  kubeletPort: 10250,
  runtimeVersion: 'containerd://1.6.20',
  runtimeUp: true,
  networkReady: true,
  diskAvailableBytes: 50 * 1024 ** 3,
  memoryAvailableBytes: 2 * 1024 ** 3,
};
type Status = {
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  conditions: { type: string; status: string; reason: string; lastTransitionTime: string }[];
  nodeInfo: Record<string, string>;
};

test('capacity from the host; allocatable leaves out the default eviction thresholds', () => {
  const s = nodeStatus(host, state) as unknown as Status;
  assert.equal(s.capacity.cpu, '2');
  assert.equal(s.capacity.memory, '4194304Ki');
  assert.equal(s.allocatable.memory, `${4194304 - 102400}Ki`);
  assert.equal(s.allocatable['ephemeral-storage'], String(Math.floor(100 * 1024 ** 3 * 0.9)));
  assert.equal(s.capacity.pods, '110');
  assert.equal(s.nodeInfo.containerRuntimeVersion, 'containerd://1.6.20');
  assert.equal(s.conditions.find((c) => c.type === 'Ready')?.status, 'True');
});

test('Ready follows the runtime and the network; pressure follows free disk and memory', () => {
  const down = nodeStatus(host, { ...state, runtimeUp: false }) as unknown as Status;
  const ready = down.conditions.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'KubeletNotReady');
  const full = nodeStatus(host, { ...state, diskAvailableBytes: 1024 ** 3 }) as unknown as Status;
  assert.equal(full.conditions.find((c) => c.type === 'DiskPressure')?.status, 'True');
  const noNet = nodeStatus(host, { ...state, networkReady: false }) as unknown as Status;
  assert.match(noNet.conditions.find((c) => c.type === 'Ready')!.reason, /KubeletNotReady/);
});

test('transition times are kept while a condition keeps its status; the digest ignores heartbeats', () => {
  const previous = {
    status: {
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date('2026-01-01T00:00:00Z') }],
    },
  } as unknown as V1Node;
  const s = nodeStatus(host, state, previous) as unknown as Status;
  assert.equal(s.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime, '2026-01-01T00:00:00Z');
  const later = nodeStatus(host, state, previous);
  assert.equal(statusDigest(later), statusDigest(s as never));
  assert.notEqual(statusDigest(nodeStatus(host, { ...state, runtimeUp: false })), statusDigest(later));
});

test('labels, os-release and meminfo parsing', () => {
  assert.equal(nodeLabels(host, 'box', true)['node-role.kubernetes.io/control-plane'], 'true');
  assert.equal(nodeLabels(host, 'box', false)['node-role.kubernetes.io/control-plane'], undefined);
  assert.equal(
    osImage('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'),
    'Debian GNU/Linux 12 (bookworm)',
  );
  assert.equal(memTotalBytes('MemTotal:       16384 kB\nMemFree: 1 kB'), 16384 * 1024);
});
