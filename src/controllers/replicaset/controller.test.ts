import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { KubeObject } from '../../api/object.ts';
import type { Registry } from '../../registry/registry.ts';
import type { Backend } from '../../storage/types.ts';
import { eventually, markPodReady, testRegistry } from '../util/testing.ts';
import type { ReplicaSet } from '../util/types.ts';
import { ReplicaSetController } from './controller.ts';

let registry: Registry;
let backend: Backend;
let controller: ReplicaSetController;

before(async () => {
  ({ registry, backend } = await testRegistry());
  controller = new ReplicaSetController(registry, pino({ level: 'silent' }));
  await controller.start();
});
after(async () => {
  controller.stop();
  await backend.close();
});

const pods = () => registry.byResource('', 'pods')!;
const replicaSets = () => registry.byResource('apps', 'replicasets')!;

function rsObject(name: string, replicas: number, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  };
}

async function podsOf(rs: string): Promise<KubeObject[]> {
  const { items } = await pods().list('default');
  return items.filter((p) => p.metadata.ownerReferences?.some((r) => r.name === rs && r.controller));
}

test('creates the replicas with a controller reference, then reports them ready', async () => {
  const created = await replicaSets().create('default', rsObject('web', 3, { app: 'web' }));
  const owned = await eventually(async () => {
    const p = await podsOf('web');
    return p.length === 3 && p;
  });
  for (const p of owned) {
    assert.match(p.metadata.name!, /^web-[a-z0-9]{5}$/);
    assert.deepEqual(p.metadata.ownerReferences, [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web',
        uid: created.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    await markPodReady(registry, p);
  }
  const rs = await eventually(async () => {
    const r = (await replicaSets().get('default', 'web')) as ReplicaSet;
    return r.status?.availableReplicas === 3 && r;
  });
  assert.deepEqual(rs.status, {
    replicas: 3,
    fullyLabeledReplicas: 3,
    readyReplicas: 3,
    availableReplicas: 3,
    observedGeneration: 1,
  });
  const { items: events } = await registry.byResource('', 'events')!.list('default');
  const messages = events.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message);
  assert.equal(messages.length, 3);
  for (const p of owned) assert.ok(messages.includes(`Created pod: ${p.metadata.name}`));
});

test('scaling down deletes not-ready pods before ready ones', async () => {
  await replicaSets().create('default', rsObject('api', 3, { app: 'api' }));
  const three = await eventually(async () => {
    const p = await podsOf('api');
    return p.length === 3 && p;
  });
  await markPodReady(registry, three[0]!);
  await markPodReady(registry, three[1]!);
  await eventually(
    async () => ((await replicaSets().get('default', 'api')) as ReplicaSet).status?.readyReplicas === 2,
  );
  await replicaSets().guaranteedUpdate('default', 'api', (cur) => ({
    ...cur!,
    spec: { ...(cur!.spec as object), replicas: 2 },
  }));
  const left = await eventually(async () => {
    const p = await podsOf('api');
    return p.length === 2 && p;
  });
  assert.deepEqual(
    left.map((p) => p.metadata.name).sort(),
    [three[0]!, three[1]!].map((p) => p.metadata.name).sort(),
  );
  const { items: events } = await registry.byResource('', 'events')!.list('default');
  assert.ok(
    events.some(
      (e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted pod: ${three[2]!.metadata.name}`,
    ),
  );
});

test('adopts a matching orphan and releases a pod whose labels stop matching', async () => {
  const orphan = await pods().create('default', {
    metadata: { name: 'stray', labels: { app: 'db' } },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  await replicaSets().create('default', rsObject('db', 1, { app: 'db' }));
  const adopted = await eventually(async () => {
    const p = await pods().get('default', 'stray');
    return p.metadata.ownerReferences?.[0]?.name === 'db' && p;
  });
  assert.equal(adopted.metadata.uid, orphan.metadata.uid);
  // It counts toward the one replica: nothing else is created.
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await podsOf('db')).length, 1);
  await pods().guaranteedUpdate('default', 'stray', (cur) => ({
    ...cur!,
    metadata: { ...cur!.metadata, labels: { app: 'other' } },
  }));
  await eventually(async () => !(await pods().get('default', 'stray')).metadata.ownerReferences);
  await eventually(async () => (await podsOf('db')).length === 1);
});

test('expectations stop a second sync from creating again before the informer catches up', async () => {
  const key = 'default/web';
  controller.expectations.expectCreations(key, 2);
  assert.equal(controller.expectations.satisfied(key), false);
  controller.expectations.creationObserved(key);
  controller.expectations.creationObserved(key);
  assert.equal(controller.expectations.satisfied(key), true);
});
