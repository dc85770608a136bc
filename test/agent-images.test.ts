/**
 * Images on a real, private containerd (root only): the build/images tarballs imported through
 * containerd's own API and seen by CRI, a re-import that writes nothing, corrupt and truncated
 * tarballs refused with clear errors, and pulls through Debian's docker-registry on a loopback
 * port (the test pushes busybox into it over the registry HTTP API) with hosts.toml written from
 * a registries.yaml: a direct pull with registries.yaml credentials, a pull through a mirror,
 * and a missing image giving ErrImagePull then ImagePullBackOff. Everything is removed after.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { copyFile, mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { containerConfig, type PodShape, podLogDirectory, podSandboxConfig } from '../bench/pods/raw.ts';
import { ContainerdClient } from '../src/agent/containerd/api/client.ts';
import { DigestMismatchError, writeBlob } from '../src/agent/containerd/api/content-write.ts';
import {
  ImageImportError,
  importImageTarball,
  MEDIA_CONFIG,
  MEDIA_LAYER,
  MEDIA_MANIFEST,
} from '../src/agent/containerd/import.ts';
import { findFile, indexTar, readEntry } from '../src/agent/containerd/tar.ts';
import { AirgapImporter } from '../src/agent/images/airgap.ts';
import { ImageManager } from '../src/agent/images/pull.ts';
import { parseRegistries, writeRegistryHosts } from '../src/agent/images/registries.ts';
import {
  BUSYBOX_IMAGE,
  IMAGE_TARS,
  leftovers,
  PAUSE_IMAGE,
  type PrivateNode,
  privateNode,
  rootTestSkipReason,
} from './helpers/containerd.ts';

const REGISTRY_BIN = '/usr/bin/docker-registry';
const skip =
  rootTestSkipReason() ??
  (existsSync(REGISTRY_BIN) ? undefined : 'docker-registry is not installed (scripts/setup.sh)');
const USER = 'skiff';
const PASSWORD = `pw-${randomUUID().slice(0, 8)}`;
const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

interface Registry {
  port: number;
  dir: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

/** docker-registry on 127.0.0.1 with its own config, storage and an htpasswd user. */
async function startRegistry(): Promise<Registry> {
  const dir = await mkdtemp('/tmp/sk-reg-');
  const port = await freePort();
  const hash = execFileSync(
    '/usr/bin/python3',
    [
      '-W',
      'ignore',
      '-c',
      'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))',
      PASSWORD,
    ],
    { encoding: 'utf8' },
  ).trim();
  await writeFile(join(dir, 'htpasswd'), `${USER}:${hash}\n`);
  await writeFile(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: {level: warn}',
      'storage:',
      `  filesystem: {rootdirectory: ${join(dir, 'data')}}`,
      '  delete: {enabled: true}',
      `http: {addr: "127.0.0.1:${port}"}`,
      `auth: {htpasswd: {realm: skiff-test, path: ${join(dir, 'htpasswd')}}}`,
      '',
    ].join('\n'),
  );
  const log = openSync(join(dir, 'registry.log'), 'a');
  const proc = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', log, log] });
  const exited = once(proc, 'exit');
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      process.kill(proc.pid!, 'SIGTERM');
      const timer = setTimeout(() => proc.exitCode === null && process.kill(proc.pid!, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      if (proc.exitCode !== null) throw new Error(`docker-registry exited with ${proc.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1000) });
        if (res.status === 401) break;
      } catch {}
      if (i > 100) throw new Error('docker-registry did not start');
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, dir, proc, stop };
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Pushes the docker-archive's image to `<base>/v2/<repo>` as `<tag>` over the registry API. */
async function pushArchive(base: string, repo: string, tag: string, tarPath: string): Promise<string> {
  const entries = await indexTar(tarPath);
  const [m] = JSON.parse((await readEntry(tarPath, findFile(entries, 'manifest.json')!)).toString());
  const config = await readEntry(tarPath, findFile(entries, m.Config)!);
  const layers = await Promise.all(m.Layers.map((l: string) => readEntry(tarPath, findFile(entries, l)!)));
  for (const blob of [config, ...layers]) {
    const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: basic },
    });
    assert.equal(start.status, 202, await start.text());
    const location = new URL(start.headers.get('location')!, base);
    location.searchParams.set('digest', sha256(blob));
    const put = await fetch(location, {
      method: 'PUT',
      headers: { authorization: basic, 'content-type': 'application/octet-stream' },
      body: blob,
    });
    assert.equal(put.status, 201, await put.text());
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_MANIFEST,
      config: { mediaType: MEDIA_CONFIG, digest: sha256(config), size: config.length },
      layers: layers.map((l: Buffer) => ({ mediaType: MEDIA_LAYER, digest: sha256(l), size: l.length })),
    }),
  );
  const res = await fetch(`${base}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    headers: { authorization: basic, 'content-type': MEDIA_MANIFEST },
    body: manifest,
  });
  assert.equal(res.status, 201, await res.text());
  return sha256(config);
}

