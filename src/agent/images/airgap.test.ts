import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ImportResult } from '../containerd/import.ts';
import { AirgapImporter, isAirgapTarball } from './airgap.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skiff-airgap-'));
});
after(() => rm(dir, { recursive: true, force: true }));

function fakeImporter(calls: string[]) {
  return async (path: string): Promise<ImportResult> => {
    calls.push(path);
    if (path.endsWith('bad.tar')) throw new Error('truncated');
    return {
      images: [{ name: `x/${path}`, manifestDigest: '', configDigest: '', action: 'created' }],
      blobsWritten: 1,
      bytesWritten: 1,
    };
  };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('isAirgapTarball', () => {
  assert.ok(isAirgapTarball('a.tar'));
  assert.ok(isAirgapTarball('a.tar.gz'));
  assert.ok(isAirgapTarball('a.tar.zst'));
  assert.ok(!isAirgapTarball('.a.tar'));
  assert.ok(!isAirgapTarball('a.tar.part'));
  assert.ok(!isAirgapTarball('README'));
});

test('imports pause first, then the directory, once; new and changed files later', async () => {
  const images = join(dir, 'images');
  const pause = join(dir, 'pause.tar');
  await writeFile(pause, 'p');
  const calls: string[] = [];
  const errors: string[] = [];
  const a = new AirgapImporter({
    endpoint: '/nonexistent.sock',
    imagesDir: images,
    pauseTarball: pause,
    settleMs: 0,
    rescanMs: 0,
    importer: fakeImporter(calls),
    logger: { info() {}, error: (m, f) => errors.push(`${m} ${f?.path}`) },
  });
  try {
    await a.start();
    assert.deepEqual(calls, [pause]);

    await writeFile(join(images, 'one.tar'), '1');
    await writeFile(join(images, 'notes.txt'), 'n');
    await until(() => calls.length === 2);
    await a.idle();
    assert.equal(calls[1], join(images, 'one.tar'));

    await writeFile(join(images, 'bad.tar'), 'b');
    await until(() => calls.length === 3);
    await a.idle();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /import failed .*bad\.tar/);

    // A rescan with nothing changed imports nothing.
    await a.scan(0);
    assert.equal(calls.length, 3);

    // A replaced file (new mtime) is imported again.
    const later = new Date(Date.now() + 5000);
    await utimes(join(images, 'one.tar'), later, later);
    await a.scan(0);
    assert.equal(calls.length, 4);
    const recs = a.records();
    assert.equal(recs.find((r) => r.path.endsWith('bad.tar'))?.ok, false);
    assert.deepEqual(recs.find((r) => r.path.endsWith('one.tar'))?.images, [`x/${join(images, 'one.tar')}`]);
  } finally {
    a.stop();
  }
});

test('a missing pause tarball is reported, not thrown', async () => {
  const errors: string[] = [];
  const a = new AirgapImporter({
    endpoint: '/nonexistent.sock',
    imagesDir: join(dir, 'nopause'),
    pauseTarball: join(dir, 'no-such-pause.tar'),
    rescanMs: 0,
    importer: fakeImporter([]),
    logger: { info() {}, error: (_m, f) => errors.push(String(f?.err)) },
  });
  try {
    const recs = await a.start();
    assert.equal(recs.length, 1);
    assert.equal(recs[0]?.ok, false);
    assert.match(errors[0] ?? '', /no-such-pause\.tar is missing \(run scripts\/build-images\.sh\)/);
  } finally {
    a.stop();
  }
});

test('a file still being written waits until it settles', async () => {
  const images = join(dir, 'settle');
  const calls: string[] = [];
  const a = new AirgapImporter({
    endpoint: '/nonexistent.sock',
    imagesDir: images,
    settleMs: 400,
    rescanMs: 0,
    importer: fakeImporter(calls),
  });
  try {
    await a.start();
    await writeFile(join(images, 'slow.tar'), 'part');
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(calls.length, 0);
    await until(() => calls.length === 1, 3000);
  } finally {
    a.stop();
  }
});
