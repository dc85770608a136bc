import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { eventually, silent, testRegistry } from '../endpoints/testing.ts';
import { ingressFor, ServiceLbController } from './controller.ts';

const node = (name: string, ip: string, ready = true): KubeObject => ({
  metadata: { name },
  status: {
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    addresses: [
      { type: 'InternalIP', address: ip },
      { type: 'Hostname', address: name },
    ],
  },
});

const service = (name: string, spec: Record<string, unknown>): KubeObject => ({
  metadata: { name },
  spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec },
});

test('ingress: InternalIPs of Ready nodes only, sorted, once each', () => {
  assert.deepEqual(
    ingressFor([
      node('b', '10.0.0.2'),
      node('a', '10.0.0.1'),
      node('c', '10.0.0.3', false),
      node('d', '10.0.0.1'),
    ]),
    [
      { ip: '10.0.0.1', ipMode: 'VIP' },
      { ip: '10.0.0.2', ipMode: 'VIP' },
    ],
  );
  assert.deepEqual(ingressFor([]), []);
});

test('LoadBalancer Services follow the Ready nodes; classed and other Services are left alone', async () => {
  const registry = await testRegistry();
  const nodes = registry.byResource('', 'nodes')!;
  const services = registry.byResource('', 'services')!;
  const setNode = async (n: KubeObject) => {
    try {
      await nodes.create(undefined, { metadata: n.metadata });
    } catch {}
    await nodes.guaranteedUpdate(undefined, n.metadata.name!, (cur) => ({ ...cur!, status: n.status }), {
      subresource: 'status',
    });
  };
  await setNode(node('a', '10.0.0.1'));
  await services.create('default', service('before', { type: 'LoadBalancer' }));
  const controller = new ServiceLbController(registry, silent);
  await controller.start();
  await services.create('default', service('lb', { type: 'LoadBalancer' }));
  await services.create(
    'default',
    service('classed', { type: 'LoadBalancer', loadBalancerClass: 'example.com/lb' }),
  );
  await services.create('default', service('plain', { type: 'ClusterIP' }));

  const ingressOf = async (name: string) => {
    const s = await services.get('default', name);
    return ((s.status as { loadBalancer?: { ingress?: unknown } } | undefined)?.loadBalancer?.ingress ??
      []) as {
      ip: string;
    }[];
  };
  const ips = async (name: string) => (await ingressOf(name)).map((i) => i.ip).join(',');
  const waitFor = (name: string, want: string) => eventually(async () => (await ips(name)) === want);

  await waitFor('before', '10.0.0.1');
  await waitFor('lb', '10.0.0.1');
  assert.deepEqual(await ingressOf('lb'), [{ ip: '10.0.0.1', ipMode: 'VIP' }]);

  // A node joins, another turns NotReady, one is deleted.
  await setNode(node('b', '10.0.0.2'));
  await waitFor('lb', '10.0.0.1,10.0.0.2');
  await waitFor('before', '10.0.0.1,10.0.0.2');
  await setNode(node('a', '10.0.0.1', false));
  await waitFor('lb', '10.0.0.2');
  await setNode(node('a', '10.0.0.1'));
  await waitFor('lb', '10.0.0.1,10.0.0.2');
  await nodes.delete(undefined, 'b');
  await waitFor('lb', '10.0.0.1');

  // Never touched: a Service with a loadBalancerClass, and a ClusterIP one.
  assert.equal(await ips('classed'), '');
  assert.equal(await ips('plain'), '');

  // A Service that stops being a LoadBalancer loses its ingress.
  await services.guaranteedUpdate('default', 'before', (cur) => ({
    ...cur!,
    spec: { ...(cur!.spec as object), type: 'ClusterIP' },
  }));
  await waitFor('before', '');

  // Someone else's status write is put right again.
  await services.guaranteedUpdate(
    'default',
    'lb',
    (cur) => ({ ...cur!, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } }),
    { subresource: 'status' },
  );
  await waitFor('lb', '10.0.0.1');
  controller.stop();
  await registry.backend.close();
});
