import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from '../registry/registry.ts';
import { openBackend } from '../storage/index.ts';
import { buildFilter } from './filter.ts';

test('label selectors skip unparsed objects that cannot match, and still check those that might', async () => {
  const registry = new Registry(openBackend('memory:', { compactIntervalMs: 0 }));
  await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'default' } });
  const cm = registry.byResource('', 'configmaps')!;
  await cm.create('default', { metadata: { name: 'hit', labels: { app: 'web', tier: 'a' } } });
  await cm.create('default', { metadata: { name: 'miss', labels: { app: 'db' } } });
  // The needle "app":"web" appears, but in an annotation: parsed, then refused by the selector.
  await cm.create('default', {
    metadata: { name: 'decoy', labels: { app: 'db' }, annotations: { app: 'web' } },
  });
  const filter = buildFilter(cm, new URLSearchParams('labelSelector=app%3Dweb'))!;
  assert.ok(filter.mayMatchStored);
  const names = (await cm.list('default', { filter })).items.map((o) => o.metadata.name);
  assert.deepEqual(names, ['hit']);
  const either = buildFilter(cm, new URLSearchParams('labelSelector=app%20in%20(web,db),tier'))!;
  assert.deepEqual(
    (await cm.list('default', { filter: either })).items.map((o) => o.metadata.name),
    ['hit'],
  );
  const paged = await cm.list('default', { filter, limit: 1 });
  assert.deepEqual(
    paged.items.map((o) => o.metadata.name),
    ['hit'],
  );
  assert.equal(buildFilter(cm, new URLSearchParams('labelSelector=app!%3Dweb'))!.mayMatchStored, undefined);
});
