import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { KubeObject } from '../../api/object.ts';
import type { Registry } from '../../registry/registry.ts';
import type { Backend } from '../../storage/types.ts';
import { eventually, markPodReady, testRegistry } from '../util/testing.ts';
import { desiredAndExpected, type PodDisruptionBudget } from './budget.ts';
import { DisruptionController } from './controller.ts';

let registry: Registry;
let backend: Backend;
let controller: DisruptionController;

before(async () => {
  ({ registry, backend } = await testRegistry());
  controller = new DisruptionController(registry, pino({ level: 'silent' }));
  await controller.start();
});
after(async () => {
  controller.stop();
  await backend.close();
});

const pdbs = () => registry.byResource('policy', 'poddisruptionbudgets')!;

test('desiredAndExpected: ints, percentages and maxUnavailable as upstream', () => {
  const pdb = (spec: PodDisruptionBudget['spec']) => ({ metadata: {}, spec }) as PodDisruptionBudget;
  assert.deepEqual(
    desiredAndExpected(pdb({ minAvailable: 2 }), 3, () => 9),
    { desiredHealthy: 2, expectedCount: 3 },
  );
  assert.deepEqual(
    desiredAndExpected(pdb({ minAvailable: '50%' }), 3, () => 5),
    { desiredHealthy: 3, expectedCount: 5 },
  );
  assert.deepEqual(
    desiredAndExpected(pdb({ maxUnavailable: 1 }), 3, () => 4),
    { desiredHealthy: 3, expectedCount: 4 },
  );
  assert.deepEqual(
    desiredAndExpected(pdb({ maxUnavailable: '30%' }), 3, () => 4),
    { desiredHealthy: 2, expectedCount: 4 },
  );
});

async function makeReplicaSetPods(name: string, replicas: number, ready: number): Promise<void> {
  const rs = await registry.byResource('apps', 'replicasets')!.create('default', {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    },
  });
  for (let i = 0; i < replicas; i++) {
    const pod = await registry.byResource('', 'pods')!.create('default', {
      metadata: {
        name: `${name}-${i}`,
        labels: { app: name },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: rs.metadata.uid!, controller: true },
        ],
      },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    });
    if (i < ready) await markPodReady(registry, pod);
  }
}

test('status counts healthy pods against minAvailable and allows the difference', async () => {
  await makeReplicaSetPods('web', 3, 3);
  await pdbs().create('default', {
    metadata: { name: 'web' },
    spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
  });
  const pdb = await eventually(async () => {
    const p = (await pdbs().get('default', 'web')) as PodDisruptionBudget;
    return p.status?.observedGeneration === 1 && p;
  });
  const { conditions, ...counts } = pdb.status!;
  assert.deepEqual(counts, {
    observedGeneration: 1,
    disruptionsAllowed: 1,
    currentHealthy: 3,
    desiredHealthy: 2,
    expectedPods: 3,
  });
  assert.equal(conditions?.[0]?.type, 'DisruptionAllowed');
  assert.equal(conditions?.[0]?.status, 'True');
  assert.equal(conditions?.[0]?.reason, 'SufficientPods');
});

test('maxUnavailable as a percentage uses the controller scale; unready pods count against it', async () => {
  await makeReplicaSetPods('api', 4, 3);
  await pdbs().create('default', {
    metadata: { name: 'api' },
    spec: { maxUnavailable: '25%', selector: { matchLabels: { app: 'api' } } },
  });
  const pdb = await eventually(async () => {
    const p = (await pdbs().get('default', 'api')) as PodDisruptionBudget;
    return p.status?.observedGeneration === 1 && p;
  });
  assert.equal(pdb.status!.expectedPods, 4);
  assert.equal(pdb.status!.desiredHealthy, 3);
  assert.equal(pdb.status!.currentHealthy, 3);
  assert.equal(pdb.status!.disruptionsAllowed, 0);
  assert.equal(pdb.status!.conditions?.[0]?.reason, 'InsufficientPods');
});

test('pods without a controller make a percentage budget fail safe', async () => {
  await registry.byResource('', 'pods')!.create('default', {
    metadata: { name: 'lonely', labels: { app: 'lonely' } },
    spec: { containers: [{ name: 'c', image: 'i' }] },
  } as KubeObject);
  await pdbs().create('default', {
    metadata: { name: 'lonely' },
    spec: { minAvailable: '50%', selector: { matchLabels: { app: 'lonely' } } },
  });
  const pdb = await eventually(async () => {
    const p = (await pdbs().get('default', 'lonely')) as PodDisruptionBudget;
    return p.status?.conditions?.[0]?.reason === 'SyncFailed' && p;
  });
  assert.equal(pdb.status!.disruptionsAllowed, 0);
  assert.match(pdb.status!.conditions![0]!.message!, /found no controller ref for pod "lonely"/);
});
