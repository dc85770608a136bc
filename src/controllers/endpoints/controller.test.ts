import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { EndpointsController } from './controller.ts';
import { eventually, setPodStatus, silent, testPod, testRegistry } from './testing.ts';

test('Endpoints follow a Service and its pods', async () => {
  const registry = await testRegistry();
  const services = registry.byResource('', 'services')!;
  const pods = registry.byResource('', 'pods')!;
  const endpoints = registry.byResource('', 'endpoints')!;
  const ports = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }];
  await pods.create(
    'default',
    testPod('a', { app: 'web' }, { nodeName: 'n1', containers: [{ name: 'c', image: 'x', ports }] }),
  );
  await pods.create(
    'default',
    testPod('b', { app: 'web' }, { nodeName: 'n1', containers: [{ name: 'c', image: 'x', ports }] }),
  );
  await pods.create('default', testPod('other', { app: 'db' }, { nodeName: 'n1' }));
  await setPodStatus(registry, 'default', 'a', '10.42.0.5');
  await setPodStatus(registry, 'default', 'b', '10.42.0.6', false);
  await setPodStatus(registry, 'default', 'other', '10.42.0.7');
  await services.create('default', {
    metadata: { name: 'web', labels: { tier: 'front' } },
    spec: {
      clusterIP: '10.43.0.50',
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    },
  });
  await services.create('default', { metadata: { name: 'manual' }, spec: { ports: [{ port: 80 }] } });
  await endpoints.create('default', {
    metadata: { name: 'manual' },
    subsets: [{ addresses: [{ ip: '192.168.1.1' }], ports: [{ port: 80 }] }],
  });
  await endpoints.create('default', {
    metadata: { name: 'orphan' },
    subsets: [{ addresses: [{ ip: '192.168.1.2' }] }],
  });

  const controller = new EndpointsController(registry, silent);
  await controller.start();
  const ep = await eventually(async () => {
    const e = await endpoints.get('default', 'web').catch(() => undefined);
    return e?.subsets ? e : undefined;
  });
  assert.deepEqual(ep.metadata.labels, { tier: 'front' });
  assert.ok(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
  const subsets = ep.subsets as {
    addresses: { ip: string }[];
    notReadyAddresses: { ip: string }[];
    ports: unknown[];
  }[];
  assert.equal(subsets.length, 1);
  assert.deepEqual(
    subsets[0]!.addresses.map((a) => a.ip),
    ['10.42.0.5'],
  );
  assert.deepEqual(
    subsets[0]!.notReadyAddresses.map((a) => a.ip),
    ['10.42.0.6'],
  );
  assert.deepEqual(subsets[0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);

  // b turns ready; a is deleted.
  await setPodStatus(registry, 'default', 'b', '10.42.0.6', true);
  await pods.delete('default', 'a', { gracePeriodSeconds: 0 });
  await eventually(async () => {
    const e = await endpoints.get('default', 'web');
    const s = (e.subsets ?? []) as { addresses?: { ip: string }[]; notReadyAddresses?: unknown[] }[];
    return (
      s.length === 1 && s[0]!.addresses?.map((a) => a.ip).join() === '10.42.0.6' && !s[0]!.notReadyAddresses
    );
  });
  // Selector-less Services' Endpoints are left alone; Endpoints without a Service go.
  assert.equal(((await endpoints.get('default', 'manual')).subsets as KubeObject[]).length, 1);
  await eventually(async () => (await endpoints.get('default', 'orphan').catch(() => 'gone')) === 'gone');

  // A manual change to a managed Endpoints is put back; deleting the Service removes it.
  await endpoints.guaranteedUpdate('default', 'web', (cur) => ({ ...cur!, subsets: [] }));
  await eventually(
    async () => ((await endpoints.get('default', 'web')).subsets as unknown[] | undefined)?.length === 1,
  );
  await services.delete('default', 'web');
  await eventually(async () => (await endpoints.get('default', 'web').catch(() => 'gone')) === 'gone');
  controller.stop();
  await registry.backend.close();
});

test('headless Service gets the headless label and no-port addresses', async () => {
  const registry = await testRegistry();
  const pods = registry.byResource('', 'pods')!;
  await pods.create(
    'default',
    testPod('h0', { app: 'h' }, { nodeName: 'n1', hostname: 'h0', subdomain: 'h' }),
  );
  await setPodStatus(registry, 'default', 'h0', '10.42.1.2');
  await registry.byResource('', 'services')!.create('default', {
    metadata: { name: 'h' },
    spec: { clusterIP: 'None', selector: { app: 'h' } },
  });
  const controller = new EndpointsController(registry, silent);
  await controller.start();
  const ep = await eventually(() =>
    registry
      .byResource('', 'endpoints')!
      .get('default', 'h')
      .catch(() => undefined),
  );
  assert.deepEqual(ep.metadata.labels, { 'service.kubernetes.io/headless': '' });
  assert.deepEqual(ep.subsets, [
    {
      addresses: [
        {
          ip: '10.42.1.2',
          hostname: 'h0',
          nodeName: 'n1',
          targetRef: {
            kind: 'Pod',
            namespace: 'default',
            name: 'h0',
            uid: (await pods.get('default', 'h0')).metadata.uid,
          },
        },
      ],
    },
  ]);
  controller.stop();
  await registry.backend.close();
});
