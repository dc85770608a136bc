/**
 * The streaming path end to end on a private containerd: the agent's endpoint alone, then
 * kubectl 1.32 and @kubernetes/client-node through the API server (logs, exec, cp, attach
 * resize, port-forward). Root only; everything made here is removed afterwards.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import pino from 'pino';
import WebSocket from 'ws';
import { criStreamingRuntime } from '../src/agent/streaming/cri-runtime.ts';
import { type StreamingServer, startStreamingServer } from '../src/agent/streaming/server.ts';
import { createApiApp } from '../src/apiserver/app.ts';
import { listen } from '../src/apiserver/serve.ts';
import { ensureApiserverClientCert } from '../src/pki/apiserver-client.ts';
import { ensureServerPki, renderKubeconfig } from '../src/pki/index.ts';
import { issueCertificate } from '../src/pki/issue.ts';
import { Registry } from '../src/registry/registry.ts';
import { bootstrap } from '../src/server/bootstrap.ts';
import { compileServerConfig } from '../src/server/config.ts';
import { openBackend } from '../src/storage/index.ts';
import {
  BUSYBOX_IMAGE,
  leftovers,
  type PrivateNode,
  privateNode,
  rootTestSkipReason,
} from './helpers/containerd.ts';

const skip = rootTestSkipReason();
const silent = pino({ level: 'silent' });
const HTTP_PORT = 20000 + Math.floor(Math.random() * 20000);
/** Set to bin/run.js to run the whole path through the real `skiff server --disable-agent`. */
const serverBin = process.env.SKIFF_STREAMING_SERVER_BIN;

