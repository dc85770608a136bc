import assert from 'node:assert/strict';
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { V1Volume } from '@kubernetes/client-node';
import { PodVolumes } from './index.ts';
import { RecordingMounter } from './mounter.ts';
import { failures, makePod, setup } from './testing.ts';

test('configMap volume: all keys, items with modes, updates in place, optional', async () => {
  const volumes: V1Volume[] = [
    { name: 'all', configMap: { name: 'cfg' } },
    {
      name: 'some',
      configMap: { name: 'cfg', items: [{ key: 'a', path: 'dir/a.txt', mode: 0o600 }], defaultMode: 0o440 },
    },
    { name: 'opt', configMap: { name: 'absent', optional: true } },
  ];
  const { vols, source, podDir } = setup(volumes);
  source.addConfigMap('ns', 'cfg', { a: 'A', b: 'B' }, { bin: Buffer.from([0, 1, 2]).toString('base64') });
  await vols.setUp();
  const all = join(podDir, 'volumes/kubernetes.io~configmap/all');
  const some = join(podDir, 'volumes/kubernetes.io~configmap/some');
  assert.equal(await readFile(join(all, 'a'), 'utf8'), 'A');
  assert.deepEqual([...(await readFile(join(all, 'bin')))], [0, 1, 2]);
  assert.equal((await stat(join(all, 'b'))).mode & 0o777, 0o644);
  assert.equal(await readFile(join(some, 'dir/a.txt'), 'utf8'), 'A');
  assert.equal((await stat(join(some, 'dir/a.txt'))).mode & 0o777, 0o600);
  assert.deepEqual(
    (await readdir(join(podDir, 'volumes/kubernetes.io~configmap/opt'))).filter((n) => !n.startsWith('..')),
    [],
  );
  assert.equal(
    vols.mounts({ name: 'c', volumeMounts: [{ name: 'all', mountPath: '/etc/cfg' }] })[0]!.readonly,
    true,
  );

  const before = await readlink(join(all, '..data'));
  await vols.refresh(makePod(volumes));
  assert.equal(await readlink(join(all, '..data')), before, 'nothing changed, nothing rewritten');
  source.addConfigMap('ns', 'cfg', { a: 'A2', c: 'C' });
  await vols.refresh(makePod(volumes));
  assert.notEqual(await readlink(join(all, '..data')), before);
  assert.equal(await readFile(join(all, 'a'), 'utf8'), 'A2');
  assert.equal(await readFile(join(all, 'c'), 'utf8'), 'C');
  await assert.rejects(lstat(join(all, 'b')), { code: 'ENOENT' });
  assert.equal(await readFile(join(some, 'dir/a.txt'), 'utf8'), 'A2');
  await vols.tearDown();
});

test('configMap and secret failures come back as events, old files stay on a bad refresh', async () => {
  const volumes: V1Volume[] = [
    { name: 'cm', configMap: { name: 'missing' } },
    { name: 'sec', secret: { secretName: 'missing' } },
    { name: 'key', configMap: { name: 'cfg', items: [{ key: 'nope', path: 'x' }] } },
    { name: 'skey', secret: { secretName: 'creds', items: [{ key: 'nope', path: 'x' }] } },
    { name: 'ok', configMap: { name: 'cfg' } },
  ];
  const { vols, source, podDir, mounter } = setup(volumes);
  source.addConfigMap('ns', 'cfg', { k: 'v' });
  source.addSecret('ns', 'creds', { user: 'u' });
  assert.deepEqual(await failures(vols.setUp()), [
    'MountVolume.SetUp failed for volume "cm" : configmap "missing" not found',
    'MountVolume.SetUp failed for volume "sec" : secret "missing" not found',
    'MountVolume.SetUp failed for volume "key" : configmap references non-existent config key: nope',
    'MountVolume.SetUp failed for volume "skey" : references non-existent secret key: nope',
  ]);
  assert.deepEqual(mounter.calls, [], 'no tmpfs for a secret that could not be read');
  assert.deepEqual(vols.readyVolumes(), ['ok']);

  source.addConfigMap('ns', 'missing', { now: 'here' });
  await assert.rejects(vols.setUp(), /secret "missing" not found/);
  assert.deepEqual(vols.readyVolumes().sort(), ['cm', 'ok']);

  const ok = join(podDir, 'volumes/kubernetes.io~configmap/ok');
  source.configMaps.delete('ns/cfg');
  assert.deepEqual(await failures(vols.refresh(makePod(volumes))), [
    'MountVolume.SetUp failed for volume "ok" : configmap "cfg" not found',
  ]);
  assert.equal(await readFile(join(ok, 'k'), 'utf8'), 'v', 'the last good files stay');
  await vols.tearDown();
});

test('secret volume: tmpfs, decoded data, defaultMode', async () => {
  const { vols, source, podDir, mounter } = setup([
    { name: 's', secret: { secretName: 'creds', defaultMode: 0o400 } },
  ]);
  source.addSecret('ns', 'creds', { password: 'hunter2' });
  await vols.setUp();
  const dir = join(podDir, 'volumes/kubernetes.io~secret/s');
  assert.deepEqual(mounter.calls, [`mount ${dir}`]);
  assert.equal(await readFile(join(dir, 'password'), 'utf8'), 'hunter2');
  assert.equal((await stat(join(dir, 'password'))).mode & 0o777, 0o400);
  await vols.tearDown();
  assert.deepEqual(mounter.calls, [`mount ${dir}`, `umount ${dir}`]);
});

