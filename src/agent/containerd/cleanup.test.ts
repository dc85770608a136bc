import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cgroupRoots, mountsUnder, parseMountinfo, shimSocketPath } from './cleanup.ts';

const MOUNTINFO = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '30 22 0:26 / /sys/fs/cgroup/memory rw,nosuid shared:9 - cgroup cgroup rw,memory',
  '31 22 0:27 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw',
  '40 22 0:50 / /tmp/sk-ab12/containerd/state/io.containerd.runtime.v2.task/k8s.io/abc/rootfs rw - overlay overlay rw',
  '41 22 0:51 / /tmp/sk-ab12/containerd/state/io.containerd.grpc.v1.cri/sandboxes/abc/shm rw - tmpfs shm rw',
  '42 22 0:52 / /tmp/sk-ab12/with\\040space rw - tmpfs tmpfs rw',
  '43 22 0:53 / /tmp/sk-ab123/other rw - tmpfs tmpfs rw',
  '44 41 0:54 / /tmp/sk-ab12/containerd/state/io.containerd.grpc.v1.cri/sandboxes/abc/shm rw - tmpfs shm rw',
].join('\n');

test('parseMountinfo decodes octal escapes and the filesystem type', () => {
  const m = parseMountinfo(MOUNTINFO);
  assert.equal(m[5]!.mountPoint, '/tmp/sk-ab12/with space');
  assert.equal(m[1]!.fsType, 'cgroup');
});

test('mountsUnder: only our dir, deepest and newest first', () => {
  assert.deepEqual(mountsUnder('/tmp/sk-ab12', MOUNTINFO), [
    // Same depth: the later (stacked) mounts come off first.
    '/tmp/sk-ab12/containerd/state/io.containerd.grpc.v1.cri/sandboxes/abc/shm',
    '/tmp/sk-ab12/containerd/state/io.containerd.grpc.v1.cri/sandboxes/abc/shm',
    '/tmp/sk-ab12/containerd/state/io.containerd.runtime.v2.task/k8s.io/abc/rootfs',
    '/tmp/sk-ab12/with space',
  ]);
});

test('cgroupRoots lists v1 and v2 hierarchies', () => {
  assert.deepEqual(cgroupRoots(MOUNTINFO), ['/sys/fs/cgroup/memory', '/sys/fs/cgroup/unified']);
});

test('shimSocketPath follows containerd 1.6 naming', () => {
  const argv = [
    '/usr/bin/containerd-shim-runc-v2',
    '-namespace',
    'k8s.io',
    '-id',
    '63f034f781db2374d5fa98857dbc9b72b9b476a1a8bd9c685af4f283315b40ce',
    '-address',
    '/tmp/h3n/agent/containerd/containerd.sock',
  ];
  // Checked against a live shim's socket on this machine.
  assert.equal(
    shimSocketPath(argv),
    '/run/containerd/s/f0ad046ff8af62ce7f8c1d163899d351cc351003730e7a8c7d5f06533283cb63',
  );
  assert.equal(shimSocketPath(['containerd', '--config', 'x']), undefined);
});
