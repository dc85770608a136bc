import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { KubeObject } from '../../api/object.ts';
import type { Registry } from '../../registry/registry.ts';
import type { Backend } from '../../storage/types.ts';
import { eventually, FakeKubelet, testRegistry } from '../util/testing.ts';
import { StatefulSetController } from './controller.ts';
import type { StatefulSet } from './identity.ts';

let registry: Registry;
let backend: Backend;
let controller: StatefulSetController;
let kubelet: FakeKubelet;

before(async () => {
  ({ registry, backend } = await testRegistry());
  controller = new StatefulSetController(registry, pino({ level: 'silent' }));
  kubelet = new FakeKubelet(registry, 30);
  await controller.start();
  await kubelet.start();
});
after(async () => {
  kubelet.stop();
  controller.stop();
  await backend.close();
});

const pods = () => registry.byResource('', 'pods')!;
const sets = () => registry.byResource('apps', 'statefulsets')!;

function setObject(name: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
      },
      ...extra,
    },
  };
}

async function podsOf(name: string): Promise<KubeObject[]> {
  const { items } = await pods().list('default');
  return items
    .filter((p) => p.metadata.ownerReferences?.some((r) => r.name === name && r.kind === 'StatefulSet'))
    .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
}

const getSet = async (name: string) => (await sets().get('default', name)) as StatefulSet;

test('OrderedReady creates pods in order, each with its claim, and reports status', async () => {
  const creations: string[] = [];
  const watcher = setInterval(async () => {
    for (const p of await podsOf('web'))
      if (!creations.includes(p.metadata.name!)) creations.push(p.metadata.name!);
  }, 5);
  kubelet.hold = (p) => p.metadata.name === 'web-1';
  await sets().create(
    'default',
    setObject('web', 3, {
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
    }),
  );
  await eventually(async () => (await podsOf('web')).length === 2);
  // web-1 is held not ready: web-2 must wait.
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(
    (await podsOf('web')).map((p) => p.metadata.name),
    ['web-0', 'web-1'],
  );
  kubelet.hold = () => false;
  kubelet.release();
  const set = await eventually(async () => {
    const s = await getSet('web');
    return s.status?.readyReplicas === 3 && s.status.availableReplicas === 3 && s;
  });
  clearInterval(watcher);
  assert.deepEqual(creations, ['web-0', 'web-1', 'web-2']);
  const web1 = await pods().get('default', 'web-1');
  assert.equal(web1.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-1');
  assert.equal(web1.metadata.labels?.['apps.kubernetes.io/pod-index'], '1');
  assert.equal(web1.metadata.labels?.['controller-revision-hash'], set.status?.updateRevision);
  const spec = web1.spec as { hostname: string; subdomain: string; volumes: KubeObject[] };
  assert.equal(spec.hostname, 'web-1');
  assert.equal(spec.subdomain, 'web');
  assert.deepEqual(
    spec.volumes.find((v) => (v as unknown as { name: string }).name === 'data'),
    { name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } },
  );
  const claims = await registry.byResource('', 'persistentvolumeclaims')!.list('default');
  assert.deepEqual(claims.items.map((c) => c.metadata.name).sort(), [
    'data-web-0',
    'data-web-1',
    'data-web-2',
  ]);
  assert.equal(claims.items[0]!.metadata.labels?.app, 'web');
  assert.match(set.status!.updateRevision!, /^web-[a-z0-9]+$/);
  assert.equal(set.status!.currentRevision, set.status!.updateRevision);
  assert.equal(set.status!.currentReplicas, 3);
  assert.equal(set.status!.updatedReplicas, 3);
  assert.equal(set.status!.observedGeneration, 1);
  const revs = await registry.byResource('apps', 'controllerrevisions')!.list('default');
  const rev = revs.items.find((r) => r.metadata.name === set.status!.updateRevision) as KubeObject & {
    revision: number;
  };
  assert.equal(rev.revision, 1);
});

test('scaling down removes pods from the highest ordinal, one at a time', async () => {
  const seen: string[][] = [];
  await sets().guaranteedUpdate('default', 'web', (cur) => ({
    ...cur!,
    spec: { ...(cur!.spec as object), replicas: 1 },
  }));
  await eventually(async () => {
    const names = (await podsOf('web')).map((p) => p.metadata.name!);
    seen.push(names);
    return names.length === 1 && names[0] === 'web-0';
  });
  // web-1 never goes while web-2 remains.
  for (const names of seen) assert.ok(!(names.includes('web-2') && !names.includes('web-1')), String(names));
  await eventually(async () => (await getSet('web')).status?.replicas === 1);
  // Claims are retained by default.
  const claims = await registry.byResource('', 'persistentvolumeclaims')!.list('default');
  assert.equal(claims.items.length, 3);
});

test('a rolling update with a partition updates only the ordinals at or above it', async () => {
  await sets().create(
    'default',
    setObject('db', 3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }),
  );
  const first = await eventually(async () => {
    const s = await getSet('db');
    return s.status?.readyReplicas === 3 && s;
  });
  const oldRevision = first.status!.updateRevision!;
  await sets().guaranteedUpdate('default', 'db', (cur) => {
    const spec = structuredClone(cur!.spec) as StatefulSet['spec'];
    (spec.template!.spec!.containers as { image: string }[])[0]!.image = 'nginx:2';
    return { ...cur!, spec };
  });
  const done = await eventually(async () => {
    const s = await getSet('db');
    return s.status?.updatedReplicas === 2 && s.status.readyReplicas === 3 && s;
  }, 10000);
  assert.notEqual(done.status!.updateRevision, oldRevision);
  assert.equal(done.status!.currentRevision, oldRevision);
  const byName = Object.fromEntries((await podsOf('db')).map((p) => [p.metadata.name, p]));
  const image = (p: KubeObject | undefined) =>
    (p!.spec as { containers: { image: string }[] }).containers[0]!.image;
  assert.equal(image(byName['db-0']), 'nginx:1');
  assert.equal(image(byName['db-1']), 'nginx:2');
  assert.equal(image(byName['db-2']), 'nginx:2');
  assert.equal(byName['db-0']!.metadata.labels?.['controller-revision-hash'], oldRevision);
  // Dropping the partition finishes the rollout and makes the update revision current.
  await sets().guaranteedUpdate('default', 'db', (cur) => {
    const spec = structuredClone(cur!.spec) as StatefulSet['spec'];
    spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    return { ...cur!, spec };
  });
  const final = await eventually(async () => {
    const s = await getSet('db');
    return s.status?.currentRevision === s.status?.updateRevision && s.status?.updatedReplicas === 3 && s;
  }, 10000);
  assert.equal(final.status!.currentReplicas, 3);
});

test('Parallel creates every pod without waiting', async () => {
  kubelet.hold = (p) => p.metadata.name?.startsWith('par-') ?? false;
  await sets().create('default', setObject('par', 3, { podManagementPolicy: 'Parallel' }));
  await eventually(async () => (await podsOf('par')).length === 3);
  kubelet.hold = () => false;
});
