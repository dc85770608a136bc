import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkHostPathType } from './hostpath.ts';

const root = await mkdtemp(join(tmpdir(), 'skiff-hostpath-'));
after(() => rm(root, { recursive: true, force: true }));
const dir = join(root, 'dir');
const file = join(root, 'file');
await mkdir(dir);
await writeFile(file, 'x');

test('unset type accepts anything, even a missing path', async () => {
  await checkHostPathType(join(root, 'nope'), undefined);
  await checkHostPathType(join(root, 'nope'), '');
});

test('Directory, DirectoryOrCreate', async () => {
  await checkHostPathType(dir, 'Directory');
  await assert.rejects(checkHostPathType(file, 'Directory'), {
    message: `hostPath type check failed: ${file} is not a directory`,
  });
  await assert.rejects(checkHostPathType(join(root, 'missing'), 'Directory'), /is not a directory/);
  const created = join(root, 'made/deep');
  await checkHostPathType(created, 'DirectoryOrCreate');
  assert.equal((await stat(created)).mode & 0o777, 0o755);
  await assert.rejects(checkHostPathType(file, 'DirectoryOrCreate'), /is not a directory/);
});

test('File, FileOrCreate (without creating parents)', async () => {
  await checkHostPathType(file, 'File');
  await assert.rejects(checkHostPathType(dir, 'File'), {
    message: `hostPath type check failed: ${dir} is not a file`,
  });
  const created = join(root, 'newfile');
  await checkHostPathType(created, 'FileOrCreate');
  assert.ok((await stat(created)).isFile());
  await assert.rejects(checkHostPathType(join(root, 'noparent/f'), 'FileOrCreate'), /ENOENT/);
  await assert.rejects(checkHostPathType(dir, 'FileOrCreate'), /is not a file/);
});

test('Socket, CharDevice, BlockDevice, unknown type', async () => {
  const sock = join(root, 's.sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  try {
    await checkHostPathType(sock, 'Socket');
  } finally {
    server.close();
  }
  await assert.rejects(checkHostPathType(file, 'Socket'), {
    message: `hostPath type check failed: ${file} is not a socket file`,
  });
  await checkHostPathType('/dev/null', 'CharDevice');
  await assert.rejects(checkHostPathType(file, 'CharDevice'), /is not a character device/);
  await assert.rejects(checkHostPathType('/dev/null', 'BlockDevice'), {
    message: 'hostPath type check failed: /dev/null is not a block device',
  });
  await assert.rejects(checkHostPathType(dir, 'Bogus'), { message: 'Bogus is an invalid volume type' });
});
