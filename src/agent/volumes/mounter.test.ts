import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMountInfo, RecordingMounter } from './mounter.ts';

test('mountinfo paths are unescaped', () => {
  const text = [
    '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
    '47 26 0:47 / /var/lib/skiff/agent/pods/u/volumes/kubernetes.io~empty-dir/a\\040b rw,relatime - tmpfs tmpfs rw,size=1024k',
    '',
  ].join('\n');
  assert.deepEqual(parseMountInfo(text), [
    '/',
    '/var/lib/skiff/agent/pods/u/volumes/kubernetes.io~empty-dir/a b',
  ]);
});

test('mount points under a directory, deepest first, prefix-safe', async () => {
  const m = new RecordingMounter();
  for (const p of ['/p/volumes/a', '/p/volumes/a/b/c', '/p/volumes-other/x', '/p/volumes'])
    await m.mountTmpfs(p);
  assert.deepEqual(await m.mountPointsUnder('/p/volumes'), [
    '/p/volumes/a/b/c',
    '/p/volumes/a',
    '/p/volumes',
  ]);
  assert.equal(await m.isMountPoint('/p/volumes/a'), true);
  await m.unmount('/p/volumes/a');
  await assert.rejects(m.unmount('/p/volumes/a'), /not mounted/);
});
