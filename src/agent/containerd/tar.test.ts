import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { open, readFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cleanName, entryChunks, findFile, indexTar, readEntry, TarError } from './tar.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-tar-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const longDir = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
const longName = `${longDir}/${'f'.repeat(120)}.txt`;

let builds = 0;
function build(format: string): string {
  const src = join(dir, `src-${format}-${++builds}`);
  mkdirSync(join(src, longDir), { recursive: true });
  writeFileSync(join(src, 'manifest.json'), '[{"x":1}]');
  writeFileSync(join(src, longName), 'long name content');
  writeFileSync(join(src, 'big.bin'), Buffer.alloc(3 * 1024 * 1024 + 7, 0xab));
  symlinkSync('big.bin', join(src, 'link.bin'));
  const out = join(dir, `${format}-${builds}.tar`);
  execFileSync('tar', [`--format=${format}`, '-cf', out, '-C', src, '.']);
  return out;
}

for (const format of ['gnu', 'pax']) {
  test(`indexes a ${format} tar: long names, symlinks, streamed members`, async () => {
    const tar = build(format);
    const entries = await indexTar(tar);
    assert.equal((await readEntry(tar, findFile(entries, './manifest.json')!)).toString(), '[{"x":1}]');
    assert.equal((await readEntry(tar, findFile(entries, longName)!)).toString(), 'long name content');
    const big = findFile(entries, 'link.bin')!;
    assert.equal(big.name, 'big.bin');
    assert.equal(big.size, 3 * 1024 * 1024 + 7);
    let total = 0;
    let chunks = 0;
    for await (const c of entryChunks(tar, big)) {
      assert.ok(c.every((b) => b === 0xab));
      total += c.length;
      chunks++;
    }
    assert.equal(total, big.size);
    assert.equal(chunks, 4);
    assert.equal(findFile(entries, 'nope'), undefined);
  });
}

test('truncated and corrupt tars are TarErrors naming the problem', async () => {
  const tar = build('gnu');
  const original = await readFile(tar);
  const cut = join(dir, 'cut.tar');
  writeFileSync(cut, original.subarray(0, 2 * 1024 * 1024));
  await assert.rejects(
    indexTar(cut),
    (e: Error) => e instanceof TarError && /truncated: member at byte \d+ needs/.test(e.message),
  );
  const atBoundary = join(dir, 'boundary.tar');
  writeFileSync(atBoundary, original);
  const entries = await indexTar(atBoundary);
  const last = [...entries.values()].reduce((a, b) => (a.offset > b.offset ? a : b));
  await truncate(atBoundary, last.offset + Math.ceil(last.size / 512) * 512);
  await assert.rejects(indexTar(atBoundary), /without an end-of-archive marker/);
  const bad = join(dir, 'bad.tar');
  writeFileSync(bad, original);
  const fh = await open(bad, 'r+');
  await fh.write(Buffer.from('Z'), 0, 1, 10);
  await fh.close();
  await assert.rejects(indexTar(bad), /corrupt: bad header checksum at byte 0/);
});

test('cleanName', () => {
  assert.equal(cleanName('./a/b/'), 'a/b');
  assert.equal(cleanName('/a//b'), 'a/b');
  assert.equal(cleanName('a/../b'), 'b');
});
