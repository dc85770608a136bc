/**
 * The pod volume code against the real host (root only): tmpfs emptyDirs, secret and projected
 * volumes mounted and unmounted, hostPath type checks on real device nodes and sockets.
 * Everything lives under one temp dir; mounts left by a failing test are removed in after().
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, statfs, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import type { V1Pod, V1Volume } from '@kubernetes/client-node';
import { FakeObjectSource } from '../src/agent/volumes/fake-source.ts';
import { PodVolumes, VolumeSetUpError } from '../src/agent/volumes/index.ts';
import { HostMounter } from '../src/agent/volumes/mounter.ts';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root (mounts tmpfs, makes device nodes)';
const mounter = new HostMounter();
const root = isRoot ? await mkdtemp(join(tmpdir(), 'skiff-agent-volumes-')) : '';

after(async () => {
  if (!root) return;
  for (const point of await mounter.mountPointsUnder(root))
    await run('umount', ['-l', point]).catch(() => {});
  assert.deepEqual(await mounter.mountPointsUnder(root), [], 'no mounts left behind');
  await rm(root, { recursive: true, force: true });
});

const pod = (volumes: V1Volume[]): V1Pod => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u' },
  spec: { containers: [{ name: 'c' }], volumes },
});

const mountLine = async (path: string) =>
  (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.split(' ')[4] === path);

test('memory emptyDir, secret and projected volumes are tmpfs mounts, gone after tearDown', {
  skip,
}, async () => {
  const podDir = join(root, 'pod-tmpfs');
  const source = new FakeObjectSource();
  source.addSecret('ns', 's', { key: 'value' });
  source.addConfigMap('ns', 'kube-root-ca.crt', { 'ca.crt': 'CA' });
  const vols = new PodVolumes({
    podDir,
    source,
    pod: pod([
      { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
      { name: 'disk', emptyDir: {} },
      { name: 'sec', secret: { secretName: 's' } },
      {
        name: 'proj',
        projected: {
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
            { configMap: { name: 'kube-root-ca.crt' } },
          ],
        },
      },
    ]),
  });
  try {
    await vols.setUp();
    const mem = join(podDir, 'volumes/kubernetes.io~empty-dir/mem');
    const disk = join(podDir, 'volumes/kubernetes.io~empty-dir/disk');
    const sec = join(podDir, 'volumes/kubernetes.io~secret/sec');
    const proj = join(podDir, 'volumes/kubernetes.io~projected/proj');
    assert.match((await mountLine(mem)) ?? '', / - tmpfs tmpfs rw.*size=8192k/);
    const fs = await statfs(mem);
    assert.equal(fs.bsize * fs.blocks, 8 * 1024 * 1024);
    assert.equal((await stat(mem)).mode & 0o777, 0o777);
    assert.equal(await mountLine(disk), undefined, 'a disk emptyDir is no mount');
    assert.match((await mountLine(sec)) ?? '', / - tmpfs /);
    assert.match((await mountLine(proj)) ?? '', / - tmpfs /);
    assert.equal(await readFile(join(sec, 'key'), 'utf8'), 'value');
    assert.equal(await readFile(join(proj, 'ca.crt'), 'utf8'), 'CA');
    assert.match(await readFile(join(proj, 'token'), 'utf8'), /^token-1-ns-default/);
    await writeFile(join(mem, 'big'), Buffer.alloc(1024 * 1024));

    await vols.setUp();
    assert.equal((await mounter.mountPointsUnder(podDir)).length, 3, 'setting up again mounts nothing twice');
  } finally {
    await vols.tearDown();
  }
  assert.deepEqual(await mounter.mountPointsUnder(podDir), []);
  await assert.rejects(stat(join(podDir, 'volumes')), { code: 'ENOENT' });
});

test('tearDown by a fresh PodVolumes (agent restart) still finds and removes the mounts', {
  skip,
}, async () => {
  const podDir = join(root, 'pod-restart');
  const volumes: V1Volume[] = [{ name: 'mem', emptyDir: { medium: 'Memory' } }];
  const source = new FakeObjectSource();
  await new PodVolumes({ podDir, source, pod: pod(volumes) }).setUp();
  assert.equal((await mounter.mountPointsUnder(podDir)).length, 1);
  await new PodVolumes({ podDir, source, pod: pod(volumes) }).tearDown();
  assert.deepEqual(await mounter.mountPointsUnder(podDir), []);
});

test('a pod dir reached through a symlink is still found and unmounted', { skip }, async () => {
  await mkdir(join(root, 'real'));
  await symlink(join(root, 'real'), join(root, 'link'));
  const podDir = join(root, 'link', 'pod');
  const volumes: V1Volume[] = [{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }];
  const vols = new PodVolumes({ podDir, source: new FakeObjectSource(), pod: pod(volumes) });
  try {
    await vols.setUp();
    await vols.setUp();
    assert.deepEqual(await mounter.mountPointsUnder(podDir), [
      join(root, 'real/pod/volumes/kubernetes.io~empty-dir/mem'),
    ]);
  } finally {
    await vols.tearDown();
  }
  assert.deepEqual(await mounter.mountPointsUnder(join(root, 'real')), []);
});

test('hostPath types against real files, sockets and device nodes', { skip }, async () => {
  const dir = join(root, 'hostpaths');
  await mkdir(dir);
  const sock = join(dir, 'app.sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  await run('mknod', [join(dir, 'blk'), 'b', '7', '0']);
  await run('mknod', [join(dir, 'chr'), 'c', '1', '3']);
  await writeFile(join(dir, 'file'), 'x');
  const hp = (name: string, path: string, type: string): V1Volume => ({ name, hostPath: { path, type } });
  const vols = new PodVolumes({
    podDir: join(root, 'pod-hostpath'),
    source: new FakeObjectSource(),
    pod: pod([
      hp('dir', dir, 'Directory'),
      hp('made', join(dir, 'made'), 'DirectoryOrCreate'),
      hp('file', join(dir, 'file'), 'File'),
      hp('newfile', join(dir, 'newfile'), 'FileOrCreate'),
      hp('sock', sock, 'Socket'),
      hp('chr', join(dir, 'chr'), 'CharDevice'),
      hp('blk', join(dir, 'blk'), 'BlockDevice'),
      hp('any', join(dir, 'nothing-here'), ''),
      hp('notblk', join(dir, 'chr'), 'BlockDevice'),
      hp('notchr', join(dir, 'blk'), 'CharDevice'),
      hp('notsock', join(dir, 'file'), 'Socket'),
      hp('notdir', join(dir, 'file'), 'Directory'),
      hp('notfile', dir, 'File'),
    ]),
  });
  try {
    let failures: string[] = [];
    try {
      await vols.setUp();
    } catch (err) {
      assert.ok(err instanceof VolumeSetUpError);
      failures = err.failures.map((f) => f.message);
    }
    assert.deepEqual(failures, [
      `MountVolume.SetUp failed for volume "notblk" : hostPath type check failed: ${dir}/chr is not a block device`,
      `MountVolume.SetUp failed for volume "notchr" : hostPath type check failed: ${dir}/blk is not a character device`,
      `MountVolume.SetUp failed for volume "notsock" : hostPath type check failed: ${dir}/file is not a socket file`,
      `MountVolume.SetUp failed for volume "notdir" : hostPath type check failed: ${dir}/file is not a directory`,
      `MountVolume.SetUp failed for volume "notfile" : hostPath type check failed: ${dir} is not a file`,
    ]);
    assert.ok((await stat(join(dir, 'made'))).isDirectory());
    assert.ok((await stat(join(dir, 'newfile'))).isFile());
    const mounts = vols.mounts({
      name: 'c',
      volumeMounts: [
        { name: 'sock', mountPath: '/run/app.sock' },
        { name: 'blk', mountPath: '/dev/xvda', readOnly: true },
      ],
    });
    assert.deepEqual(
      mounts.map((m) => [m.hostPath, m.containerPath, m.readonly]),
      [
        [sock, '/run/app.sock', false],
        [join(dir, 'blk'), '/dev/xvda', true],
      ],
    );
  } finally {
    server.close();
    await vols.tearDown();
  }
  assert.ok((await stat(join(dir, 'file'))).isFile(), 'hostPath contents survive tearDown');
});
