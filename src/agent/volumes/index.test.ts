import assert from 'node:assert/strict';
import { lstat, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { V1Container } from '@kubernetes/client-node';
import { FakeObjectSource } from './fake-source.ts';
import { MountError, PodVolumes } from './index.ts';
import { RecordingMounter } from './mounter.ts';
import { failures, makePod, nextPodDir, root, setup } from './testing.ts';

test('emptyDir on disk and in memory', async () => {
  const { vols, podDir, mounter } = setup([
    { name: 'scratch', emptyDir: {} },
    { name: 'fast', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
  ]);
  await vols.setUp();
  const scratch = join(podDir, 'volumes/kubernetes.io~empty-dir/scratch');
  const fast = join(podDir, 'volumes/kubernetes.io~empty-dir/fast');
  assert.equal((await stat(scratch)).mode & 0o777, 0o777);
  assert.deepEqual(mounter.calls, [`mount ${fast} size=${64 * 1024 * 1024}`]);
  await vols.setUp();
  assert.equal(mounter.calls.length, 1, 'setUp again does not mount twice');
  const mounts = vols.mounts({
    name: 'c',
    volumeMounts: [
      { name: 'scratch', mountPath: '/scratch' },
      { name: 'fast', mountPath: '/fast', readOnly: true, mountPropagation: 'HostToContainer' },
    ],
  });
  assert.deepEqual(mounts, [
    {
      containerPath: '/scratch',
      hostPath: scratch,
      readonly: false,
      selinuxRelabel: false,
      propagation: 'PROPAGATION_PRIVATE',
    },
    {
      containerPath: '/fast',
      hostPath: fast,
      readonly: true,
      selinuxRelabel: false,
      propagation: 'PROPAGATION_HOST_TO_CONTAINER',
    },
  ]);
  await vols.tearDown();
  assert.deepEqual(mounter.calls.slice(1), [`umount ${fast}`]);
  await assert.rejects(lstat(join(podDir, 'volumes')), { code: 'ENOENT' });
});

test('hostPath volumes use the path itself and report type failures', async () => {
  const host = join(root, 'host-data');
  const { vols } = setup([
    { name: 'data', hostPath: { path: host, type: 'DirectoryOrCreate' } },
    { name: 'sock', hostPath: { path: '/dev/null', type: 'Socket' } },
  ]);
  assert.deepEqual(await failures(vols.setUp()), [
    'MountVolume.SetUp failed for volume "sock" : hostPath type check failed: /dev/null is not a socket file',
  ]);
  assert.ok((await stat(host)).isDirectory());
  assert.deepEqual(vols.readyVolumes(), ['data']);
  assert.equal(
    vols.mounts({ name: 'c', volumeMounts: [{ name: 'data', mountPath: '/d' }] })[0]!.hostPath,
    host,
  );
  assert.throws(
    () => vols.mounts({ name: 'c', volumeMounts: [{ name: 'sock', mountPath: '/s' }] }),
    (err: Error) => err instanceof MountError && /cannot find volume "sock"/.test(err.message),
  );
  await vols.tearDown();
  assert.ok((await stat(host)).isDirectory(), 'tearDown leaves host paths alone');
});

test('persistentVolumeClaim bound to hostPath and local PVs, with clear errors otherwise', async () => {
  const pvPath = join(root, 'pv-data');
  const localPath = join(root, 'local-data');
  await mkdir(localPath);
  const { vols, source } = setup([
    { name: 'hp', persistentVolumeClaim: { claimName: 'hp-claim', readOnly: true } },
    { name: 'local', persistentVolumeClaim: { claimName: 'local-claim' } },
    { name: 'pending', persistentVolumeClaim: { claimName: 'pending-claim' } },
    { name: 'gone', persistentVolumeClaim: { claimName: 'no-such-claim' } },
    { name: 'stolen', persistentVolumeClaim: { claimName: 'stolen-claim' } },
    { name: 'nfs', persistentVolumeClaim: { claimName: 'nfs-claim' } },
  ]);
  const claim = (name: string, volumeName?: string, phase = 'Bound') =>
    source.claims.set(`ns/${name}`, {
      metadata: { namespace: 'ns', name, uid: `uid-${name}` },
      spec: { volumeName },
      status: { phase },
    });
  const pv = (name: string, claimUid: string, spec: object) =>
    source.volumes.set(name, { metadata: { name }, spec: { claimRef: { uid: claimUid }, ...spec } });
  claim('hp-claim', 'pv-hp');
  pv('pv-hp', 'uid-hp-claim', { hostPath: { path: pvPath, type: 'DirectoryOrCreate' } });
  claim('local-claim', 'pv-local');
  pv('pv-local', 'uid-local-claim', { local: { path: localPath } });
  claim('pending-claim', undefined, 'Pending');
  claim('stolen-claim', 'pv-other');
  pv('pv-other', 'uid-someone-else', { hostPath: { path: pvPath } });
  claim('nfs-claim', 'pv-nfs');
  pv('pv-nfs', 'uid-nfs-claim', { nfs: { server: 'x', path: '/' } });
  assert.deepEqual(await failures(vols.setUp()), [
    'MountVolume.SetUp failed for volume "pending" : error processing PVC ns/pending-claim: PVC ns/pending-claim has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")',
    'MountVolume.SetUp failed for volume "gone" : error processing PVC ns/no-such-claim: failed to fetch PVC from API server: persistentvolumeclaim "no-such-claim" not found',
    'MountVolume.SetUp failed for volume "stolen" : error processing PVC ns/stolen-claim: found PV object pv-other but its pv.Spec.ClaimRef.UID (uid-someone-else) does not point to claim.UID (uid-stolen-claim)',
    'MountVolume.SetUp failed for volume "nfs" : PV pv-nfs is of a volume type skiff cannot mount (only hostPath and local are supported)',
  ]);
  const mounts = vols.mounts({
    name: 'c',
    volumeMounts: [
      { name: 'hp', mountPath: '/hp' },
      { name: 'local', mountPath: '/local' },
    ],
  });
  assert.deepEqual(
    mounts.map((m) => [m.hostPath, m.readonly]),
    [
      [pvPath, true],
      [localPath, false],
    ],
  );
  await vols.tearDown();
});

test('subPath and subPathExpr resolve inside the volume, never outside', async () => {
  const { vols, podDir } = setup([{ name: 'data', emptyDir: {} }]);
  await vols.setUp();
  const base = join(podDir, 'volumes/kubernetes.io~empty-dir/data');
  const m = (mount: object, env: { key: string; value: string }[] = []) =>
    vols.mounts({ name: 'c', volumeMounts: [{ name: 'data', mountPath: '/m', ...mount }] }, env)[0]!;
  assert.equal(m({ subPath: 'logs/app' }).hostPath, join(base, 'logs/app'));
  assert.ok((await stat(join(base, 'logs/app'))).isDirectory(), 'a missing subPath is created');
  assert.equal(
    m({ subPathExpr: 'pods/$(POD_NAME)' }, [{ key: 'POD_NAME', value: 'web' }]).hostPath,
    join(base, 'pods/web'),
  );
  assert.throws(() => m({ subPathExpr: '$(NOPE)' }), /missing value for NOPE/);
  assert.throws(() => m({ subPath: '../escape' }), /must not contain '\.\.'/);
  assert.throws(() => m({ subPath: '/abs' }), /must be a relative path/);
  await symlink('/etc', join(base, 'evil'));
  assert.throws(
    () => m({ subPath: 'evil' }),
    (err: Error) => err instanceof MountError && /outside the volume/.test(err.message),
  );
  await writeFile(join(base, 'file'), 'f');
  assert.equal(m({ subPath: 'file' }).hostPath, join(base, 'file'));
  assert.throws(() => m({ mountPropagation: 'Bidirectional' }), /only to privileged containers/);
  const priv = vols.mounts({
    name: 'c',
    securityContext: { privileged: true },
    volumeMounts: [{ name: 'data', mountPath: '/m', mountPropagation: 'Bidirectional' }],
  })[0]!;
  assert.equal(priv.propagation, 'PROPAGATION_BIDIRECTIONAL');
  await vols.tearDown();
});

test('an unsupported volume type and an unsupported emptyDir medium are reported', async () => {
  const { vols } = setup([
    { name: 'gce', gcePersistentDisk: { pdName: 'x' } },
    { name: 'huge', emptyDir: { medium: 'HugePages' } },
  ]);
  assert.deepEqual(await failures(vols.setUp()), [
    'MountVolume.SetUp failed for volume "gce" : volume "gce" has a type skiff does not support',
    'MountVolume.SetUp failed for volume "huge" : emptyDir medium HugePages is not supported',
  ]);
  await vols.tearDown();
});

test('memory emptyDir size: sizeLimit, else the pod memory limit, else allocatable', async () => {
  const sized = (containers: V1Container[], sizeLimit?: string, allocatable?: Record<string, string>) => {
    const mounter = new RecordingMounter();
    const vols = new PodVolumes({
      podDir: nextPodDir(),
      pod: makePod([{ name: 'm', emptyDir: { medium: 'Memory', sizeLimit } }], containers),
      source: new FakeObjectSource(),
      mounter,
      allocatable,
    });
    return vols.setUp().then(async () => {
      const size = [...mounter.mounted.values()][0];
      await vols.tearDown();
      return size;
    });
  };
  const limited = (memory: string): V1Container => ({
    name: `c${memory}`,
    resources: { limits: { memory } },
  });
  assert.equal(await sized([limited('64Mi'), limited('32Mi')]), 96 * 1024 * 1024);
  assert.equal(await sized([limited('64Mi')], '16Mi'), 16 * 1024 * 1024);
  assert.equal(await sized([limited('64Mi')], '1Gi'), 64 * 1024 * 1024, 'never more than the pod may use');
  assert.equal(await sized([limited('64Mi'), { name: 'free' }], undefined, { memory: '2Gi' }), 2 * 1024 ** 3);
  assert.equal(await sized([{ name: 'free' }]), undefined, 'no bound known: tmpfs default');
});

test('setUp, refresh and tearDown never overlap', async () => {
  const { vols, source, podDir } = setup([{ name: 'cfg', configMap: { name: 'cfg' } }]);
  source.addConfigMap('ns', 'cfg', { k: 'v' });
  const pod = makePod([{ name: 'cfg', configMap: { name: 'cfg' } }]);
  await Promise.all([vols.setUp(), vols.refresh(pod), vols.refresh(pod), vols.tearDown()]);
  await assert.rejects(lstat(join(podDir, 'volumes')), { code: 'ENOENT' }, 'tearDown ran last');
});
