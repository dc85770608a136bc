import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import pino from 'pino';
import { Reflector, transient } from './reflector.ts';

const log = pino({ level: 'silent' });
const cm = (name: string, rv: string): V1ConfigMap => ({
  metadata: { namespace: 'default', name, resourceVersion: rv },
});

describe('Reflector', () => {
  let server: http.Server;
  const kc = new KubeConfig();
  before(async () => {
    // The watch: one ADDED event, then the stream stays open until the client goes.
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ADDED', object: cm('watched', '5') })}\n`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const make = (list: () => Promise<{ items: V1ConfigMap[]; metadata?: { resourceVersion?: string } }>) => {
    const seen: string[] = [];
    const r = new Reflector<V1ConfigMap>({
      kc,
      path: '/api/v1/configmaps',
      list,
      filter: () => true,
      upsert: (o) => seen.push(o.metadata!.name!),
      remove: () => {},
      log,
    });
    return { r, seen };
  };

  it('retries a first list lost to the network, then lists and watches', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let calls = 0;
    const { r, seen } = make(async () => {
      calls++;
      if (calls < 3) throw new TypeError('fetch failed', { cause: new Error('read ECONNRESET') });
      return { items: [cm('listed', '4')], metadata: { resourceVersion: '4' } };
    });
    const started = r.start();
    for (let i = 0; i < 50 && calls < 3; i++) {
      await new Promise((res) => setImmediate(res));
      t.mock.timers.tick(1000);
    }
    t.mock.timers.reset();
    await started;
    assert.equal(calls, 3);
    for (let i = 0; i < 100 && !seen.includes('watched'); i++)
      await new Promise((res) => setTimeout(res, 20));
    r.stop();
    assert.deepEqual(seen, ['listed', 'watched']);
  });

  it('fails the start on a first list the server refuses', async () => {
    const forbidden = Object.assign(new Error('HTTP-Code: 403 Message: forbidden'), { code: 403 });
    const { r } = make(async () => {
      throw forbidden;
    });
    await assert.rejects(r.start(), /forbidden/);
    r.stop();
  });

  it('fails the start when stopped before the first list came in', async () => {
    const { r } = make(async () => {
      throw new TypeError('fetch failed');
    });
    const started = r.start();
    r.stop();
    await assert.rejects(started, /stopped before \/api\/v1\/configmaps was listed/);
  });

  it('calls network failures, 429 and 5xx transient; other answers not', () => {
    assert.equal(transient(new TypeError('fetch failed')), true);
    assert.equal(transient({ code: 503 }), true);
    assert.equal(transient({ code: 429 }), true);
    assert.equal(transient({ code: 403 }), false);
    assert.equal(transient({ code: 404 }), false);
  });
});
