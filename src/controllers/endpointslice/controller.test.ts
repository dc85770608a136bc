import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { eventually, setPodStatus, silent, testPod, testRegistry } from '../endpoints/testing.ts';
import { EndpointSliceController } from './controller.ts';
import { EndpointSliceMirroringController } from './mirroring.ts';

type Slice = KubeObject & {
  addressType: string;
  endpoints: { addresses: string[]; conditions: Record<string, boolean>; nodeName?: string; zone?: string }[];
  ports?: { name: string; port: number; protocol: string }[];
};

test('EndpointSlices for a Service: placeholder, endpoints with conditions, owner, cleanup', async () => {
  const registry = await testRegistry();
  const services = registry.byResource('', 'services')!;
  const pods = registry.byResource('', 'pods')!;
  const slices = registry.byResource('discovery.k8s.io', 'endpointslices')!;
  await registry.byResource('', 'nodes')!.create(undefined, {
    metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z1' } },
  });
  const svc = await services.create('default', {
    metadata: { name: 'web', labels: { team: 'a' } },
    spec: {
      clusterIP: '10.43.0.60',
      ipFamilies: ['IPv4'],
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    },
  });
  const controller = new EndpointSliceController(registry, silent);
  await controller.start();
  const list = async () => (await slices.list('default')).items as Slice[];
  const [placeholder] = await eventually(async () => {
    const l = await list();
    return l.length === 1 ? l : undefined;
  });
  assert.equal(placeholder!.metadata.generateName, 'web-');
  assert.deepEqual(placeholder!.endpoints, []);
  assert.deepEqual(placeholder!.metadata.labels, {
    team: 'a',
    'kubernetes.io/service-name': 'web',
    'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
  });
  assert.deepEqual(placeholder!.metadata.ownerReferences, [
    {
      apiVersion: 'v1',
      kind: 'Service',
      name: 'web',
      uid: svc.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);

  await pods.create('default', testPod('a', { app: 'web' }, { nodeName: 'n1' }));
  await pods.create('default', testPod('b', { app: 'web' }, { nodeName: 'n1' }));
  await pods.create('default', testPod('lost', { app: 'web' }, { nodeName: 'gone' }));
  await setPodStatus(registry, 'default', 'a', '10.42.0.5');
  await setPodStatus(registry, 'default', 'b', '10.42.0.6', false);
  await setPodStatus(registry, 'default', 'lost', '10.42.0.7');
  const filled = await eventually(async () => {
    const l = await list();
    return l.length === 1 && l[0]!.endpoints.length === 2 ? l[0] : undefined;
  });
  assert.equal(filled!.metadata.name, placeholder!.metadata.name, 'the placeholder is reused');
  assert.deepEqual(filled!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  const byIP = Object.fromEntries(filled!.endpoints.map((e) => [e.addresses[0], e]));
  assert.deepEqual(byIP['10.42.0.5']!.conditions, { ready: true, serving: true, terminating: false });
  assert.deepEqual(byIP['10.42.0.6']!.conditions, { ready: false, serving: false, terminating: false });
  assert.equal(byIP['10.42.0.5']!.zone, 'z1');
  assert.ok(filled!.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);

  // A terminating pod stays, as terminating and not ready.
  const term = (await pods.delete('default', 'a')).object;
  assert.ok(term.metadata.deletionTimestamp);
  await eventually(async () => {
    const e = (await list())[0]!.endpoints.find((x) => x.addresses[0] === '10.42.0.5');
    return (
      e?.conditions.terminating === true && e.conditions.ready === false && e.conditions.serving === true
    );
  });
  controller.stop();
  await registry.backend.close();
});

test('more than 100 endpoints spread over slices', async () => {
  const registry = await testRegistry();
  await registry.byResource('', 'nodes')!.create(undefined, { metadata: { name: 'n1' } });
  const pods = registry.byResource('', 'pods')!;
  for (let i = 0; i < 130; i++) {
    await pods.create('default', testPod(`p${i}`, { app: 'big' }, { nodeName: 'n1' }));
    await setPodStatus(registry, 'default', `p${i}`, `10.42.${Math.floor(i / 200)}.${(i % 200) + 1}`);
  }
  await registry.byResource('', 'services')!.create('default', {
    metadata: { name: 'big' },
    spec: { clusterIP: '10.43.0.61', ipFamilies: ['IPv4'], selector: { app: 'big' }, ports: [{ port: 80 }] },
  });
  const controller = new EndpointSliceController(registry, silent);
  await controller.start();
  const slices = registry.byResource('discovery.k8s.io', 'endpointslices')!;
  const sizes = await eventually(async () => {
    const l = (await slices.list('default')).items as Slice[];
    const n = l.map((s) => s.endpoints.length).sort((a, b) => b - a);
    return n.reduce((a, b) => a + b, 0) === 130 ? n : undefined;
  });
  assert.deepEqual(sizes, [100, 30]);
  controller.stop();
  await registry.backend.close();
});

test('mirroring: the kubernetes slice and selector-less Services', async () => {
  const registry = await testRegistry();
  const endpoints = registry.byResource('', 'endpoints')!;
  const services = registry.byResource('', 'services')!;
  const slices = registry.byResource('discovery.k8s.io', 'endpointslices')!;
  await services.create('default', {
    metadata: { name: 'kubernetes' },
    spec: { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443, targetPort: 6443 }] },
  });
  await endpoints.create('default', {
    metadata: { name: 'kubernetes', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [
      { addresses: [{ ip: '192.168.5.1' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
    ],
  });
  await services.create('default', {
    metadata: { name: 'ext' },
    spec: { clusterIP: '10.43.0.62', ports: [{ port: 80 }] },
  });
  await endpoints.create('default', {
    metadata: { name: 'ext', labels: { x: 'y' } },
    subsets: [
      {
        addresses: [{ ip: '192.168.5.2' }],
        notReadyAddresses: [{ ip: '192.168.5.3' }],
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    ],
  });
  const controller = new EndpointSliceMirroringController(registry, silent);
  await controller.start();
  const k = (await eventually(() => slices.get('default', 'kubernetes').catch(() => undefined))) as Slice;
  assert.deepEqual(k.metadata.labels, { 'kubernetes.io/service-name': 'kubernetes' });
  assert.deepEqual(k.endpoints, [{ addresses: ['192.168.5.1'], conditions: { ready: true } }]);
  assert.deepEqual(k.ports, [{ name: 'https', port: 6443, protocol: 'TCP' }]);
  const mirrored = await eventually(async () => {
    const l = ((await slices.list('default')).items as Slice[]).filter(
      (s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'ext',
    );
    return l.length === 1 ? l[0] : undefined;
  });
  assert.equal(
    mirrored!.metadata.labels?.['endpointslice.kubernetes.io/managed-by'],
    'endpointslicemirroring-controller.k8s.io',
  );
  assert.equal(mirrored!.metadata.labels?.x, 'y');
  assert.deepEqual(
    mirrored!.endpoints.map((e) => [e.addresses[0], e.conditions.ready]),
    [
      ['192.168.5.2', true],
      ['192.168.5.3', false],
    ],
  );
  assert.equal(mirrored!.metadata.ownerReferences?.[0]?.kind, 'Endpoints');
  // Changes follow; the kubernetes slice tracks its Endpoints.
  await endpoints.guaranteedUpdate('default', 'kubernetes', (cur) => ({
    ...cur!,
    subsets: [
      { addresses: [{ ip: '192.168.5.9' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
    ],
  }));
  await eventually(
    async () =>
      ((await slices.get('default', 'kubernetes')) as Slice).endpoints[0]!.addresses[0] === '192.168.5.9',
  );
  controller.stop();
  await registry.backend.close();
});
