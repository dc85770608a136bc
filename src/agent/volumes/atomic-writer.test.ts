import assert from 'node:assert/strict';
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Payload, validatePayloadPath, writeAtomically } from './atomic-writer.ts';

const root = await mkdtemp(join(tmpdir(), 'skiff-atomic-'));
after(() => rm(root, { recursive: true, force: true }));

const payload = (files: Record<string, string>, mode = 0o644): Payload =>
  new Map(Object.entries(files).map(([k, v]) => [k, { data: Buffer.from(v), mode }]));

test('first write lays out ..data, a timestamped dir and per-key links', async () => {
  const dir = join(root, 'first');
  assert.equal(
    await writeAtomically(dir, payload({ a: 'A', 'sub/b': 'B' }), { now: new Date('2026-11-23T18:00:00Z') }),
    true,
  );
  const version = await readlink(join(dir, '..data'));
  assert.match(version, /^\.\.2026_11_23_18_00_00\.[0-9a-f]+$/);
  assert.equal((await stat(join(dir, version))).mode & 0o777, 0o755);
  assert.equal(await readlink(join(dir, 'a')), '..data/a');
  assert.equal(await readlink(join(dir, 'sub')), '..data/sub');
  assert.equal(await readFile(join(dir, 'a'), 'utf8'), 'A');
  assert.equal(await readFile(join(dir, 'sub/b'), 'utf8'), 'B');
  assert.equal((await stat(join(dir, 'a'))).mode & 0o777, 0o644);
  assert.deepEqual((await readdir(dir)).sort(), ['..data', version, 'a', 'sub'].sort());
});

test('an unchanged payload is not rewritten; a change swaps versions and prunes keys', async () => {
  const dir = join(root, 'update');
  await writeAtomically(dir, payload({ a: '1', b: '2' }));
  const v1 = await readlink(join(dir, '..data'));
  assert.equal(await writeAtomically(dir, payload({ a: '1', b: '2' })), false);
  assert.equal(await readlink(join(dir, '..data')), v1);

  assert.equal(await writeAtomically(dir, payload({ a: '1', c: '3' })), true);
  const v2 = await readlink(join(dir, '..data'));
  assert.notEqual(v2, v1);
  assert.deepEqual(
    (await readdir(dir)).sort(),
    ['..data', v2, 'a', 'c'].sort(),
    'old version and key b removed',
  );
  assert.equal(await readFile(join(dir, 'c'), 'utf8'), '3');

  assert.equal(
    await writeAtomically(dir, payload({ a: '1', c: '3' }, 0o400)),
    true,
    'a mode change is a change',
  );
  assert.equal((await stat(join(dir, 'a'))).mode & 0o777, 0o400);

  assert.equal(await writeAtomically(dir, new Map()), true);
  const v4 = await readlink(join(dir, '..data'));
  assert.deepEqual((await readdir(dir)).sort(), ['..data', v4].sort());
});

test('a reader polling during updates always sees a whole version', async () => {
  const dir = join(root, 'race');
  await writeAtomically(dir, payload({ x: '0', y: '0' }));
  let stop = false;
  let reads = 0;
  const reader = (async () => {
    while (!stop) {
      const version = await readlink(join(dir, '..data'));
      try {
        const [x, y] = await Promise.all([
          readFile(join(dir, version, 'x'), 'utf8'),
          readFile(join(dir, version, 'y'), 'utf8'),
        ]);
        assert.equal(x, y, 'both files come from one version');
        reads++;
      } catch (err) {
        // The old version may be deleted between readlink and read; that is the only allowed miss.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  })();
  for (let i = 1; i <= 30; i++) await writeAtomically(dir, payload({ x: String(i), y: String(i) }));
  stop = true;
  await reader;
  assert.ok(reads > 0);
  assert.equal(await readFile(join(dir, 'x'), 'utf8'), '30');
});

test('versions a crash left behind are removed by the next write', async () => {
  const dir = join(root, 'crash');
  await writeAtomically(dir, payload({ a: '1' }));
  await mkdir(join(dir, '..2026_01_01_00_00_00.dead'));
  await writeFile(join(dir, '..2026_01_01_00_00_00.dead', 'a'), 'half');
  await symlink('..nowhere', join(dir, '..data_tmp'));
  await writeAtomically(dir, payload({ a: '2' }));
  const version = await readlink(join(dir, '..data'));
  assert.deepEqual((await readdir(dir)).sort(), ['..data', version, 'a'].sort());
});

test('bad paths are rejected before anything is written', async () => {
  assert.equal(validatePayloadPath('a/b'), undefined);
  assert.match(validatePayloadPath('/etc/passwd')!, /relative/);
  assert.match(validatePayloadPath('a/../b')!, /'\.\.'/);
  assert.match(validatePayloadPath('..data')!, /must not start with '\.\.'/);
  assert.match(validatePayloadPath('')!, /empty/);
  const dir = join(root, 'bad');
  await assert.rejects(writeAtomically(dir, payload({ ok: '1', '../escape': 'x' })), /must not contain/);
  await assert.rejects(lstat(join(dir, '..data')), { code: 'ENOENT' });
});
