import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ensureServerPki } from './server.ts';

const root = await mkdtemp(path.join(os.tmpdir(), 'skiff-pki-'));
after(() => rm(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => path.join(root, `tls-${n++}`);

const sans = {
  dns: ['localhost', 'kubernetes.default.svc', 'edge-1'],
  ips: ['127.0.0.1', '::1', '10.43.0.1'],
};
const DAY = 86_400_000;
const FILES = [
  'server-ca.crt',
  'server-ca.key',
  'client-ca.crt',
  'client-ca.key',
  'serving-kube-apiserver.crt',
  'serving-kube-apiserver.key',
  'client-admin.crt',
  'client-admin.key',
];

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of FILES) out[f] = await readFile(path.join(dir, f), 'utf8');
  return out;
}

test('the CAs are made once and reused byte for byte', async () => {
  const dir = freshDir();
  const first = await ensureServerPki(dir, { sans });
  const files = await snapshot(dir);
  const second = await ensureServerPki(dir, { sans });
  assert.deepEqual(await snapshot(dir), files);
  assert.equal(second.serverCaPem, first.serverCaPem);
  assert.equal(second.clientCaPem, first.clientCaPem);
  assert.equal(second.servingCertPem, first.servingCertPem);
  assert.equal(second.adminCertPem, first.adminCertPem);
  assert.notEqual(first.serverCaPem, first.clientCaPem);
  assert.match(first.servingKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  const ca = new X509Certificate(first.serverCaPem);
  assert.ok(ca.ca);
  assert.equal(ca.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.ok(ca.validToDate.getTime() - Date.now() > 3600 * DAY);
  // Even a SAN change never touches the CAs.
  await ensureServerPki(dir, { sans: { dns: ['other'], ips: [] } });
  assert.equal(await readFile(path.join(dir, 'server-ca.crt'), 'utf8'), first.serverCaPem);
  assert.equal(await readFile(path.join(dir, 'client-ca.key'), 'utf8'), first.clientCaKeyPem);
});

test('the serving certificate carries the SANs asked for and verifies against the server CA', async () => {
  const dir = freshDir();
  const pki = await ensureServerPki(dir, { sans });
  const leaf = new X509Certificate(pki.servingCertPem);
  const serverCa = new X509Certificate(pki.serverCaPem);
  assert.equal(leaf.subject, 'CN=kube-apiserver');
  assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  for (const host of sans.dns) assert.equal(leaf.checkHost(host), host);
  for (const ip of sans.ips) assert.equal(leaf.checkIP(ip), ip);
  assert.equal(leaf.checkHost('example.com'), undefined);
  assert.equal(leaf.checkIP('10.43.0.2'), undefined);
  assert.ok(leaf.verify(serverCa.publicKey));
  assert.ok(!leaf.verify(new X509Certificate(pki.clientCaPem).publicKey));
  const days = (leaf.validToDate.getTime() - Date.now()) / DAY;
  assert.ok(days > 364 && days <= 366, `validity ${days} days`);
  // The file holds the leaf followed by the server CA.
  assert.ok(pki.servingCertPem.endsWith(pki.serverCaPem));
  assert.equal(pki.servingCertPem, await readFile(path.join(dir, 'serving-kube-apiserver.crt'), 'utf8'));
});

test('the serving certificate is reissued when the SANs change and kept when they do not', async () => {
  const dir = freshDir();
  const first = await ensureServerPki(dir, { sans });
  const reordered = {
    dns: [...sans.dns].reverse(),
    ips: ['0:0:0:0:0:0:0:1', '10.43.0.1', '127.0.0.1', '::1'],
  };
  const same = await ensureServerPki(dir, { sans: reordered });
  assert.equal(same.servingCertPem, first.servingCertPem);
  assert.equal(same.servingKeyPem, first.servingKeyPem);

  const added = { dns: [...sans.dns, 'api.example.com'], ips: [...sans.ips, '2001:db8::1'] };
  const grown = await ensureServerPki(dir, { sans: added });
  assert.notEqual(grown.servingCertPem, first.servingCertPem);
  assert.notEqual(grown.servingKeyPem, first.servingKeyPem);
  const leaf = new X509Certificate(grown.servingCertPem);
  assert.equal(leaf.checkHost('api.example.com'), 'api.example.com');
  assert.equal(leaf.checkIP('2001:db8::1'), '2001:db8::1');
  assert.ok(leaf.verify(new X509Certificate(grown.serverCaPem).publicKey));
  assert.equal(grown.adminCertPem, first.adminCertPem, 'the admin certificate does not depend on SANs');

  const shrunk = await ensureServerPki(dir, { sans });
  assert.equal(new X509Certificate(shrunk.servingCertPem).checkHost('api.example.com'), undefined);
});

test('leaf certificates are reissued within 90 days of their end, not before', async () => {
  const dir = freshDir();
  const first = await ensureServerPki(dir, { sans });
  const in200Days = await ensureServerPki(dir, { sans, now: new Date(Date.now() + 200 * DAY) });
  assert.equal(in200Days.servingCertPem, first.servingCertPem);
  assert.equal(in200Days.adminCertPem, first.adminCertPem);
  const in300Days = await ensureServerPki(dir, { sans, now: new Date(Date.now() + 300 * DAY) });
  assert.notEqual(in300Days.servingCertPem, first.servingCertPem);
  assert.notEqual(in300Days.adminCertPem, first.adminCertPem);
  assert.equal(in300Days.serverCaPem, first.serverCaPem);
});

test('a leaf whose key is missing or does not match is reissued', async () => {
  const dir = freshDir();
  const first = await ensureServerPki(dir, { sans });
  await unlink(path.join(dir, 'client-admin.key'));
  const second = await ensureServerPki(dir, { sans });
  assert.notEqual(second.adminCertPem, first.adminCertPem);
  await writeFile(path.join(dir, 'serving-kube-apiserver.key'), second.adminKeyPem);
  const third = await ensureServerPki(dir, { sans });
  assert.notEqual(third.servingCertPem, second.servingCertPem);
  assert.equal(third.servingKeyPem, await readFile(path.join(dir, 'serving-kube-apiserver.key'), 'utf8'));
});

test('a CA certificate without its key is an error, not a new CA', async () => {
  const dir = freshDir();
  await ensureServerPki(dir, { sans });
  await unlink(path.join(dir, 'client-ca.key'));
  await assert.rejects(ensureServerPki(dir, { sans }), /client-ca\.key does not/);
});

test('the admin certificate is system:admin in system:masters, signed by the client CA only', async () => {
  const pki = await ensureServerPki(freshDir(), { sans });
  const admin = new X509Certificate(pki.adminCertPem);
  assert.equal(admin.subject, 'O=system:masters\nCN=system:admin');
  assert.deepEqual(admin.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.ok(admin.checkIssued(new X509Certificate(pki.clientCaPem)));
  assert.ok(admin.verify(new X509Certificate(pki.clientCaPem).publicKey));
  assert.ok(!admin.verify(new X509Certificate(pki.serverCaPem).publicKey));
  assert.ok(!admin.ca);
});

test('files are 0600 and the directory 0700, even if it existed with looser modes', async () => {
  const dir = freshDir();
  await mkdir(dir, { mode: 0o755 });
  await chmod(dir, 0o755);
  await ensureServerPki(dir, { sans });
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  for (const f of FILES) assert.equal((await stat(path.join(dir, f))).mode & 0o777, 0o600, f);
  await ensureServerPki(dir, { sans: { dns: ['changed'], ips: [] } });
  for (const f of FILES) assert.equal((await stat(path.join(dir, f))).mode & 0o777, 0o600, f);
});
