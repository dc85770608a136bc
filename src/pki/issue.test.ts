import assert from 'node:assert/strict';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createCertificateAuthority } from './ca.ts';
import { issueCertificate, issueClientCertificate } from './issue.ts';
import { ensureServerPki } from './server.ts';
import { x509 } from './x509.ts';

const root = await mkdtemp(path.join(os.tmpdir(), 'skiff-issue-'));
after(() => rm(root, { recursive: true, force: true }));

test('node client certificates are signed by the client CA', async () => {
  const ca = await createCertificateAuthority('test-client-ca');
  const node = await issueClientCertificate(
    { clientCaPem: ca.certPem, clientCaKeyPem: ca.keyPem },
    { commonName: 'system:node:edge-1', organizations: ['system:nodes'], days: 30 },
  );
  const cert = new X509Certificate(node.certPem);
  assert.equal(cert.subject, 'O=system:nodes\nCN=system:node:edge-1');
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
  assert.equal(cert.checkPrivateKey(createPrivateKey(node.keyPem)), true);
  const days = (cert.validToDate.getTime() - Date.now()) / 86_400_000;
  assert.ok(days > 29 && days <= 30, `validity ${days} days`);
});

test('a hand-placed RSA CA with a PKCS#1 key is used as it is', async () => {
  const keys = await webcrypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      hash: 'SHA-256',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
    },
    true,
    ['sign', 'verify'],
  );
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=custom-ca',
    keys,
    notAfter: new Date(Date.now() + 3650 * 86_400_000),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const keyPem = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs1', format: 'pem' })
    .toString();
  const certPem = `${caCert.toString('pem')}\n`;

  const issued = await issueCertificate({ certPem, keyPem }, { commonName: 'x', usage: 'server', days: 1 });
  assert.ok(new X509Certificate(issued.certPem).verify(new X509Certificate(certPem).publicKey));

  const dir = path.join(root, 'tls');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'server-ca.crt'), certPem);
  await writeFile(path.join(dir, 'server-ca.key'), keyPem);
  const pki = await ensureServerPki(dir, { sans: { dns: ['localhost'], ips: [] } });
  assert.equal(pki.serverCaPem, certPem);
  assert.equal(await readFile(path.join(dir, 'server-ca.key'), 'utf8'), keyPem);
  assert.ok(new X509Certificate(pki.servingCertPem).verify(new X509Certificate(certPem).publicKey));
});
