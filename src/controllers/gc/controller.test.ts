import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { eventually, silent, testRegistry } from '../endpoints/testing.ts';
import { GarbageCollector } from './controller.ts';

const owned = (
  name: string,
  owner: KubeObject,
  block = false,
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject => ({
  metadata: {
    name,
    ownerReferences: [
      {
        apiVersion: owner.apiVersion ?? 'v1',
        kind: owner.kind ?? 'ConfigMap',
        name: owner.metadata.name!,
        uid: owner.metadata.uid!,
        blockOwnerDeletion: block,
      },
    ],
    ...extra,
  },
});

async function setup() {
  const registry = await testRegistry();
  const gc = new GarbageCollector(registry, silent);
  await gc.start();
  const cm = registry.byResource('', 'configmaps')!;
  const gone = (name: string) => async () => (await cm.get('default', name).catch(() => 'gone')) === 'gone';
  return { registry, gc, cm, gone };
}

test('background: dependents of a deleted owner go, across kinds and levels', async () => {
  const { registry, gc, cm, gone } = await setup();
  const owner = await cm.create('default', { metadata: { name: 'owner' } });
  const child = await cm.create('default', owned('child', owner));
  await cm.create('default', owned('grandchild', child));
  const secret = await registry.byResource('', 'secrets')!.create('default', owned('s', owner));
  const other = await cm.create('default', { metadata: { name: 'other' } });
  const shared = await cm.create('default', owned('shared', owner));
  await cm.guaranteedUpdate('default', 'shared', (cur) => ({
    ...cur!,
    metadata: {
      ...cur!.metadata,
      ownerReferences: [...cur!.metadata.ownerReferences!, owned('', other).metadata.ownerReferences![0]!],
    },
  }));
  await cm.delete('default', 'owner', { propagationPolicy: 'Background' });
  await eventually(gone('child'));
  await eventually(gone('grandchild'));
  await eventually(
    async () =>
      (await registry
        .byResource('', 'secrets')!
        .get('default', 's')
        .catch(() => 'gone')) === 'gone',
  );
  // Still owned by `other`: only the dangling reference goes.
  const kept = await eventually(async () => {
    const s = await cm.get('default', 'shared');
    return s.metadata.ownerReferences?.length === 1 ? s : undefined;
  });
  assert.equal(kept.metadata.ownerReferences![0]!.uid, other.metadata.uid);
  assert.ok(secret.metadata.uid && shared.metadata.uid);
  gc.stop();
  await registry.backend.close();
});

test('an object created with an owner that does not exist is collected', async () => {
  const { registry, gc, cm, gone } = await setup();
  await cm.create(
    'default',
    owned('stray', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ghost', uid: 'no-such-uid' } }),
  );
  await cm.create(
    'default',
    owned('unknown-kind', {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', uid: 'w-uid' },
    }),
  );
  await eventually(gone('stray'));
  await new Promise((r) => setTimeout(r, 100));
  await cm.get('default', 'unknown-kind');
  gc.stop();
  await registry.backend.close();
});

test('orphan: dependents stay without the reference, then the owner goes', async () => {
  const { registry, gc, cm, gone } = await setup();
  const owner = await cm.create('default', { metadata: { name: 'owner' } });
  await cm.create('default', owned('child', owner));
  const { deleted } = await cm.delete('default', 'owner', { propagationPolicy: 'Orphan' });
  assert.equal(deleted, false);
  await eventually(gone('owner'));
  const child = await cm.get('default', 'child');
  assert.equal(child.metadata.ownerReferences, undefined);
  gc.stop();
  await registry.backend.close();
});

test('foreground: blocking dependents go first, then the owner', async () => {
  const { registry, gc, cm, gone } = await setup();
  const owner = await cm.create('default', { metadata: { name: 'owner' } });
  const child = await cm.create('default', owned('child', owner, true, { finalizers: ['example.com/hold'] }));
  await cm.create('default', owned('grandchild', child, true));
  await cm.delete('default', 'owner', { propagationPolicy: 'Foreground' });
  // The child waits on its finalizer (and on its own dependent, deleted in the foreground).
  await eventually(gone('grandchild'));
  await eventually(async () => (await cm.get('default', 'child')).metadata.deletionTimestamp !== undefined);
  await new Promise((r) => setTimeout(r, 100));
  const waiting = await cm.get('default', 'owner');
  assert.deepEqual(waiting.metadata.finalizers, ['foregroundDeletion']);
  await cm.guaranteedUpdate('default', 'child', (cur) => ({
    ...cur!,
    metadata: {
      ...cur!.metadata,
      finalizers: cur!.metadata.finalizers!.filter((f) => f !== 'example.com/hold'),
    },
  }));
  await eventually(gone('child'));
  await eventually(gone('owner'));
  gc.stop();
  await registry.backend.close();
});

test('new resources are picked up by syncResources', async () => {
  const { registry, gc, gone } = await setup();
  const { defineResources } = await import('../../registry/resource.ts');
  const [info] = defineResources('example.com', 'v1', [{ kind: 'Widget' }]);
  const widgets = registry.add(info!);
  await gc.syncResources();
  const w = await widgets.create('default', {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w' },
  });
  const cm = registry.byResource('', 'configmaps')!;
  await cm.create('default', owned('of-widget', w));
  await widgets.create('default', owned('child-widget', w));
  await widgets.delete('default', 'w');
  await eventually(gone('of-widget'));
  await eventually(async () => (await widgets.get('default', 'child-widget').catch(() => 'gone')) === 'gone');
  gc.stop();
  await registry.backend.close();
});