test('downwardAPI volume follows label changes', async () => {
  const volumes: V1Volume[] = [
    {
      name: 'info',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
          {
            path: 'cpu',
            resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' },
            mode: 0o600,
          },
        ],
      },
    },
  ];
  const { vols, podDir, pod } = setup(volumes);
  await vols.setUp();
  const dir = join(podDir, 'volumes/kubernetes.io~downward-api/info');
  assert.equal(await readFile(join(dir, 'labels'), 'utf8'), 'app="web"');
  assert.equal(await readFile(join(dir, 'name'), 'utf8'), 'web');
  assert.equal(await readFile(join(dir, 'cpu'), 'utf8'), '4000', 'limit defaults to allocatable');
  assert.equal((await stat(join(dir, 'cpu'))).mode & 0o777, 0o600);
  const relabelled = structuredClone(pod);
  relabelled.metadata!.labels = { app: 'web', tier: 'front' };
  await vols.refresh(relabelled);
  assert.equal(await readFile(join(dir, 'labels'), 'utf8'), 'app="web"\ntier="front"');

  const bad = setup([
    {
      name: 'bad',
      downwardAPI: {
        items: [
          { path: 'x', resourceFieldRef: { containerName: 'ghost', resource: 'limits.cpu' } },
          { path: 'y', fieldRef: { fieldPath: 'spec.nope' } },
        ],
      },
    },
  ]);
  assert.deepEqual(await failures(bad.vols.setUp()), [
    'MountVolume.SetUp failed for volume "bad" : [container ghost not found, unsupported fieldPath: spec.nope]',
  ]);
  await vols.tearDown();
  await bad.vols.tearDown();
});

test('projected volume: token, configMap, secret, downwardAPI; token renewed at 80% of its life', async () => {
  let clock = Date.parse('2026-11-23T12:00:00Z');
  const volumes: V1Volume[] = [
    {
      name: 'kube-api-access-abcde',
      projected: {
        defaultMode: 0o644,
        sources: [
          { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
          { serviceAccountToken: { path: 'vault-token', audience: 'vault', expirationSeconds: 600 } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { secret: { name: 'extra', optional: true } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    },
  ];
  const { vols, source, podDir, pod, mounter } = setup(volumes, undefined, () => clock);
  source.now = () => clock;
  source.addConfigMap('ns', 'kube-root-ca.crt', { 'ca.crt': 'CA' });
  await vols.setUp();
  const dir = join(podDir, 'volumes/kubernetes.io~projected/kube-api-access-abcde');
  assert.deepEqual(mounter.calls, [`mount ${dir}`]);
  assert.deepEqual((await readdir(dir)).filter((n) => !n.startsWith('..')).sort(), [
    'ca.crt',
    'namespace',
    'token',
    'vault-token',
  ]);
  assert.equal(await readFile(join(dir, 'token'), 'utf8'), 'token-1-ns-robot-api');
  assert.equal(await readFile(join(dir, 'vault-token'), 'utf8'), 'token-2-ns-robot-vault');
  assert.equal(await readFile(join(dir, 'namespace'), 'utf8'), 'ns');
  assert.deepEqual(source.tokenCalls[0], {
    namespace: 'ns',
    serviceAccount: 'robot',
    options: { expirationSeconds: 3607, podName: 'web', podUid: 'uid-1' },
  });
  assert.equal(source.tokenCalls[1]!.options.audience, 'vault');
  assert.equal(vols.nextRefresh(), clock + 480_000, 'the 600 s token is due first, at 80%');

  clock += 470_000;
  await vols.refresh(pod);
  assert.equal(source.tokenCalls.length, 2, 'not yet due');
  clock += 20_000;
  await vols.refresh(pod);
  assert.equal(source.tokenCalls.length, 3, 'only the due token is renewed');
  assert.equal(await readFile(join(dir, 'vault-token'), 'utf8'), 'token-3-ns-robot-vault');
  assert.equal(await readFile(join(dir, 'token'), 'utf8'), 'token-1-ns-robot-api');

  source.configMaps.delete('ns/kube-root-ca.crt');
  source.addSecret('ns', 'extra', { more: 'm' });
  assert.deepEqual(await failures(vols.refresh(pod)), [
    'MountVolume.SetUp failed for volume "kube-api-access-abcde" : configmap "kube-root-ca.crt" not found',
  ]);
  await vols.tearDown();
  assert.equal(mounter.mounted.size, 0);
});

test('fsGroup: group ownership, group-readable API files, setgid directories', async () => {
  const gid = process.getuid?.() === 0 ? 4321 : process.getgid!();
  const { vols, source, podDir, pod } = setup([
    { name: 'sec', secret: { secretName: 'creds', defaultMode: 0o400 } },
    { name: 'scratch', emptyDir: {} },
  ]);
  pod.spec!.securityContext = { fsGroup: gid };
  const withGroup = new PodVolumes({ podDir, pod, source, mounter: new RecordingMounter() });
  source.addSecret('ns', 'creds', { password: 'p' });
  await withGroup.setUp();
  const sec = join(podDir, 'volumes/kubernetes.io~secret/sec');
  const file = await stat(join(sec, 'password'));
  assert.equal(file.mode & 0o777, 0o440);
  assert.equal(file.gid, gid);
  const version = await stat(join(sec, await readlink(join(sec, '..data'))));
  assert.equal(version.gid, gid);
  assert.ok(version.mode & 0o2000, 'setgid on the version directory');
  const scratch = await stat(join(podDir, 'volumes/kubernetes.io~empty-dir/scratch'));
  assert.equal(scratch.mode & 0o7777, 0o2777);
  assert.equal(scratch.gid, gid);
  const before = await readlink(join(sec, '..data'));
  await withGroup.refresh(pod);
  assert.equal(await readlink(join(sec, '..data')), before, 'fsGroup modes do not look like a change');
  await withGroup.tearDown();
  await vols.tearDown();
});
