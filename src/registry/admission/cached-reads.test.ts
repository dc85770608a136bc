import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localListWatch } from '../../client/local.ts';
import { SharedInformerFactory } from '../../client/shared.ts';
import { openBackend } from '../../storage/index.ts';
import { Registry } from '../registry.ts';
import { CachedReads } from './cached-reads.ts';

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond());
};

const pod = (name: string, spec: Record<string, unknown> = {}) => ({
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

test('admission reads from the caches and is right on the first pod after a write', async () => {
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  const registry = new Registry(backend);
  const namespaces = registry.byResource('', 'namespaces')!;
  const classes = registry.byResource('scheduling.k8s.io', 'priorityclasses')!;
  const pods = registry.byResource('', 'pods')!;
  await registry.startAdmissionCaches();
  try {
    // Created, then used at once: the cache may not have seen it yet, the answer must be right.
    for (let i = 0; i < 20; i++) {
      await namespaces.create(undefined, { metadata: { name: `ns-${i}` } });
      await pods.create(`ns-${i}`, pod('p'));
      await classes.create(undefined, { metadata: { name: `pc-${i}` }, value: 1000 + i });
      const p = await pods.create(`ns-${i}`, pod('q', { priorityClassName: `pc-${i}` }));
      assert.equal((p.spec as { priority?: number }).priority, 1000 + i);
    }
    await assert.rejects(pods.create('missing', pod('p')), { code: 404 });
    await assert.rejects(pods.create('ns-0', pod('r', { priorityClassName: 'missing' })), { code: 403 });
    // A global default that appeared a moment ago applies to the very next pod.
    await classes.create(undefined, { metadata: { name: 'default-pc' }, value: 7, globalDefault: true });
    const d = await pods.create('ns-0', pod('s'));
    assert.equal((d.spec as { priorityClassName?: string }).priorityClassName, 'default-pc');
    assert.equal((d.spec as { priority?: number }).priority, 7);
    await classes.delete(undefined, 'default-pc');
    const e = await pods.create('ns-0', pod('t'));
    assert.equal((e.spec as { priorityClassName?: string }).priorityClassName, undefined);
    // A namespace being deleted refuses new content at once.
    await namespaces.delete(undefined, 'ns-1');
    await assert.rejects(pods.create('ns-1', pod('u')), { code: 403 });
    // Reads are served from the cache once it caught up (the store is no longer asked).
    await new Promise((r) => setTimeout(r, 50));
    const get = namespaces.get.bind(namespaces);
    let storeReads = 0;
    namespaces.get = (...args) => {
      storeReads++;
      return get(...args);
    };
    await until(() => true);
    await pods.create('ns-2', pod('v'));
    assert.equal(storeReads, 0);
  } finally {
    registry.stopAdmissionCaches();
    await backend.close();
  }
});

test('a cache that lags behind a write is not trusted until it caught up', async () => {
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  const registry = new Registry(backend);
  const namespaces = registry.byResource('', 'namespaces')!;
  const reads = new CachedReads(namespaces);
  // A watch that hands events over 100 ms late.
  const slow = new SharedInformerFactory((store, ns) => {
    const lw = localListWatch(store, ns);
    return {
      list: () => lw.list(),
      watch: async (rv) => {
        const w = await lw.watch(rv);
        return {
          next: async () => {
            const events = await w.next();
            await new Promise((r) => setTimeout(r, 100));
            return events;
          },
          close: () => w.close(),
        };
      },
    };
  });
  const informer = slow.forStore(namespaces);
  await informer.start();
  reads.useInformer(informer);
  try {
    await namespaces.create(undefined, { metadata: { name: 'a' } });
    assert.equal(informer.get('a'), undefined, 'the cache has not seen it yet');
    assert.equal((await reads.get('a'))?.metadata.name, 'a');
    assert.deepEqual(
      (await reads.list()).map((n) => n.metadata.name),
      ['a'],
    );
    await until(() => informer.get('a') !== undefined);
    await namespaces.delete(undefined, 'a');
    assert.equal(informer.get('a')?.metadata.deletionTimestamp, undefined, 'the cache lags');
    assert.ok((await reads.get('a'))?.metadata.deletionTimestamp, 'the read does not');
    await until(() => !!informer.get('a')?.metadata.deletionTimestamp);
    // Caught up: served from the cache (the very object the informer holds).
    assert.equal(await reads.get('a'), informer.get('a'));
  } finally {
    informer.stop();
    await backend.close();
  }
});
