import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cgroupMounts, removePodCgroups } from './cgroups.ts';
import { logTail } from './runtime-reader.ts';

test('cgroup mounts come from mountinfo, v1 and v2', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelet-cg-'));
  try {
    const info = path.join(dir, 'mountinfo');
    fs.writeFileSync(
      info,
      [
        '25 1 0:23 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory',
        '26 1 0:24 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw',
        '27 1 8:1 / / rw - ext4 /dev/sda1 rw',
      ].join('\n'),
    );
    assert.deepEqual(cgroupMounts(info), ['/sys/fs/cgroup/memory', '/sys/fs/cgroup/unified']);
    assert.deepEqual(cgroupMounts(path.join(dir, 'missing')), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('pod cgroup directories are removed deepest first in every hierarchy', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelet-cg-'));
  try {
    const roots = [path.join(dir, 'cpu'), path.join(dir, 'memory')];
    for (const r of roots) fs.mkdirSync(path.join(r, 'skiff-n1', 'podu-1', 'abc'), { recursive: true });
    fs.mkdirSync(path.join(roots[0]!, 'skiff-n1', 'podu-2'), { recursive: true });
    assert.deepEqual(removePodCgroups('/skiff-n1/podu-1', roots), []);
    for (const r of roots) assert.equal(fs.existsSync(path.join(r, 'skiff-n1', 'podu-1')), false);
    assert.equal(fs.existsSync(path.join(roots[0]!, 'skiff-n1', 'podu-2')), true);
    // A path that climbs out is refused.
    assert.deepEqual(removePodCgroups('/skiff-n1/../skiff-n1', roots), []);
    assert.equal(fs.existsSync(path.join(roots[0]!, 'skiff-n1')), true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the log tail drops CRI prefixes and joins partial lines', () => {
  const log = [
    '2026-11-23T10:00:00.000000001Z stdout F first',
    '2026-11-23T10:00:00.000000002Z stderr P par',
    '2026-11-23T10:00:00.000000003Z stderr F tial',
  ].join('\n');
  assert.equal(logTail(log), 'first\npartial\n');
});
