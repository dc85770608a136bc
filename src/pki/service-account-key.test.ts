import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ensureServiceAccountKey } from './service-account-key.ts';

const root = await mkdtemp(join(tmpdir(), 'skiff-sakey-'));
after(() => rm(root, { recursive: true, force: true }));

test('created once with mode 0600 and reused', async () => {
  const dir = join(root, 'tls');
  const [a, b] = await Promise.all([ensureServiceAccountKey(dir), ensureServiceAccountKey(dir)]);
  assert.equal(a.keyId, b.keyId, 'concurrent callers agree on one key');
  assert.equal((await stat(join(dir, 'service.key'))).mode & 0o777, 0o600);
  assert.match(await readFile(join(dir, 'service.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  assert.equal(a.privateKey.asymmetricKeyType, 'rsa');
  const again = await ensureServiceAccountKey(dir);
  assert.equal(again.keyId, a.keyId);
  assert.match(a.keyId, /^[A-Za-z0-9_-]{43}$/);
});

test('a non-RSA key is refused with a clear error', async () => {
  const dir = join(root, 'ec');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await mkdir(dir);
  await writeFile(join(dir, 'service.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await assert.rejects(ensureServiceAccountKey(dir), /must hold an RSA key, found ec/);
});
