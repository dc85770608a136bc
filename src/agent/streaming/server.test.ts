import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { issueCertificate } from '../../pki/issue.ts';
import { ensureServerPki, type ServerPki } from '../../pki/server.ts';
import { parsePorts } from './portforward.ts';
import { type StreamingServer, startStreamingServer } from './server.ts';
import { SpdyConnection, type SpdyStream } from './spdy/connection.ts';
import type { StreamingRuntime } from './types.ts';

/**
 * A stand-in for containerd's streaming server: SPDY/3.1 remotecommand v4. It upper-cases
 * stdin to stdout, then writes a NonZeroExitCode status and, as the Kubernetes SPDY code does,
 * resets every stream and closes the connection right after the last DATA.
 */
function fakeRuntimeStreams(): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((_req, res) => res.writeHead(400).end('upgrade required'));
  server.on('upgrade', (req, socket) => {
    const versions = String(req.headers['x-stream-protocol-version']);
    assert.match(versions, /v4\.channel\.k8s\.io/);
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
        'X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n',
    );
    const conn = new SpdyConnection(socket, { isServer: true });
    const streams: Record<string, SpdyStream> = {};
    conn.on('stream', async (s: SpdyStream) => {
      await s.reply({});
      streams[s.headers.streamtype!] = s;
      if (s.headers.streamtype !== 'stdin') return;
      const parts: Buffer[] = [];
      for await (const c of s) parts.push(c as Buffer);
      const text = Buffer.concat(parts).toString();
      // Much more than one 64 KiB window, so flow control would show if it were wrong.
      streams.stdout!.write(text.toUpperCase().repeat(3000));
      streams.stderr!.write('bye\n');
      streams.error!.write(
        JSON.stringify({
          status: 'Failure',
          reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: '5' }] },
        }),
      );
      for (const st of Object.values(streams)) st.reset();
      conn.close();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/exec/token`,
        close: () => {
          server.close();
          server.closeAllConnections();
        },
      }),
    ),
  );
}

describe('agent streaming server', () => {
  let dir = '';
  let pki: ServerPki;
  let client: { certPem: string; keyPem: string };
  let server: StreamingServer;
  let runtimeStreams: Awaited<ReturnType<typeof fakeRuntimeStreams>>;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'skiff-agent-stream-'));
    pki = await ensureServerPki(path.join(dir, 'tls'), { sans: { dns: ['localhost'], ips: ['127.0.0.1'] } });
    client = await issueCertificate(
      { certPem: pki.clientCaPem, keyPem: pki.clientCaKeyPem },
      {
        commonName: 'kube-apiserver-kubelet-client',
        organizations: ['system:masters'],
        usage: 'client',
        days: 1,
      },
    );
    const logPath = path.join(dir, '0.log');
    await writeFile(
      logPath,
      '2026-01-01T00:00:00.000000001Z stdout F one\n2026-01-01T00:00:01Z stderr P tw\n2026-01-01T00:00:02Z stderr F o\n',
    );
    runtimeStreams = await fakeRuntimeStreams();
    const runtime: StreamingRuntime = {
      cri: {
        runtime: {
          exec: async (req: { cmd: string[]; stdin: boolean }) => {
            assert.deepEqual(req.cmd, ['tr', 'a-z', 'A-Z']);
            assert.equal(req.stdin, true);
            return { url: runtimeStreams.url };
          },
          containerStatus: async () => ({ status: { state: 'CONTAINER_EXITED' } }),
        } as never,
      },
      findContainer: (ns, pod, container) =>
        ns === 'default' && pod === 'p' && container === 'c'
          ? { podUid: 'u', containerId: 'cid', logPath, running: true }
          : undefined,
    };
    server = await startStreamingServer({
      host: '127.0.0.1',
      port: 0,
      tls: { certPem: pki.servingCertPem, keyPem: pki.servingKeyPem, clientCaPem: pki.clientCaPem },
      allowedUsers: ['kube-apiserver-kubelet-client'],
      runtime,
      log: { info() {}, warn() {}, error() {} },
    });
  });

  after(async () => {
    await server?.close();
    runtimeStreams?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const get = (p: string, cert?: { certPem: string; keyPem: string }) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1',
        port: server.port,
        path: p,
        ca: pki.serverCaPem,
        ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}),
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('lets in only the allowed client certificate', async () => {
    assert.equal((await get('/containerLogs/default/p/c')).status, 401);
    const other = await get('/containerLogs/default/p/c', {
      certPem: pki.adminCertPem,
      keyPem: pki.adminKeyPem,
    });
    assert.equal(other.status, 403);
    assert.equal(JSON.parse(other.body).kind, 'Status');
  });

  it('serves logs and answers unknown paths and containers with a Status', async () => {
    const logs = await get('/containerLogs/default/p/c?timestamps=true', client);
    assert.equal(logs.status, 200);
    assert.equal(logs.body, '2026-01-01T00:00:00.000000001Z one\n2026-01-01T00:00:01Z two\n');
    assert.equal((await get('/containerLogs/default/p/nosuch', client)).status, 404);
    assert.equal((await get('/nosuch', client)).status, 404);
    const exec = await get('/exec/default/p/c?command=true&stdout=1', client);
    assert.equal(exec.status, 400);
    assert.match(exec.body, /Upgrade request required/);
  });

  it('bridges a v5 WebSocket exec to SPDY: stdin close, all output, then the status', async () => {
    const ws = new WebSocket(
      `wss://127.0.0.1:${server.port}/exec/default/p/c?command=tr&command=a-z&command=A-Z&stdin=true&stdout=true&stderr=true`,
      ['v5.channel.k8s.io'],
      { ca: pki.serverCaPem, cert: client.certPem, key: client.keyPem },
    );
    const out: Record<number, Buffer[]> = {};
    const order: number[] = [];
    ws.on('message', (m: Buffer) => {
      const list = out[m[0]!] ?? [];
      list.push(m.subarray(1));
      out[m[0]!] = list;
      if (order.at(-1) !== m[0]) order.push(m[0]!);
    });
    await new Promise((r) => ws.once('open', r));
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('abc\n')]));
    ws.send(Buffer.from([255, 0]));
    assert.equal(await new Promise((r) => ws.once('close', r)), 1000);
    assert.equal(Buffer.concat(out[1]!).toString(), 'ABC\n'.repeat(3000));
    assert.equal(Buffer.concat(out[2]!).toString(), 'bye\n');
    assert.equal(JSON.parse(Buffer.concat(out[3]!).toString()).details.causes[0].message, '5');
    assert.equal(order.at(-1), 3, 'the status comes last');
  });
});

describe('port-forward ports', () => {
  it('reads ports=, comma-separated or repeated, and refuses bad ones', () => {
    assert.deepEqual(parsePorts(new URLSearchParams('ports=80,8080&ports=9090')), [80, 8080, 9090]);
    assert.deepEqual(parsePorts(new URLSearchParams('')), []);
    assert.throws(() => parsePorts(new URLSearchParams('ports=0')), /invalid port "0"/);
    assert.throws(() => parsePorts(new URLSearchParams('ports=http')), /invalid port/);
    assert.throws(() => parsePorts(new URLSearchParams('ports=70000')), /1-65535/);
  });
});
