import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { openBackend } from '../../storage/index.ts';
import { Registry } from '../registry.ts';
import { serviceAllocation } from './index.ts';

const config = { serviceCidr: '10.43.0.0/16', apiServiceIp: '10.43.0.1', clusterDns: '10.43.0.10' };
const svc = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name },
  spec: { ports: [{ port: 80 }], selector: { app: name }, ...spec },
});
const tick = () => new Promise((r) => setTimeout(r, 20));

test('services get addresses at create, kept unique under concurrency and across restarts', async () => {
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  const registry = new Registry(backend);
  await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'default' } });
  const services = registry.byResource('', 'services')!;
  const first = await serviceAllocation(registry, config);
  const created = await Promise.all(
    Array.from({ length: 40 }, (_, i) => services.create('default', svc(`s${i}`, { type: 'NodePort' }))),
  );
  const ips = created.map((s) => (s.spec as { clusterIP: string }).clusterIP);
  const ports = created.map((s) => (s.spec as { ports: { nodePort: number }[] }).ports[0]!.nodePort);
  assert.equal(new Set(ips).size, 40);
  assert.equal(new Set(ports).size, 40);
  for (const ip of ips) assert.match(ip, /^10\.43\./);
  first.stop();

  // A new allocator (a restarted server) rebuilds its state from the stored Services.
  const second = await serviceAllocation(registry, config);
  await assert.rejects(
    services.create('default', svc('again', { type: 'NodePort', ports: [{ port: 80, nodePort: ports[0] }] })),
    (e) => isStatusError(e) && e.code === 422 && /provided port is already allocated/.test(e.message),
  );
  await assert.rejects(
    services.create('default', svc('ip', { clusterIP: ips[1], clusterIPs: [ips[1]] })),
    (e) => isStatusError(e) && /provided IP is already allocated/.test(e.message),
  );
  // Deleting releases; so does changing the type away from NodePort.
  await services.delete('default', 's0');
  await tick();
  const reused = await services.create(
    'default',
    svc('reuse', { type: 'NodePort', ports: [{ port: 80, nodePort: ports[0] }] }),
  );
  assert.equal((reused.spec as { ports: { nodePort: number }[] }).ports[0]!.nodePort, ports[0]);
  await services.guaranteedUpdate('default', 's1', (cur) => {
    const spec = cur!.spec as Record<string, unknown>;
    spec.type = 'ClusterIP';
    for (const p of spec.ports as Record<string, unknown>[]) delete p.nodePort;
    return cur!;
  });
  await tick();
  await services.create(
    'default',
    svc('takes', { type: 'NodePort', ports: [{ port: 80, nodePort: ports[1] }] }),
  );
  // The namespace lifecycle admission still runs first.
  await assert.rejects(services.create('missing', svc('x')), (e) => isStatusError(e) && e.code === 404);
  second.stop();
  await backend.close();
});

test('a dry run does not block the real create of the same Service', async () => {
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  const registry = new Registry(backend);
  await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'default' } });
  const services = registry.byResource('', 'services')!;
  const alloc = await serviceAllocation(registry, config);
  const wanted = { type: 'NodePort', clusterIP: '10.43.7.7', ports: [{ port: 80, nodePort: 31000 }] };
  await services.create('default', svc('web', wanted), { dryRun: true });
  const made = await services.create('default', svc('web', wanted));
  assert.equal((made.spec as { clusterIP: string }).clusterIP, '10.43.7.7');
  await assert.rejects(services.create('default', svc('other', wanted)));
  alloc.stop();
  await backend.close();
});
