import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { V1Container } from '@kubernetes/client-node';
import { ensureServerPki } from '../../../pki/index.ts';
import { probeExec } from './exec.ts';
import { resolvePort } from './ports.ts';
import { runProbe } from './run.ts';
import { freePort, target } from './testing.ts';
import type { ExecInContainer } from './types.ts';

describe('named ports', () => {
  it('resolves numbers, numeric strings and names; rejects the rest', () => {
    const c: V1Container = { name: 'c', ports: [{ name: 'web', containerPort: 8080 }] };
    assert.equal(resolvePort(80, c), 80);
    assert.equal(resolvePort('81', c), 81);
    assert.equal(resolvePort('web', c), 8080);
    assert.match(String(resolvePort('nope', c)), /couldn't find port: nope/);
    assert.match(String(resolvePort(70000, c)), /invalid port number/);
  });
});

describe('httpGet probe', () => {
  let server: http.Server;
  let port: number;
  const seen: http.IncomingHttpHeaders[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/ok') res.end('fine');
      else if (url.pathname === '/500') {
        res.statusCode = 500;
        res.end('broken');
      } else if (url.pathname === '/big') res.end('x'.repeat(50_000));
      else if (url.pathname === '/slow') setTimeout(() => res.end('late'), 3000);
      else if (url.pathname === '/local-redirect') {
        res.writeHead(302, { Location: '/ok' });
        res.end();
      } else if (url.pathname === '/away') {
        res.writeHead(302, { Location: `http://localhost:${port}/ok` });
        res.end('moved away');
      } else if (url.pathname === '/loop') {
        res.writeHead(302, { Location: '/loop' });
        res.end();
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('succeeds on 200 with the body and sends kube-probe headers and custom ones', async () => {
    const r = await runProbe(
      {
        httpGet: {
          port,
          path: '/ok',
          httpHeaders: [
            { name: 'X-Probe', value: 'yes' },
            { name: 'Host', value: 'h.example' },
          ],
        },
      },
      target(),
    );
    assert.deepEqual(r, { result: 'success', message: 'fine' });
    const h = seen.at(-1)!;
    assert.equal(h['user-agent'], 'kube-probe/1.32');
    assert.equal(h.accept, '*/*');
    assert.equal(h['x-probe'], 'yes');
    assert.equal(h.host, 'h.example');
  });

  it('uses the named port of the container and fails on 500 with upstream words', async () => {
    const r = await runProbe(
      { httpGet: { port: 'web', path: '/500' } },
      target({ ports: [{ name: 'web', containerPort: port }] }),
    );
    assert.deepEqual(r, { result: 'failure', message: 'HTTP probe failed with statuscode: 500' });
  });

  it('keeps at most 10 KiB of body', async () => {
    const r = await runProbe({ httpGet: { port, path: '/big' } }, target());
    assert.equal(r.result, 'success');
    assert.equal(r.message.length, 10 * 1024);
  });

  it('follows same-host redirects, stops at other hosts (warning) and after 10', async () => {
    assert.deepEqual(await runProbe({ httpGet: { port, path: '/local-redirect' } }, target()), {
      result: 'success',
      message: 'fine',
    });
    const away = await runProbe({ httpGet: { port, path: '/away' } }, target());
    assert.deepEqual(away, {
      result: 'warning',
      message: 'Probe terminated redirects, Response body: moved away',
    });
    const loop = await runProbe({ httpGet: { port, path: '/loop' } }, target());
    assert.equal(loop.result, 'failure');
    assert.match(loop.message, /stopped after 10 redirects/);
  });

  it('times out and reports refused connections', async () => {
    const slow = await runProbe({ httpGet: { port, path: '/slow' }, timeoutSeconds: 1 }, target());
    assert.equal(slow.result, 'failure');
    assert.match(slow.message, /Client.Timeout exceeded/);
    const closed = await freePort();
    const refused = await runProbe({ httpGet: { port: closed, path: '/' } }, target());
    assert.equal(refused.result, 'failure');
    assert.equal(
      refused.message,
      `Get "http://127.0.0.1:${closed}/": dial tcp 127.0.0.1:${closed}: connect: connection refused`,
    );
  });

  it('reports a missing named port as a probe error', async () => {
    const r = await runProbe({ httpGet: { port: 'nope' } }, target());
    assert.equal(r.result, 'unknown');
  });
});

describe('tcpSocket probe', () => {
  it('succeeds when the port accepts, fails when refused', async () => {
    const s = net.createServer((c) => c.destroy());
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    try {
      assert.equal((await runProbe({ tcpSocket: { port } }, target())).result, 'success');
    } finally {
      await new Promise((r) => s.close(r));
    }
    const r = await runProbe({ tcpSocket: { port } }, target());
    assert.deepEqual(r, {
      result: 'failure',
      message: `dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
  });
});

describe('exec probe', () => {
  const out = (s: string) => Buffer.from(s);
  it('exit 0 succeeds, others fail with stdout+stderr as the message', async () => {
    const exec: ExecInContainer = async (_id, cmd) =>
      cmd[0] === 'ok'
        ? { exitCode: 0, stdout: out('yes'), stderr: out('') }
        : { exitCode: 1, stdout: out('bad '), stderr: out('news') };
    assert.deepEqual(await probeExec(exec, 'cid', ['ok'], 1), { result: 'success', message: 'yes' });
    assert.deepEqual(await probeExec(exec, 'cid', ['no'], 1), { result: 'failure', message: 'bad news' });
  });

  it('a runtime timeout is a failure; other runtime errors are unknown', async () => {
    const timeout: ExecInContainer = async () => {
      throw Object.assign(new Error('2 UNKNOWN: timeout 1s exceeded: context deadline exceeded'), {
        code: 2,
        details: 'timeout 1s exceeded: context deadline exceeded',
      });
    };
    assert.deepEqual(await probeExec(timeout, 'cid', ['sleep', '5'], 1), {
      result: 'failure',
      message: 'command "sleep 5" timed out',
    });
    const gone: ExecInContainer = async () => {
      throw Object.assign(new Error('5 NOT_FOUND'), { code: 5, details: 'container not found' });
    };
    assert.deepEqual(await probeExec(gone, 'cid', ['true'], 1), {
      result: 'unknown',
      message: 'container not found',
    });
  });

  it('times out by itself when the runtime never answers', async () => {
    const hang: ExecInContainer = () => new Promise(() => {});
    const t0 = Date.now();
    const r = await probeExec(hang, 'cid', ['x'], 1);
    assert.equal(r.result, 'failure');
    assert.ok(Date.now() - t0 < 5000);
  });
});

describe('https and a pod without an IP', () => {
  it('an HTTPS probe does not verify the certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'h6-https-'));
    const pki = await ensureServerPki(join(dir, 'tls'), { sans: { dns: ['localhost'], ips: ['127.0.0.1'] } });
    const server = https.createServer({ cert: pki.servingCertPem, key: pki.servingKeyPem }, (_req, res) =>
      res.end('secure'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await runProbe({ httpGet: { port, scheme: 'HTTPS', path: '/' } }, target());
      assert.deepEqual(r, { result: 'success', message: 'secure' });
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a pod IP the probe errors (no result) instead of dialing nowhere', async () => {
    const t = { ...target(), podIp: '' };
    assert.equal((await runProbe({ httpGet: { port: 80 } }, t)).result, 'unknown');
    assert.equal((await runProbe({ tcpSocket: { port: 80 } }, t)).result, 'unknown');
    assert.equal((await runProbe({ grpc: { port: 80 } }, t)).result, 'unknown');
  });
});
