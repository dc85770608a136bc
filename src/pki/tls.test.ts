import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { type CertificateIdentity, identityFromCertificate } from './identity.ts';
import { issueCertificate } from './issue.ts';
import { ensureServerPki, type ServerPki } from './server.ts';

const root = await mkdtemp(path.join(os.tmpdir(), 'skiff-tls-'));
after(() => rm(root, { recursive: true, force: true }));

async function withServer(
  pki: ServerPki,
  run: (port: number, seen: (CertificateIdentity | undefined)[]) => Promise<void>,
) {
  const seen: (CertificateIdentity | undefined)[] = [];
  const server = https.createServer(
    {
      cert: pki.servingCertPem,
      key: pki.servingKeyPem,
      ca: pki.clientCaPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      seen.push(socket.authorized ? identityFromCertificate(socket.getPeerCertificate()) : undefined);
      res.end('ok');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run((server.address() as AddressInfo).port, seen);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function get(port: number, options: https.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: '/', agent: false, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a client with the admin certificate and the server CA talks TLS both ways', async () => {
  const pki = await ensureServerPki(path.join(root, 'tls'), {
    sans: { dns: ['localhost'], ips: ['127.0.0.1', '::1'] },
  });
  await withServer(pki, async (port, seen) => {
    const body = await get(port, {
      servername: 'localhost',
      ca: pki.serverCaPem,
      cert: pki.adminCertPem,
      key: pki.adminKeyPem,
    });
    assert.equal(body, 'ok');
    assert.deepEqual(seen, [{ user: 'system:admin', groups: ['system:masters'] }]);

    // Without a client certificate the server answers but sees nobody.
    assert.equal(await get(port, { servername: 'localhost', ca: pki.serverCaPem }), 'ok');
    assert.equal(seen[1], undefined);

    // A client certificate from the server CA is not trusted for authentication.
    const forged = await issueCertificate(
      { certPem: pki.serverCaPem, keyPem: pki.serverCaKeyPem },
      { commonName: 'system:admin', organizations: ['system:masters'], usage: 'client', days: 1 },
    );
    const forgedOptions = {
      servername: 'localhost',
      ca: pki.serverCaPem,
      cert: forged.certPem,
      key: forged.keyPem,
    };
    assert.equal(await get(port, forgedOptions), 'ok');
    assert.equal(seen[2], undefined);
    assert.equal(seen.length, 3);

    // The client checks the server: not a name in its SANs, or the wrong CA, fails.
    await assert.rejects(get(port, { servername: 'example.com', ca: pki.serverCaPem }), /altnames|Hostname/i);
    await assert.rejects(get(port, { servername: 'localhost', ca: pki.clientCaPem }), /certificate/i);
  });
});
