import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../api/object.ts';
import { Registry } from '../registry/registry.ts';
import { openBackend } from '../storage/index.ts';
import { Informer } from './informer.ts';
import { localListWatch } from './local.ts';

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond());
};

test('an informer lists, then follows creates, updates and deletes', async () => {
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  const registry = new Registry(backend);
  const ns = registry.byResource('', 'namespaces')!;
  await ns.create(undefined, { metadata: { name: 'a' } });
  const informer = new Informer(localListWatch(ns));
  const seen: string[] = [];
  informer.addHandler({
    add: (o: KubeObject) => seen.push(`add ${o.metadata.name}`),
    update: (_old, o) => seen.push(`update ${o.metadata.name}`),
    delete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  await informer.start();
  assert.ok(informer.get('a'));
  await ns.create(undefined, { metadata: { name: 'b' } });
  await ns.guaranteedUpdate(undefined, 'b', (o) => ({
    ...o!,
    metadata: { ...o!.metadata, labels: { x: 'y' } },
  }));
  await ns.delete(undefined, 'b');
  await until(() => seen.length >= 4);
  assert.deepEqual(seen.slice(0, 3), ['add a', 'add b', 'update b']);
  informer.stop();
  await backend.close();
});
