import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { statsPath, statsRoute } from '../../agent/stats/route.ts';
import type { Summary } from '../../agent/stats/types.ts';
import { type StreamingServer, startStreamingServer } from '../../agent/streaming/server.ts';
import { APISERVER_KUBELET_CLIENT_CN, ensureApiserverClientCert } from '../../pki/apiserver-client.ts';
import { ensureServerPki } from '../../pki/index.ts';
import { issueCertificate } from '../../pki/issue.ts';
import { Registry } from '../../registry/registry.ts';
import { openBackend } from '../../storage/index.ts';
import { kubeletSummaryFetcher } from './fetch-summary.ts';

const summary: Summary = {
  node: { name: 'n1', cpu: { usageNanoCores: 5 }, memory: { workingSetBytes: 4096 } },
  pods: [],
  timestamp: '2026-11-23T19:00:00.000Z',
  windowSeconds: 1,
};

describe('GET /stats/skiff from the agent endpoint to the API server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-fetch-'));
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  const registry = new Registry(backend);
  let agent: StreamingServer;
  let fetchSummary: ReturnType<typeof kubeletSummaryFetcher>;
  let failing = false;

  before(async () => {
    const pki = await ensureServerPki(join(dir, 'tls'), { sans: { dns: ['localhost'], ips: ['127.0.0.1'] } });
    const client = await ensureApiserverClientCert(join(dir, 'tls'), pki);
    const serving = await issueCertificate(
      { certPem: pki.serverCaPem, keyPem: pki.serverCaKeyPem },
      { commonName: 'n1', usage: 'server', sans: { dns: ['n1'], ips: ['127.0.0.1'] }, days: 1 },
    );
    agent = await startStreamingServer({
      host: '127.0.0.1',
      port: 0,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: pki.clientCaPem },
      allowedUsers: [APISERVER_KUBELET_CLIENT_CN],
      runtime: {} as never,
      log: pino({ level: 'silent' }),
    });
    agent.addRoute(
      'GET',
      statsPath,
      statsRoute(async () => {
        if (failing) throw Object.assign(new Error('14 UNAVAILABLE'), { details: 'containerd is down' });
        return summary;
      }),
    );
    const nodes = registry.byResource('', 'nodes')!;
    const address = { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] };
    await nodes.create(undefined, {
      metadata: { name: 'n1' },
      status: { ...address, daemonEndpoints: { kubeletEndpoint: { Port: agent.port } } },
    });
    await nodes.create(undefined, { metadata: { name: 'no-endpoint' }, status: address });
    fetchSummary = kubeletSummaryFetcher({
      registry,
      clientCertPem: client.certPem,
      clientKeyPem: client.keyPem,
      serverCaPem: pki.serverCaPem,
    });
  });
  after(async () => {
    await agent?.close();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fetches the summary over mutual TLS', async () => {
    assert.deepEqual(await fetchSummary('n1'), summary);
  });

  it('no node or no endpoint: undefined; a runtime failure: a rejection with the reason', async () => {
    assert.equal(await fetchSummary('missing'), undefined);
    assert.equal(await fetchSummary('no-endpoint'), undefined);
    failing = true;
    try {
      await assert.rejects(fetchSummary('n1'), /503: .*stats unavailable: containerd is down/);
    } finally {
      failing = false;
    }
  });
});