describe('node streaming endpoint and the API server proxy', { skip, timeout: 600_000 }, () => {
  let node: PrivateNode | undefined;
  let agent: StreamingServer | undefined;
  let apiPort = 0;
  let stopApi: () => Promise<void> = async () => undefined;
  let dir = '';
  const children: ChildProcess[] = [];
  const ids = { sandbox: '', c1: '', web: '' };
  let pki: Awaited<ReturnType<typeof ensureServerPki>>;
  let kubelet: { certPem: string; keyPem: string };
  let kubeconfig = '';

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-stream-'));
    node = await privateNode('stream');
    const cri = node.cri;
    const sandboxConfig = {
      metadata: { name: 'p1', uid: 'uid-p1', namespace: 'default', attempt: 0 },
      hostname: '',
      logDirectory: path.join(node.logRoot, 'default_p1_uid-p1'),
      labels: {
        'io.kubernetes.pod.name': 'p1',
        'io.kubernetes.pod.namespace': 'default',
        'io.kubernetes.pod.uid': 'uid-p1',
      },
      linux: {
        cgroupParent: `${node.cgroupParent}/poduid-p1`,
        securityContext: { namespaceOptions: { network: 'NODE', pid: 'POD', ipc: 'POD' } },
      },
    };
    ids.sandbox = (await cri.runtime.runPodSandbox({ config: sandboxConfig })).podSandboxId;
    const start = async (name: string, command: string[], extra: object = {}) => {
      const { containerId } = await cri.runtime.createContainer({
        podSandboxId: ids.sandbox,
        config: {
          metadata: { name, attempt: 0 },
          image: { image: BUSYBOX_IMAGE },
          command,
          logPath: `${name}/0.log`,
          labels: { ...sandboxConfig.labels, 'io.kubernetes.container.name': name },
          ...extra,
        },
        sandboxConfig,
      });
      await cri.runtime.startContainer({ containerId });
      return containerId;
    };
    ids.c1 = await start(
      'c1',
      ['sh', '-c', 'i=0; while true; do echo "tick $i"; echo "warn $i" >&2; i=$((i+1)); sleep 0.2; done'],
      { stdin: true },
    );
    ids.web = await start('web', [
      'sh',
      '-c',
      `mkdir -p /www && echo pong > /www/index.html && exec httpd -f -p 127.0.0.1:${HTTP_PORT} -h /www`,
    ]);

    // The CRI-label lookup an agent can use as is (the kubelet's labels are set above).
    const runtime = criStreamingRuntime(cri);

    if (serverBin) {
      // The real binary (once its startup passes the kubelet-client certificate to listen()).
      const dataDir = path.join(dir, 'server-data');
      const server = await startServerBinary(serverBin, dataDir, children);
      apiPort = server.port;
      stopApi = server.stop;
      const read = (f: string) => fs.readFileSync(path.join(dataDir, 'server', 'tls', f), 'utf8');
      pki = {
        serverCaPem: read('server-ca.crt'),
        serverCaKeyPem: read('server-ca.key'),
        clientCaPem: read('client-ca.crt'),
        adminCertPem: read('client-admin.crt'),
        adminKeyPem: read('client-admin.key'),
      } as typeof pki;
      kubelet = {
        certPem: read('client-kube-apiserver-kubelet-client.crt'),
        keyPem: read('client-kube-apiserver-kubelet-client.key'),
      };
    } else {
      pki = await ensureServerPki(path.join(dir, 'tls'), {
        sans: { dns: ['localhost'], ips: ['127.0.0.1'] },
      });
      kubelet = await ensureApiserverClientCert(path.join(dir, 'tls'), pki);
      const config = compileServerConfig({
        dataDir: dir,
        httpsListenPort: 0,
        bindAddress: '127.0.0.1',
        disableAgent: true,
      });
      const registry = new Registry(openBackend('memory:'));
      const app = createApiApp({ registry, log: silent, advertiseAddress: '127.0.0.1:0' });
      const api = await listen(
        app as never,
        { certPem: pki.servingCertPem, keyPem: pki.servingKeyPem, clientCaPem: pki.clientCaPem },
        0,
        '127.0.0.1',
        {
          streaming: {
            registry,
            clientCertPem: kubelet.certPem,
            clientKeyPem: kubelet.keyPem,
            serverCaPem: pki.serverCaPem,
          },
        },
      );
      await bootstrap(registry, { ...config, httpsListenPort: api.port }, pki.serverCaPem);
      apiPort = api.port;
      stopApi = () => api.close();
    }
    const serving = await issueCertificate(
      { certPem: pki.serverCaPem, keyPem: pki.serverCaKeyPem },
      { commonName: 'stream', usage: 'server', sans: { dns: ['stream'], ips: ['127.0.0.1'] }, days: 1 },
    );
    agent = await startStreamingServer({
      host: '127.0.0.1',
      port: 0,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: pki.clientCaPem },
      allowedUsers: ['kube-apiserver-kubelet-client'],
      runtime,
      log: process.env.SKIFF_TEST_LOG ? pino({ level: 'debug' }) : silent,
    });

    kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      renderKubeconfig({
        server: `https://127.0.0.1:${apiPort}`,
        caPem: pki.serverCaPem,
        certPem: pki.adminCertPem,
        keyPem: pki.adminKeyPem,
      }),
    );
    await ok(
      ['create', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'stream' } }),
    );
    await ok([
      'patch',
      'node',
      'stream',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
          daemonEndpoints: { kubeletEndpoint: { Port: agent.port } },
        },
      }),
    ]);
    await ok(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p1', namespace: 'default' },
        spec: {
          nodeName: 'stream',
          containers: [
            { name: 'c1', image: BUSYBOX_IMAGE },
            { name: 'web', image: BUSYBOX_IMAGE },
          ],
        },
      }),
    );
    await ok([
      'patch',
      'pod',
      'p1',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Running"}}',
    ]);
    await sleep(1500); // a few ticks in the log
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await stopApi();
    await agent?.close();
    await node?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (node) assert.deepEqual(leftovers(node), []);
  });

  function kubectl(
    args: string[],
    input?: string,
    timeout = 60_000,
    env: Record<string, string> = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const p = execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), ...args],
        { maxBuffer: 64 << 20, timeout, encoding: 'utf8', env: { ...process.env, ...env } },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
      p.stdin!.end(input ?? '');
    });
  }
  async function ok(args: string[], input?: string): Promise<string> {
    const r = await kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }
  function agentRequest(pathname: string, cert?: { certPem: string; keyPem: string }) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1',
        port: agent!.port,
        path: pathname,
        ca: pki.serverCaPem,
        ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}),
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('agent: refuses clients without the kubelet-client certificate', async () => {
    assert.equal((await agentRequest('/containerLogs/default/p1/c1')).status, 401);
    const admin = await agentRequest('/containerLogs/default/p1/c1', {
      certPem: pki.adminCertPem,
      keyPem: pki.adminKeyPem,
    });
    assert.equal(admin.status, 403);
    assert.match(admin.body, /system:admin/);
  });

  it('agent: serves the CRI log with tailLines and timestamps', async () => {
    const r = await agentRequest('/containerLogs/default/p1/c1?tailLines=2&timestamps=true', kubelet);
    assert.equal(r.status, 200);
    const lines = r.body.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\S+ (tick|warn) \d+$/);
    const missing = await agentRequest('/containerLogs/default/p1/nosuch', kubelet);
    assert.equal(missing.status, 404);
    const bad = await agentRequest('/containerLogs/default/p1/c1?tailLines=-3', kubelet);
    assert.equal(bad.status, 400);
    assert.match(bad.body, /tailLines/);
  });

  it('agent: exec over WebSocket v5 with stdin close and the exit code status', async () => {
    const ws = new WebSocket(
      `wss://127.0.0.1:${agent!.port}/exec/default/p1/c1?command=sh&command=-c&command=cat%3B%20echo%20done%20%3E%262%3B%20exit%207&stdin=1&stdout=1&stderr=1`,
      ['v5.channel.k8s.io'],
      { ca: pki.serverCaPem, cert: kubelet.certPem, key: kubelet.keyPem },
    );
    const got: Record<number, string> = { 1: '', 2: '', 3: '' };
    ws.on('message', (m: Buffer) => (got[m[0]!] = (got[m[0]!] ?? '') + m.subarray(1).toString()));
    await new Promise((r) => ws.once('open', r));
    assert.equal(ws.protocol, 'v5.channel.k8s.io');
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello from stdin\n')]));
    ws.send(Buffer.from([255, 0]));
    const code = await new Promise<number>((r) => ws.once('close', r));
    assert.equal(code, 1000);
    assert.equal(got[1], 'hello from stdin\n');
    assert.equal(got[2], 'done\n');
    const status = JSON.parse(got[3]!);
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '7' }]);
  });

  it('agent: a tty exec takes resize messages', async () => {
    const ws = new WebSocket(
      `wss://127.0.0.1:${agent!.port}/exec/default/p1/c1?command=sh&command=-c&command=sleep%201%3B%20stty%20size&stdin=1&stdout=1&tty=1`,
      ['v4.channel.k8s.io'],
      { ca: pki.serverCaPem, cert: kubelet.certPem, key: kubelet.keyPem },
    );
    let out = '';
    ws.on('message', (m: Buffer) => {
      if (m[0] === 1) out += m.subarray(1).toString();
    });
    await new Promise((r) => ws.once('open', r));
    assert.equal(ws.protocol, 'v4.channel.k8s.io');
    ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: 123, Height: 45 }))]));
    await new Promise((r) => ws.once('close', r));
    assert.match(out, /45 123/);
  });

  it('kubectl logs: --tail, --timestamps, -f, -c, and a clear error for a bad container', async () => {
    const tail = await ok(['logs', 'p1', '-c', 'c1', '--tail=3']);
    assert.equal(tail.trimEnd().split('\n').length, 3);
    const stamped = await ok(['logs', 'p1', '-c', 'c1', '--tail=1', '--timestamps']);
    assert.match(stamped, /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d) (tick|warn) \d+\n$/);
    const bad = await kubectl(['logs', 'p1', '-c', 'nosuch']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nosuch is not valid for pod p1/);
    const previous = await kubectl(['logs', 'p1', '-c', 'c1', '--previous']);
    assert.notEqual(previous.code, 0);
    assert.match(previous.stderr, /previous terminated container "c1" in pod "p1" not found/);
    // Without -c, kubectl picks the first container itself and says so.
    const defaulted = await kubectl(['logs', 'p1', '--tail=1']);
    assert.equal(defaulted.code, 0, defaulted.stderr);
    assert.match(defaulted.stderr, /Defaulted container "c1"/);
    // -f: lines keep coming while the container runs.
    const follow = spawn('kubectl', ['--kubeconfig', kubeconfig, 'logs', '-f', 'p1', '-c', 'c1', '--tail=0']);
    children.push(follow);
    let out = '';
    follow.stdout.on('data', (d) => (out += d));
    const t0 = Date.now();
    while (!/tick \d+\n[\s\S]*tick \d+\n/.test(out) && Date.now() - t0 < 10_000) await sleep(100);
    follow.kill('SIGTERM');
    assert.match(out, /tick \d+\n[\s\S]*tick \d+\n/, `followed: ${JSON.stringify(out)}`);
  });

  it('kubectl exec: output, stdin, exit code passed through, tty resize accepted', async () => {
    assert.equal(await ok(['exec', 'p1', '-c', 'c1', '--', 'echo', 'hi there']), 'hi there\n');
    const failed = await kubectl(['exec', 'p1', '-c', 'c1', '--', 'sh', '-c', 'echo oops >&2; exit 3']);
    assert.equal(failed.code, 3);
    assert.equal(failed.stderr.includes('oops'), true);
    const missing = await kubectl(['exec', 'p1', '-c', 'c1', '--', 'nosuchcmd']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /nosuchcmd/);
    const cat = await kubectl(
      ['exec', '-i', 'p1', '-c', 'c1', '--', 'sh', '-c', 'wc -c'],
      'x'.repeat(300_000),
    );
    assert.equal(cat.code, 0, cat.stderr);
    assert.equal(cat.stdout.trim(), '300000');
    const big = await kubectl([
      'exec',
      'p1',
      '-c',
      'c1',
      '--',
      'sh',
      '-c',
      'head -c 3000000 /dev/zero | tr "\\0" x; echo; echo end',
    ]);
    assert.equal(big.code, 0, big.stderr);
    assert.equal(
      big.stdout.length,
      3000005,
      `got ${big.stdout.length} bytes, ends ${JSON.stringify(big.stdout.slice(-20))}`,
    );
    // -t without a terminal on our side: kubectl still opens the resize channel.
    const tty = await kubectl(['exec', '-i', '-t', 'p1', '-c', 'c1', '--', 'sh', '-c', 'echo tty-ok'], '');
    assert.match(tty.stdout + tty.stderr, /tty-ok/);
  });

  it('kubectl exec and port-forward over SPDY (the fallback) are relayed too', async () => {
    const env = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' };
    const r = await kubectl(
      ['exec', '-i', 'p1', '-c', 'c1', '--', 'sh', '-c', 'cat; exit 4'],
      'via spdy\n',
      60_000,
      env,
    );
    assert.equal(r.code, 4, r.stderr);
    assert.equal(r.stdout, 'via spdy\n');
    const local = await freePort();
    const pf = spawn(
      'kubectl',
      ['--kubeconfig', kubeconfig, 'port-forward', 'pod/p1', `${local}:${HTTP_PORT}`],
      {
        env: { ...process.env, ...env },
      },
    );
    children.push(pf);
    let out = '';
    pf.stdout.on('data', (d) => (out += d));
    const t0 = Date.now();
    while (!out.includes('Forwarding from') && Date.now() - t0 < 15_000) await sleep(100);
    const res = await fetch(`http://127.0.0.1:${local}/`);
    assert.equal((await res.text()).trim(), 'pong');
    pf.kill('SIGTERM');
  });

  it("kubectl attach: shows the running container's output", async () => {
    const at = spawn('kubectl', ['--kubeconfig', kubeconfig, 'attach', 'p1', '-c', 'c1']);
    children.push(at);
    let out = '';
    at.stdout.on('data', (d) => (out += d));
    at.stderr.on('data', (d) => (out += d));
    const t0 = Date.now();
    while (!/tick \d+/.test(out) && Date.now() - t0 < 10_000) await sleep(100);
    at.kill('SIGTERM');
    assert.match(out, /tick \d+/);
  });

  it('kubectl cp: both ways', async () => {
    const src = path.join(dir, 'upload.txt');
    const payload = `${'skiff streaming\n'.repeat(20000)}end\n`;
    fs.writeFileSync(src, payload);
    await ok(['cp', src, 'default/p1:/tmp/upload.txt', '-c', 'c1']);
    assert.equal(
      (await ok(['exec', 'p1', '-c', 'c1', '--', 'wc', '-c', '/tmp/upload.txt'])).trim().split(/\s+/)[0],
      String(payload.length),
    );
    const back = path.join(dir, 'download.txt');
    await ok(['cp', 'default/p1:/tmp/upload.txt', back, '-c', 'c1']);
    assert.equal(fs.readFileSync(back, 'utf8'), payload);
  });

  it('kubectl port-forward: a request through the tunnel reaches the pod', async () => {
    const local = await freePort();
    const pf = spawn('kubectl', [
      '--kubeconfig',
      kubeconfig,
      'port-forward',
      'pod/p1',
      `${local}:${HTTP_PORT}`,
    ]);
    children.push(pf);
    let out = '';
    pf.stdout.on('data', (d) => (out += d));
    pf.stderr.on('data', (d) => (out += d));
    const t0 = Date.now();
    while (!out.includes('Forwarding from') && Date.now() - t0 < 15_000) await sleep(100);
    assert.match(out, /Forwarding from 127\.0\.0\.1/);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`http://127.0.0.1:${local}/`);
      assert.equal((await res.text()).trim(), 'pong');
    }
    pf.kill('SIGTERM');
  });

  it('client-node: Exec and PortForward', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const exec = new k8s.Exec(kc);
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (d) => (text += d));
    const status = await new Promise<k8s.V1Status>((resolve, reject) => {
      exec
        .exec(
          'default',
          'p1',
          'c1',
          ['sh', '-c', 'echo from-client-node; exit 0'],
          stdout,
          null,
          null,
          false,
          (s) => resolve(s),
        )
        .catch(reject);
    });
    assert.equal(status.status, 'Success');
    assert.equal(text, 'from-client-node\n');

    const pf = new k8s.PortForward(kc);
    const server = net.createServer(async (sock) => {
      await pf.portForward('default', 'p1', [HTTP_PORT], sock, null, sock);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { Connection: 'close' } });
      assert.equal((await res.text()).trim(), 'pong');
    } finally {
      server.close();
    }
  });

  it('the API server refuses exec into a completed pod and streaming without an upgrade', async () => {
    await ok([
      'patch',
      'pod',
      'p1',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Succeeded"}}',
    ]);
    try {
      const r = await kubectl(['exec', 'p1', '-c', 'c1', '--', 'true']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /completed pod/);
    } finally {
      await ok([
        'patch',
        'pod',
        'p1',
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"phase":"Running"}}',
      ]);
    }
    const plain = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1',
        port: apiPort,
        path: '/api/v1/namespaces/default/pods/p1/exec?command=true&container=c1&stdout=true',
        ca: pki.serverCaPem,
        cert: pki.adminCertPem,
        key: pki.adminKeyPem,
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(plain.status, 400);
    assert.match(plain.body, /Upgrade request required/);
    const anonymous = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(
        `wss://127.0.0.1:${apiPort}/api/v1/namespaces/default/pods/p1/exec?command=true&container=c1&stdout=true`,
        ['v5.channel.k8s.io'],
        {
          ca: pki.serverCaPem,
        },
      );
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
      ws.on('open', () => reject(new Error('an anonymous exec was let in')));
      ws.on('error', () => undefined);
    });
    assert.equal(anonymous, 401);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `skiff server --disable-agent` and resolves with its port once it is ready. */
async function startServerBinary(
  bin: string,
  dataDir: string,
  children: ChildProcess[],
): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      bin,
      'server',
      '--disable-agent',
      '--data-dir',
      dataDir,
      '--https-listen-port',
      '0',
      '--bind-address',
      '127.0.0.1',
      '--write-kubeconfig',
      path.join(dataDir, 'kubeconfig.yaml'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 60_000);
    child.stderr!.on('data', (d) => {
      log += d;
      const m = /"port":(\d+).*"msg":"API server ready"/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log}`));
    });
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
