import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { type HookContext, runHandler } from './hooks.ts';
import type { ExecInContainer } from './probes/types.ts';

const pod: V1Pod = { metadata: { name: 'web', namespace: 'default', uid: 'u-1' } };

function ctx(exec?: ExecInContainer, timeoutSeconds = 5): HookContext {
  return {
    pod,
    container: { name: 'c', ports: [{ name: 'http', containerPort: 1 }] },
    containerId: 'cid',
    podIp: '127.0.0.1',
    exec: exec ?? (async () => ({ exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) })),
    timeoutSeconds,
  };
}

describe('lifecycle hooks', () => {
  let server: http.Server;
  let port: number;
  const paths: { url: string; ua: string }[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      paths.push({ url: req.url ?? '', ua: req.headers['user-agent'] ?? '' });
      res.statusCode = req.url === '/fail' ? 500 : 200;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  it('exec: exit 0 is ok; other exits give upstream text with the output', async () => {
    const calls: string[][] = [];
    const exec: ExecInContainer = async (_id, cmd) => {
      calls.push(cmd);
      return cmd[2] === 'exit 0'
        ? { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }
        : { exitCode: 3, stdout: Buffer.from('out'), stderr: Buffer.from('err') };
    };
    assert.deepEqual(await runHandler({ exec: { command: ['sh', '-c', 'exit 0'] } }, ctx(exec)), {
      ok: true,
    });
    const r = await runHandler({ exec: { command: ['sh', '-c', 'exit 3'] } }, ctx(exec));
    assert.deepEqual(r, {
      ok: false,
      message:
        'Exec lifecycle hook ([sh -c exit 3]) for Container "c" in Pod "web_default(u-1)" failed - error: command \'sh -c exit 3\' exited with 3: , message: "outerr"',
    });
    assert.equal(calls.length, 2);
  });

  it('exec: a command that never returns is cut off at the timeout', async () => {
    const r = await runHandler(
      { exec: { command: ['sleep', '100'] } },
      ctx(() => new Promise(() => {}), 1),
    );
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /timed out after 1s/);
  });

  it('httpGet: any answer is ok (upstream does not judge the status); no answer fails', async () => {
    assert.deepEqual(await runHandler({ httpGet: { port, path: '/hook' } }, ctx()), { ok: true });
    assert.deepEqual(await runHandler({ httpGet: { port, path: '/fail' } }, ctx()), { ok: true });
    assert.deepEqual(
      paths.map((p) => p.url),
      ['/hook', '/fail'],
    );
    assert.equal(paths[0]!.ua, 'kube-lifecycle/1.32');
    const bad = await runHandler({ httpGet: { port: 'nope', path: '/x' } }, ctx());
    assert.deepEqual(bad, {
      ok: false,
      message:
        'HTTP lifecycle hook (/x) for Container "c" in Pod "web_default(u-1)" failed - error: couldn\'t find port: nope in container c (ports [http:1])',
    });
    const refused = await runHandler({ httpGet: { port: 'http', path: '/x' } }, ctx());
    assert.equal(refused.ok, false);
    assert.match((refused as { message: string }).message, /connect: connection refused/);
  });

  it('sleep: waits the given seconds, bounded by the timeout', async () => {
    const t0 = Date.now();
    assert.deepEqual(await runHandler({ sleep: { seconds: 1 } }, ctx()), { ok: true });
    assert.ok(Date.now() - t0 >= 990);
    const t1 = Date.now();
    assert.deepEqual(await runHandler({ sleep: { seconds: 30 } }, ctx(undefined, 0.2)), { ok: true });
    assert.ok(Date.now() - t1 < 1000);
  });

  it('an empty handler is an error, not a crash', async () => {
    const r = await runHandler({}, ctx());
    assert.equal(r.ok, false);
  });
});
