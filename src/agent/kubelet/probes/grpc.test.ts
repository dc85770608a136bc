import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { type HealthRequest, type HealthResponse, healthService } from './grpc.ts';
import { runProbe } from './run.ts';
import { freePort, target } from './testing.ts';

describe('grpc probe', () => {
  let server: grpc.Server;
  let port: number;
  const statuses: Record<string, number> = { '': 1, down: 2 };
  before(async () => {
    server = new grpc.Server();
    server.addService(healthService, {
      Check: (
        call: grpc.ServerUnaryCall<HealthRequest, HealthResponse>,
        cb: grpc.sendUnaryData<HealthResponse>,
      ) => {
        const s = statuses[call.request.service];
        if (s === undefined) cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        else cb(null, { status: s });
      },
    });
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
  });
  after(() => server.forceShutdown());

  it('SERVING is success, NOT_SERVING and errors are failures', async () => {
    assert.deepEqual(await runProbe({ grpc: { port } }, target()), {
      result: 'success',
      message: 'service healthy',
    });
    assert.deepEqual(await runProbe({ grpc: { port, service: 'down' } }, target()), {
      result: 'failure',
      message: 'service unhealthy (responded with "NOT_SERVING")',
    });
    const missing = await runProbe({ grpc: { port, service: 'other' } }, target());
    assert.equal(missing.result, 'failure');
    assert.match(missing.message, /^error: health rpc probe failed: .*unknown service/);
  });

  it('fails to connect to a closed port within the timeout', async () => {
    const closed = await freePort();
    const r = await runProbe({ grpc: { port: closed }, timeoutSeconds: 1 }, target());
    assert.equal(r.result, 'failure');
    assert.match(
      r.message,
      new RegExp(`^timeout: failed to connect service "127.0.0.1:${closed}" within 1s`),
    );
  });

  it('says so when the server lacks the health service', async () => {
    const bare = new grpc.Server();
    const p = await new Promise<number>((resolve, reject) =>
      bare.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, x) =>
        e ? reject(e) : resolve(x),
      ),
    );
    try {
      const r = await runProbe({ grpc: { port: p } }, target());
      assert.match(r.message, /does not implement the grpc health protocol/);
    } finally {
      bare.forceShutdown();
    }
  });
});
