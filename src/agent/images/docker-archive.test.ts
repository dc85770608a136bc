import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { ImageImportError, importImageTarball } from '../containerd/import.ts';
import { dockerManifest, MEDIA_LAYER, MEDIA_LAYER_GZIP, readDockerArchive } from './docker-archive.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-archive-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
let n = 0;

interface Spec {
  tags?: string[] | null;
  gzipLayer?: boolean;
  diffIds?: (layer: Buffer) => string[];
  omit?: string[];
  gzipArchive?: boolean;
  zstdArchive?: boolean;
}

/** A docker-archive with one layer holding a file; returns its path. */
function archive(spec: Spec = {}): string {
  const work = join(dir, `a${++n}`);
  mkdirSync(join(work, 'rootfs'), { recursive: true });
  mkdirSync(join(work, 'out', 'l1'), { recursive: true });
  writeFileSync(join(work, 'rootfs', 'hello'), `hello ${n}\n`);
  execFileSync('tar', ['-cf', join(work, 'layer.tar'), '-C', join(work, 'rootfs'), 'hello']);
  const plain = readFileSync(join(work, 'layer.tar'));
  writeFileSync(join(work, 'out', 'l1', 'layer.tar'), spec.gzipLayer ? gzipSync(plain) : plain);
  const config = JSON.stringify({
    rootfs: { type: 'layers', diff_ids: spec.diffIds?.(plain) ?? [sha(plain)] },
  });
  writeFileSync(join(work, 'out', 'c.json'), config);
  const tags = spec.tags === undefined ? ['busybox:latest', 'example.com:5000/a/b:2'] : spec.tags;
  writeFileSync(
    join(work, 'out', 'manifest.json'),
    JSON.stringify([{ Config: 'c.json', RepoTags: tags, Layers: ['l1/layer.tar'] }]),
  );
  const members = ['manifest.json', 'c.json', 'l1'].filter((m) => !spec.omit?.includes(m));
  const out = join(dir, `a${n}.tar`);
  execFileSync('tar', ['-cf', out, '-C', join(work, 'out'), ...members]);
  if (spec.gzipArchive) writeFileSync(out, gzipSync(readFileSync(out)));
  if (spec.zstdArchive) writeFileSync(out, zstdCompressSync(readFileSync(out)));
  return out;
}

test('reads names, config and layers; manifest refers to them', async () => {
  const a = await readDockerArchive(archive());
  try {
    const [img] = a.images;
    assert.deepEqual(img!.names, ['docker.io/library/busybox:latest', 'example.com:5000/a/b:2']);
    assert.equal(img!.layers[0]!.mediaType, MEDIA_LAYER);
    assert.equal(img!.configDigest, sha(img!.config));
    const layer = img!.layers[0]!;
    assert.equal(layer.digest, JSON.parse(img!.config.toString()).rootfs.diff_ids[0]);
    const manifest = JSON.parse(dockerManifest(img!, [layer.digest]).toString());
    assert.equal(manifest.config.digest, img!.configDigest);
    assert.deepEqual(manifest.layers, [{ mediaType: MEDIA_LAYER, digest: layer.digest, size: layer.size }]);
  } finally {
    await a.cleanup();
  }
});

test('gzip archives and gzip layers', async () => {
  const a = await readDockerArchive(archive({ gzipArchive: true, gzipLayer: true }));
  try {
    assert.ok(!a.tar.startsWith(dir) && existsSync(a.tar), 'decompressed to a temp file');
    const layer = a.images[0]!.layers[0]!;
    assert.equal(layer.mediaType, MEDIA_LAYER_GZIP);
    assert.equal(layer.digest, '', 'a compressed layer is hashed while written');
  } finally {
    await a.cleanup();
  }
  assert.equal(existsSync(a.tar), false, 'temp file removed');
});

test('zstd archives', async () => {
  const a = await readDockerArchive(archive({ zstdArchive: true }));
  try {
    assert.deepEqual(a.images[0]?.names, ['docker.io/library/busybox:latest', 'example.com:5000/a/b:2']);
    assert.equal(a.images[0]?.layers[0]?.mediaType, MEDIA_LAYER);
  } finally {
    await a.cleanup();
  }
});

test('a damaged gzip archive says so', async () => {
  const path = archive({ gzipArchive: true });
  const buf = readFileSync(path);
  writeFileSync(path, buf.subarray(0, buf.length - 40));
  await assert.rejects(readDockerArchive(path), /cannot decompress \(gzip\)/);
});

test('damaged archives fail with the reason, before any containerd call', async () => {
  const cases: [Spec, RegExp][] = [
    [{ omit: ['manifest.json'] }, /not a docker-archive: no manifest.json/],
    [{ omit: ['c.json'] }, /config c.json named in manifest.json is missing/],
    [{ omit: ['l1'] }, /layer l1\/layer.tar named in manifest.json is missing/],
    [{ diffIds: () => [] }, /has 0 diff_ids for 1 layers/],
    [{ diffIds: () => ['md5:x'] }, /bad diff_id "md5:x"/],
    [{ tags: null }, /names no image/],
    [{ tags: ['Bad Name'] }, /invalid image reference "Bad Name"/],
  ];
  for (const [spec, re] of cases) {
    const path = archive(spec);
    await assert.rejects(readDockerArchive(path), re);
    // The importer wraps it with the file's path; the socket is never dialled.
    await assert.rejects(
      importImageTarball('/nonexistent/containerd.sock', path, { cri: false }),
      (e: Error) => {
        assert.ok(e instanceof ImageImportError, String(e));
        assert.ok(e.message.startsWith(`import ${path}: `), e.message);
        assert.match(e.message, re);
        return true;
      },
    );
  }
});
