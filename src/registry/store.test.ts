import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../api/object.ts';
import { isStatusError } from '../api/status.ts';
import { openBackend } from '../storage/index.ts';
import { Registry } from './registry.ts';

async function setup() {
  const registry = new Registry(openBackend('memory:', { compactIntervalMs: 0 }));
  const ns = registry.byResource('', 'namespaces')!;
  await ns.create(undefined, { metadata: { name: 'default' } });
  return {
    registry,
    cm: registry.byResource('', 'configmaps')!,
    deploy: registry.byResource('apps', 'deployments')!,
    ns,
  };
}

const status = (reason: string, code: number) => (e: unknown) =>
  isStatusError(e) && e.reason === reason && e.code === code;

test('create fills system metadata and refuses duplicates and bad names', async () => {
  const { cm } = await setup();
  const a = await cm.create('default', { metadata: { generateName: 'cfg-' }, data: { x: '1' } });
  assert.match(a.metadata.name!, /^cfg-[a-z0-9]{5}$/);
  assert.equal(a.kind, 'ConfigMap');
  assert.equal(a.apiVersion, 'v1');
  assert.equal(a.metadata.namespace, 'default');
  assert.match(a.metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  await assert.rejects(
    cm.create('default', { metadata: { name: a.metadata.name! } }),
    status('AlreadyExists', 409),
  );
  await assert.rejects(cm.create('default', { metadata: { name: 'Bad_Name' } }), (e) => {
    assert.ok(isStatusError(e) && e.code === 422);
    assert.equal(e.details?.causes?.[0]?.field, 'metadata.name');
    return true;
  });
  await assert.rejects(cm.create('nowhere', { metadata: { name: 'x' } }), status('NotFound', 404));
});

test('updates: stale resourceVersion conflicts, unconditional ones retry, no-ops keep the revision', async () => {
  const { cm } = await setup();
  const a = await cm.create('default', { metadata: { name: 'a' }, data: { x: '1' } });
  const change = (data: Record<string, string>, rv?: string) => (cur: KubeObject | undefined) => ({
    ...cur!,
    metadata: { ...cur!.metadata, ...(rv ? { resourceVersion: rv } : { resourceVersion: undefined }) },
    data,
  });
  const b = (await cm.guaranteedUpdate('default', 'a', change({ x: '2' }, a.metadata.resourceVersion)))
    .object;
  assert.notEqual(b.metadata.resourceVersion, a.metadata.resourceVersion);
  assert.equal(b.metadata.uid, a.metadata.uid);
  await assert.rejects(
    cm.guaranteedUpdate('default', 'a', change({ x: '3' }, a.metadata.resourceVersion)),
    status('Conflict', 409),
  );
  const same = (await cm.guaranteedUpdate('default', 'a', change({ x: '2' }))).object;
  assert.equal(same.metadata.resourceVersion, b.metadata.resourceVersion, 'a no-op update writes nothing');
});

test('status is kept out of main-resource writes, spec out of status writes; generation follows spec', async () => {
  const { deploy } = await setup();
  const template = {
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  };
  const spec = (replicas: number) => ({ replicas, selector: { matchLabels: { app: 'web' } }, template });
  const d = await deploy.create('default', {
    metadata: { name: 'web' },
    spec: spec(1),
    status: { replicas: 9 },
  });
  assert.equal(d.status, undefined);
  assert.equal(d.metadata.generation, 1);
  const s = await deploy.guaranteedUpdate(
    'default',
    'web',
    (cur) => ({ ...cur!, spec: { ...(cur!.spec as object), replicas: 5 }, status: { replicas: 1 } }),
    { subresource: 'status' },
  );
  assert.equal((s.object.spec as { replicas: number }).replicas, 1, 'a status write keeps the spec');
  assert.deepEqual(s.object.status, { replicas: 1 });
  assert.equal(s.object.metadata.generation, 1);
  const u = await deploy.guaranteedUpdate('default', 'web', (cur) => ({
    ...cur!,
    spec: { ...(cur!.spec as object), replicas: 3 },
    status: {},
  }));
  assert.deepEqual(u.object.status, { replicas: 1 });
  assert.equal(u.object.metadata.generation, 2);
});

test('finalizers hold a deleted object until the last one is removed', async () => {
  const { cm } = await setup();
  await cm.create('default', { metadata: { name: 'f', finalizers: ['example.com/hold'] } });
  const first = await cm.delete('default', 'f');
  assert.equal(first.deleted, false);
  assert.ok(first.object.metadata.deletionTimestamp);
  await cm.guaranteedUpdate('default', 'f', (cur) => ({
    ...cur!,
    metadata: { ...cur!.metadata, finalizers: [] },
  }));
  await assert.rejects(cm.get('default', 'f'), status('NotFound', 404));
});

test('a terminating namespace refuses new content; finalize lets it go', async () => {
  const { ns, cm } = await setup();
  await ns.create(undefined, { metadata: { name: 'doomed' } });
  const del = await ns.delete(undefined, 'doomed');
  assert.equal(del.deleted, false);
  assert.equal((del.object.status as { phase: string }).phase, 'Terminating');
  await assert.rejects(cm.create('doomed', { metadata: { name: 'x' } }), status('Forbidden', 403));
  await ns.guaranteedUpdate(undefined, 'doomed', (cur) => ({ ...cur!, spec: { finalizers: [] } }), {
    subresource: 'finalize',
  });
  await assert.rejects(ns.get(undefined, 'doomed'), status('NotFound', 404));
});

test('paginated lists hold their revision and filter without losing items', async () => {
  const { cm } = await setup();
  for (let i = 0; i < 7; i++)
    await cm.create('default', { metadata: { name: `c${i}`, labels: { odd: String(i % 2) } } });
  const filter = { matches: (o: KubeObject) => o.metadata.labels?.odd === '1' };
  const p1 = await cm.list('default', { limit: 2, filter });
  assert.deepEqual(
    p1.items.map((o) => o.metadata.name),
    ['c1', 'c3'],
  );
  await cm.create('default', { metadata: { name: 'c0a', labels: { odd: '1' } } });
  const p2 = await cm.list('default', { limit: 2, filter, continue: p1.continue! });
  assert.deepEqual(
    p2.items.map((o) => o.metadata.name),
    ['c5'],
  );
  assert.equal(p2.resourceVersion, p1.resourceVersion);
  assert.equal(p2.continue, undefined);
});

test('graceful pod deletion: a running pod stays until its grace is cut to zero; others go at once', async () => {
  const { registry } = await setup();
  const pods = registry.byResource('', 'pods')!;
  const pod = (name: string) => ({
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  await pods.create('default', pod('pending'));
  assert.equal((await pods.delete('default', 'pending')).deleted, true, 'never scheduled: deleted at once');

  await pods.create('default', pod('running'));
  await pods.guaranteedUpdate(
    'default',
    'running',
    (p) => ({ ...p!, spec: { ...(p!.spec as object), nodeName: 'n1' } }),
    {
      subresource: 'binding',
    },
  );
  const first = await pods.delete('default', 'running', { gracePeriodSeconds: 20 });
  assert.equal(first.deleted, false);
  assert.equal(first.object.metadata.deletionGracePeriodSeconds, 20);
  const left = Date.parse(first.object.metadata.deletionTimestamp!) - Date.now();
  assert.ok(left > 15_000 && left <= 21_000, `deletionTimestamp is now + grace (${left} ms)`);
  await pods.guaranteedUpdate(
    'default',
    'running',
    (p) => ({ ...p!, status: { ...(p!.status as object), phase: 'Running' } }),
    {
      subresource: 'status',
    },
  );
  assert.ok(
    await pods.get('default', 'running'),
    'a status write during the grace period does not delete it',
  );
  const longer = await pods.delete('default', 'running', { gracePeriodSeconds: 60 });
  assert.equal(
    longer.object.metadata.deletionGracePeriodSeconds,
    20,
    'a later delete never lengthens the grace',
  );
  assert.equal((await pods.delete('default', 'running', { gracePeriodSeconds: 0 })).deleted, true);
  await assert.rejects(pods.get('default', 'running'), status('NotFound', 404));
});