/** A one-layer docker-archive `<name>.tar` with random content, tagged `<name>:1`. */
async function makeArchive(dir: string, name: string): Promise<string> {
  const work = join(dir, `${name}.d`);
  mkdirSync(join(work, 'rootfs'), { recursive: true });
  mkdirSync(join(work, 'archive', 'layer'), { recursive: true });
  await writeFile(join(work, 'rootfs', 'data'), randomUUID().repeat(200));
  execFileSync('tar', [
    '-cf',
    join(work, 'archive', 'layer', 'layer.tar'),
    '-C',
    join(work, 'rootfs'),
    'data',
  ]);
  const diffId = sha256(await readFile(join(work, 'archive', 'layer', 'layer.tar')));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [diffId] },
    }),
  );
  await writeFile(join(work, 'archive', 'config.json'), config);
  await writeFile(
    join(work, 'archive', 'manifest.json'),
    JSON.stringify([{ Config: 'config.json', RepoTags: [`${name}:1`], Layers: ['layer/layer.tar'] }]),
  );
  const out = join(dir, `${name}.tar`);
  execFileSync('tar', ['-cf', out, '-C', join(work, 'archive'), 'manifest.json', 'config.json', 'layer']);
  return out;
}

describe('agent images on a private containerd', { skip, timeout: 300_000 }, () => {
  let node: PrivateNode;
  let registry: Registry | undefined;
  let scratch: string;

  before(async () => {
    scratch = await mkdtemp('/tmp/sk-imgs-');
    node = await privateNode('images');
    registry = await startRegistry();
  });

  after(async () => {
    await registry?.stop();
    if (registry) assert.equal(existsSync(`/proc/${registry.proc.pid}`), false, 'registry stopped');
    await rm(scratch, { recursive: true, force: true });
    if (node) {
      const report = await node.cleanup();
      assert.deepEqual(report.errors, []);
      assert.deepEqual(leftovers(node), []);
    }
  });

  it('imports the tarballs natively; CRI sees them; a re-import writes nothing', async () => {
    const ctd = new ContainerdClient(node.endpoint, 'k8s.io');
    try {
      // privateNode imported both already: drop busybox's record and import it again.
      await ctd.images.delete({ name: BUSYBOX_IMAGE, sync: false });
      // CRI drops it when containerd's delete event reaches it.
      for (let i = 0; (await node.cri.image.imageStatus({ image: { image: 'busybox' } })).image; i++) {
        assert.ok(i < 250, 'CRI still lists the deleted image');
        await sleep(20);
      }
      const [pauseTar, busyboxTar] = IMAGE_TARS as [string, string];
      const first = await importImageTarball(node.endpoint, busyboxTar);
      assert.equal(first.images.length, 1);
      assert.equal(first.images[0]!.name, BUSYBOX_IMAGE);
      assert.equal(first.images[0]!.action, 'created');
      const rec = (await ctd.images.get({ name: BUSYBOX_IMAGE })).image;
      assert.equal(rec.labels['io.cri-containerd.pinned'], 'pinned');
      assert.equal(rec.target.mediaType, MEDIA_MANIFEST);
      const manifestInfo = (await ctd.content.info({ digest: rec.target.digest })).info;
      assert.equal(manifestInfo.labels['containerd.io/gc.ref.content.config'], first.images[0]!.configDigest);
      assert.match(manifestInfo.labels['containerd.io/gc.ref.content.l.0'], /^sha256:[0-9a-f]{64}$/);

      for (const image of ['busybox', BUSYBOX_IMAGE, PAUSE_IMAGE]) {
        const st = await node.cri.image.imageStatus({ image: { image } });
        assert.match(st.image?.id ?? '', /^sha256:/, `${image} visible to CRI`);
      }
      const bb = await node.cri.image.imageStatus({ image: { image: 'busybox' } });
      assert.equal(bb.image.id, first.images[0]!.configDigest);
      assert.deepEqual(bb.image.repoTags, [BUSYBOX_IMAGE]);

      for (const tar of [pauseTar, busyboxTar]) {
        const again = await importImageTarball(node.endpoint, tar);
        assert.equal(again.blobsWritten, 0, `${tar}: nothing written`);
        assert.deepEqual(
          again.images.map((i) => i.action),
          ['unchanged'],
        );
      }
      assert.deepEqual((await ctd.leases.list({ filters: [] })).leases, [], 'import leases deleted');

      // content.Write on its own: a blob containerd has ends in ALREADY_EXISTS = present; data
      // that does not hash to the expected digest is refused before COMMIT.
      await ctd.leases.create({ id: 'skiff-test-lease', labels: {} });
      try {
        const config = (await ctd.content.info({ digest: first.images[0]!.configDigest })).info;
        const chunks = async function* () {
          yield Buffer.alloc(config.size);
        };
        const again = await writeBlob(ctd, 'skiff-test-lease', {
          ref: 'skiff-test-exists',
          size: config.size,
          expected: config.digest,
          chunks: chunks(),
        });
        assert.deepEqual(again, { digest: config.digest, written: false });
        const fresh = Buffer.from(`fresh ${randomUUID()}`);
        await assert.rejects(
          writeBlob(ctd, 'skiff-test-lease', {
            ref: 'skiff-test-mismatch',
            size: fresh.length,
            expected: `sha256:${'0'.repeat(64)}`,
            chunks: (async function* () {
              yield fresh;
            })(),
          }),
          DigestMismatchError,
        );
        const ok = await writeBlob(ctd, 'skiff-test-lease', {
          ref: 'skiff-test-fresh',
          size: fresh.length,
          chunks: (async function* () {
            yield fresh;
          })(),
        });
        assert.deepEqual(ok, { digest: sha256(fresh), written: true });
        assert.equal((await ctd.content.info({ digest: ok.digest })).info.size, fresh.length);
      } finally {
        await ctd.leases.delete({ id: 'skiff-test-lease', sync: true });
      }
    } finally {
      ctd.close();
    }
  });

  it('refuses corrupt and truncated tarballs with clear errors', async () => {
    const [, busyboxTar] = IMAGE_TARS as [string, string];
    const truncated = join(scratch, 'truncated.tar');
    await copyFile(busyboxTar, truncated);
    await truncate(truncated, 1_000_000);
    await assert.rejects(importImageTarball(node.endpoint, truncated), (err: Error) => {
      assert.ok(err instanceof ImageImportError);
      assert.match(err.message, /truncated\.tar: .*truncated/);
      return true;
    });

    // A flipped byte inside a layer containerd has not seen: the tar headers still hold, the
    // layer's digest no longer matches the config's diff_id.
    const corrupt = await makeArchive(scratch, 'corrupt');
    const entries = await indexTar(corrupt);
    const layer = findFile(entries, 'layer/layer.tar')!;
    const fh = await open(corrupt, 'r+');
    await fh.write(Buffer.from('X'), 0, 1, layer.offset + 600);
    await fh.close();
    await assert.rejects(importImageTarball(node.endpoint, corrupt), /corrupt\.tar: .*expected sha256:/);
    // The same archive undamaged imports.
    const good = await importImageTarball(node.endpoint, await makeArchive(scratch, 'good'));
    assert.equal(good.images[0]?.name, 'docker.io/library/good:1');

    const garbage = join(scratch, 'garbage.tar');
    await writeFile(garbage, 'this is not a tar file'.repeat(100));
    await assert.rejects(importImageTarball(node.endpoint, garbage), /garbage\.tar: .*(checksum|truncated)/);

    const missing = join(scratch, 'missing.tar');
    await assert.rejects(importImageTarball(node.endpoint, missing), /missing\.tar: .*ENOENT/);
    // containerd is unharmed.
    assert.ok((await node.cri.image.imageStatus({ image: { image: 'busybox' } })).image?.id);
  });

  it('airgap directory: pause first, dropped tarballs (plain and gzip) imported once, bad ones reported', async () => {
    const dir = join(scratch, 'airgap');
    const errors: string[] = [];
    const airgap = new AirgapImporter({
      endpoint: node.endpoint,
      imagesDir: dir,
      pauseTarball: IMAGE_TARS[0]!,
      settleMs: 200,
      rescanMs: 0,
      logger: { info() {}, error: (m, f) => errors.push(`${m}: ${f?.err}`) },
    });
    try {
      const initial = await airgap.start();
      assert.deepEqual(
        initial.map((r) => [r.ok, r.images]),
        [[true, [PAUSE_IMAGE]]],
      );
      await copyFile(await makeArchive(scratch, 'airgap-plain'), join(dir, 'plain.tar'));
      const gz = await readFile(await makeArchive(scratch, 'airgap-gz'));
      await writeFile(join(dir, 'gz.tar.gz'), gzipSync(gz));
      await writeFile(join(dir, 'broken.tar'), 'not a tarball '.repeat(100));
      for (let i = 0; airgap.records().length < 4; i++) {
        assert.ok(i < 300, `airgap imports: ${JSON.stringify(airgap.records())}`);
        await sleep(50);
      }
      await airgap.idle();
      const byFile = new Map(airgap.records().map((r) => [r.path.slice(dir.length + 1), r]));
      assert.deepEqual(byFile.get('plain.tar')?.images, ['docker.io/library/airgap-plain:1']);
      assert.deepEqual(byFile.get('gz.tar.gz')?.images, ['docker.io/library/airgap-gz:1']);
      assert.equal(byFile.get('broken.tar')?.ok, false);
      assert.match(byFile.get('broken.tar')?.error ?? '', /broken\.tar: corrupt: bad header checksum/);
      assert.equal(errors.length, 1);
      for (const image of ['airgap-plain:1', 'airgap-gz:1']) {
        assert.match((await node.cri.image.imageStatus({ image: { image } })).image?.id ?? '', /^sha256:/);
      }
      // Nothing changed: a rescan imports nothing.
      await airgap.scan(0);
      assert.equal(airgap.records().length, 4);
      assert.equal(errors.length, 1);
    } finally {
      airgap.stop();
    }
  });

  it('pulls from docker-registry through hosts.toml, with registries.yaml credentials', async () => {
    const reg = registry!;
    const host = `127.0.0.1:${reg.port}`;
    const configDigest = await pushArchive(`http://${host}`, 'test/busybox', '1', IMAGE_TARS[1]!);
    const cfg = parseRegistries(
      [
        'mirrors:',
        `  "${host}":`,
        `    endpoint: ["http://${host}"]`,
        '  registry.skiff.test:',
        `    endpoint: ["http://${host}"]`,
        'configs:',
        `  "${host}":`,
        `    auth: {username: ${USER}, password: "${PASSWORD}"}`,
      ].join('\n'),
    );
    const written = await writeRegistryHosts(join(node.dir, 'registries'), cfg);
    assert.deepEqual(written.written.sort(), [host, 'registry.skiff.test']);

    const image = `${host}/test/busybox:1`;
    // Without credentials the registry says no.
    await assert.rejects(node.cri.image.pullImage({ image: { image } }), /401|unauthorized|authorization/i);

    const events: string[] = [];
    const mgr = new ImageManager({
      cri: node.cri.image,
      registries: () => cfg,
      onEvent: (_p, _c, e) => events.push(`${e.reason}: ${e.message}`),
    });
    const pod = { metadata: { name: 'p', namespace: 'default', uid: randomUUID() } };
    const pulled = await mgr.ensureImage(pod, { name: 'main', image, imagePullPolicy: 'IfNotPresent' });
    assert.deepEqual(pulled, { ok: true, imageRef: configDigest }, events.join('\n'));
    assert.match(
      events.at(-1)!,
      /^Pulled: Successfully pulled image ".*" in \S+ \(\S+ including waiting\)\. Image size: \d+ bytes\.$/,
    );
    // Present now: IfNotPresent does not pull again.
    assert.equal(
      (await mgr.ensureImage(pod, { name: 'main', image, imagePullPolicy: 'IfNotPresent' })).ok,
      true,
    );
    assert.match(events.at(-1)!, /already present on machine/);

    // A name only the mirror serves; the mirror's credentials ride in hosts.toml's header.
    const mirrored = await node.cri.image.pullImage({
      image: { image: 'registry.skiff.test/test/busybox:1' },
    });
    assert.equal(mirrored.imageRef, configDigest);

    // The pulled image runs.
    const shape: PodShape = {
      name: 'pulled',
      namespace: 'default',
      uid: randomUUID(),
      logRoot: node.logRoot,
      cgroupParent: node.cgroupParent,
      command: ['sleep', '3600'],
    };
    mkdirSync(join(podLogDirectory(shape), 'main'), { recursive: true });
    const sandboxConfig = podSandboxConfig(shape);
    const { podSandboxId } = await node.cri.runtime.runPodSandbox({ config: sandboxConfig });
    const { containerId } = await node.cri.runtime.createContainer({
      podSandboxId,
      config: containerConfig(shape, 'main', image),
      sandboxConfig,
    });
    await node.cri.runtime.startContainer({ containerId });
    const ex = await node.cri.runtime.execSync({
      containerId,
      cmd: ['sh', '-c', 'echo pulled; id -un'],
      timeout: 10,
    });
    assert.equal(ex.stdout.toString(), 'pulled\nroot\n');
    await node.cri.runtime.stopPodSandbox({ podSandboxId });
    await node.cri.runtime.removePodSandbox({ podSandboxId });
  });

  it('a missing image: ErrImagePull with the registry not-found error, then ImagePullBackOff', async () => {
    const host = `127.0.0.1:${registry!.port}`;
    const cfg = parseRegistries(
      `configs:\n  "${host}":\n    auth: {username: ${USER}, password: "${PASSWORD}"}\n`,
    );
    const mgr = new ImageManager({ cri: node.cri.image, registries: () => cfg });
    const pod = { metadata: { name: 'm', namespace: 'default', uid: randomUUID() } };
    const container = { name: 'main', image: `${host}/test/missing:1` };
    const first = await mgr.ensureImage(pod, container);
    assert.equal(first.ok, false);
    assert.equal(!first.ok && first.reason, 'ErrImagePull');
    assert.match(
      !first.ok ? first.message : '',
      /^rpc error: code = NotFound desc = .*test\/missing:1.*not found/,
    );
    const second = await mgr.ensureImage(pod, container);
    assert.deepEqual(second, {
      ok: false,
      reason: 'ImagePullBackOff',
      message: `Back-off pulling image "${host}/test/missing:1"`,
    });
  });
});
