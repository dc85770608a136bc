import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { JoinError, joinServer } from '../../agent/join/join.ts';
import { defaultSans, ensureServerPki, type ServerPki } from '../../pki/index.ts';
import { joinHandler } from './handler.ts';
import { ensureServerToken, parseToken } from './token.ts';

let dir: string;
let pki: ServerPki;
let server: https.Server;
let url: string;
let token: string;
let issuedCount = 0;
const networks = {
  clusterCidr: '10.52.0.0/16',
  serviceCidr: '10.53.0.0/16',
  clusterDns: '10.53.0.10',
  clusterDomain: 'edge.local',
};

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-join-'));
  pki = await ensureServerPki(path.join(dir, 'server', 'tls'), { sans: defaultSans([], '10.43.0.1') });
  ({ token } = await ensureServerToken(path.join(dir, 'server'), pki.serverCaPem));
  const handle = joinHandler(pki, parseToken(token).secret, networks);
  server = https.createServer({ cert: pki.servingCertPem, key: pki.servingKeyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const reply = await handle(
        req.url ?? '/',
        req.method ?? 'GET',
        req.headers.authorization,
        Buffer.concat(chunks).toString(),
      );
      if (reply?.status === 200 && req.url?.includes('node-credentials')) issuedCount++;
      res.writeHead(reply?.status ?? 404, { 'content-type': reply?.contentType ?? 'text/plain' });
      res.end(reply?.body ?? 'not found');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

test('the server token has the k3s form, mode 0600, and is kept across calls', async () => {
  assert.match(token, /^K10[0-9a-f]{64}::server:[0-9a-f]{32}$/);
  const file = path.join(dir, 'server', 'token');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await ensureServerToken(path.join(dir, 'server'), pki.serverCaPem)).token, token);
  assert.equal((await readFile(file, 'utf8')).trim(), token);
});

test('a fixed secret sets the secret part; garbage tokens are refused clearly', () => {
  assert.equal(parseToken('abc').secret, 'abc');
  assert.throws(() => parseToken('K10zz::x'), /K10<sha256>/);
  assert.throws(() => parseToken('  '), /empty/);
});

test('an agent joins with the token, gets system:node certificates, and reuses them on restart', async () => {
  const agentDir = path.join(dir, 'agent-a');
  const creds = await joinServer(agentDir, {
    server: url,
    token,
    nodeName: 'node-a',
    addresses: ['192.168.77.2'],
  });
  const client = new X509Certificate(
    await readFile(path.join(agentDir, 'tls', 'client-kubelet.crt'), 'utf8'),
  );
  assert.match(client.subject, /CN=system:node:node-a/);
  assert.match(client.subject, /O=system:nodes/);
  assert.ok(client.verify(new X509Certificate(pki.clientCaPem).publicKey));
  const serving = new X509Certificate(creds.servingCertPem);
  assert.match(serving.subjectAltName ?? '', /IP Address:192\.168\.77\.2/);
  assert.equal(creds.clientCaPem, pki.clientCaPem);
  assert.match(creds.kubeconfig, new RegExp(`server: ${url}`));
  assert.equal((await stat(path.join(agentDir, 'kubelet.kubeconfig'))).mode & 0o777, 0o600);
  const before = issuedCount;
  const again = await joinServer(agentDir, {
    server: url,
    token,
    nodeName: 'node-a',
    addresses: ['192.168.77.2'],
  });
  assert.equal(issuedCount, before, 'saved credentials are reused');
  assert.equal(again.servingKeyPem, creds.servingKeyPem);
});

test('a wrong secret is a 401 and a JoinError, not a crash', async () => {
  const bad = token.replace(/server:.*/, 'server:wrong');
  await assert.rejects(
    joinServer(path.join(dir, 'agent-b'), { server: url, token: bad, nodeName: 'node-b', addresses: [] }),
    (e: unknown) => e instanceof JoinError && /refused the join token \(401\)/.test(e.message),
  );
});

test('a token naming another CA is refused before the secret is sent', async () => {
  const other = `K10${'0'.repeat(64)}::server:${parseToken(token).secret}`;
  const before = issuedCount;
  await assert.rejects(
    joinServer(path.join(dir, 'agent-c'), { server: url, token: other, nodeName: 'node-c', addresses: [] }),
    (e: unknown) => e instanceof JoinError && /not the one the token names/.test(e.message),
  );
  assert.equal(issuedCount, before);
});

test('a bad node name is a 400 with the reason', async () => {
  await assert.rejects(
    joinServer(path.join(dir, 'agent-d'), { server: url, token, nodeName: 'Bad_Name', addresses: [] }),
    (e: unknown) => e instanceof JoinError && /400.*DNS-1123/.test(e.message),
  );
});

test('an unreachable server is a JoinError', async () => {
  await assert.rejects(
    joinServer(path.join(dir, 'agent-e'), {
      server: 'https://127.0.0.1:1',
      token,
      nodeName: 'n',
      addresses: [],
    }),
    (e: unknown) => e instanceof JoinError && /cannot reach/.test(e.message),
  );
});

test('the cluster networks are served for the token only', async () => {
  // agent-a joined above: its certificates are reused, the networks are asked for each time.
  const join = (t: string) =>
    joinServer(path.join(dir, 'agent-a'), {
      server: url,
      token: t,
      nodeName: 'node-a',
      addresses: ['192.168.77.2'],
    });
  assert.deepEqual((await join(token)).networks, networks);
  const wrong = `${token.slice(0, token.lastIndexOf(':') + 1)}not-the-secret`;
  await assert.rejects(join(wrong), /refused the cluster networks \(401\)/);
});
