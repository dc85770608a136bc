import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../api/object.ts';
import { Registry } from '../registry/registry.ts';
import { openBackend } from '../storage/index.ts';
import { claimCandidates, indexByNodeName, indexForClaims, onNode } from './indexes.ts';
import { Informer } from './informer.ts';
import { SharedInformerFactory, sharedInformers } from './shared.ts';

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond());
};

async function setup() {
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  const registry = new Registry(backend);
  await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'default' } });
  const cms = registry.byResource('', 'configmaps')!;
  return { backend, registry, cms };
}

test('handles share one informer, and each sees events only between its start and stop', async () => {
  const { backend, registry, cms } = await setup();
  const factory = sharedInformers(registry);
  assert.equal(sharedInformers(registry), factory);
  await cms.create('default', { metadata: { name: 'a' } });
  const a = factory.forStore(cms);
  const b = factory.forStore(cms);
  const seenA: string[] = [];
  const seenB: string[] = [];
  const objsA: KubeObject[] = [];
  const objsB: KubeObject[] = [];
  a.addHandler({
    add: (o) => {
      seenA.push(`add ${o.metadata.name}`);
      objsA.push(o);
    },
  });
  b.addHandler({
    add: (o) => {
      seenB.push(`add ${o.metadata.name}`);
      objsB.push(o);
    },
    delete: (o) => seenB.push(`delete ${o.metadata.name}`),
  });
  assert.equal(factory.running, 0);
  await a.start();
  assert.equal(factory.running, 1);
  assert.ok(a.hasSynced);
  assert.equal(b.hasSynced, false, 'b was not started');
  assert.deepEqual(seenA, ['add a']);
  assert.equal(seenB.length, 0, 'no events before start');
  await cms.create('default', { metadata: { name: 'b' } });
  await until(() => seenA.length === 2);
  // Started late: the cache replayed as adds, as a fresh informer's list would give.
  await b.start();
  assert.equal(factory.running, 1, 'still one informer');
  assert.ok(b.hasSynced);
  assert.deepEqual(seenB.sort(), ['add a', 'add b']);
  await cms.create('default', { metadata: { name: 'c' } });
  await until(() => seenA.length === 3 && seenB.length === 3);
  // One decode per event: both handles got the very same object.
  assert.equal(objsA.at(-1), objsB.at(-1));
  a.stop();
  assert.equal(a.hasSynced, false);
  await cms.delete('default', 'c');
  await until(() => seenB.includes('delete c'));
  await cms.create('default', { metadata: { name: 'd' } });
  await until(() => seenB.includes('add d'));
  assert.equal(seenA.length, 3, 'a heard nothing after stop');
  b.stop();
  assert.equal(factory.running, 0, 'the last stop stops the informer');
  // A later user gets a fresh informer that lists again.
  const c = factory.forStore(cms);
  await c.start();
  assert.deepEqual(
    c
      .list()
      .map((o) => o.metadata.name)
      .sort(),
    ['a', 'b', 'd'],
  );
  c.stop();
  await backend.close();
});

test('a namespace-scoped handle has its own informer', async () => {
  const { backend, registry, cms } = await setup();
  await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'other' } });
  await cms.create('default', { metadata: { name: 'a' } });
  await cms.create('other', { metadata: { name: 'b' } });
  const factory = new SharedInformerFactory();
  const all = factory.forStore(cms);
  const other = factory.forStore(cms, 'other');
  await Promise.all([all.start(), other.start()]);
  assert.equal(factory.running, 2);
  assert.equal(all.list().length, 2);
  assert.deepEqual(
    other.list().map((o) => o.metadata.name),
    ['b'],
  );
  all.stop();
  other.stop();
  await backend.close();
});

test('indexes follow creates, changes of the indexed fields and deletes', async () => {
  const { backend, registry } = await setup();
  const pods = registry.byResource('', 'pods')!;
  const handle = sharedInformers(registry).forStore(pods);
  indexForClaims(handle);
  indexByNodeName(handle);
  await handle.start();
  const pod = (name: string, extra: Record<string, unknown> = {}) => ({
    metadata: { name, ...extra },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  const owner = { metadata: { uid: 'owner-1', namespace: 'default' } } as KubeObject;
  const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'owner-1', controller: true };
  const other = { ...ref, uid: 'owner-2' };
  await pods.create('default', pod('owned', { ownerReferences: [ref] }));
  await pods.create('default', pod('orphan'));
  await pods.create('default', pod('theirs', { ownerReferences: [other] }));
  await pods.create('default', {
    ...pod('bound'),
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
  });
  await until(() => handle.list().length === 4);
  const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name).sort();
  assert.deepEqual(names(claimCandidates(handle, owner)), ['bound', 'orphan', 'owned']);
  assert.deepEqual(names(onNode(handle, 'n1')), ['bound']);
  assert.deepEqual(onNode(handle, 'n2'), []);
  await pods.guaranteedUpdate('default', 'orphan', (cur) => ({
    ...cur!,
    metadata: { ...cur!.metadata, ownerReferences: [other] },
  }));
  await until(() => claimCandidates(handle, owner).length === 2);
  assert.deepEqual(names(claimCandidates(handle, owner)), ['bound', 'owned']);
  await pods.delete('default', 'owned', { gracePeriodSeconds: 0 });
  await pods.delete('default', 'bound', { gracePeriodSeconds: 0 });
  await until(() => claimCandidates(handle, owner).length === 0);
  assert.deepEqual(onNode(handle, 'n1'), []);
  assert.throws(() => handle.byIndex('nope', 'x'), /no index "nope"/);
  handle.stop();
  await backend.close();
});

test('cached objects are frozen under test, and a throwing handler does not starve the others', async () => {
  const { backend, registry, cms } = await setup();
  const errors: unknown[] = [];
  const saved = Informer.onHandlerError;
  Informer.onHandlerError = (e) => errors.push(e);
  try {
    const handle = sharedInformers(registry).forStore(cms);
    const seen: string[] = [];
    handle.addHandler({
      add: (o) => {
        o.metadata.labels = { changed: 'yes' };
      },
    });
    handle.addHandler({ add: (o) => seen.push(o.metadata.name!) });
    await handle.start();
    await cms.create('default', { metadata: { name: 'x' } });
    await until(() => seen.length === 1);
    assert.ok(Object.isFrozen(handle.get('default/x')));
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof TypeError);
    assert.equal(handle.get('default/x')?.metadata.labels, undefined);
    handle.stop();
  } finally {
    Informer.onHandlerError = saved;
    await backend.close();
  }
});
