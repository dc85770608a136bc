import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { isStatusError } from '../../api/status.ts';
import { Registry } from '../../registry/registry.ts';
import { openBackend } from '../../storage/index.ts';
import { NamespaceController } from './controller.ts';

test('deleting a namespace deletes what it holds, then the namespace', async () => {
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  const registry = new Registry(backend);
  const ns = registry.byResource('', 'namespaces')!;
  const cm = registry.byResource('', 'configmaps')!;
  await ns.create(undefined, { metadata: { name: 'team' } });
  await ns.create(undefined, { metadata: { name: 'other' } });
  for (const n of ['a', 'b']) await cm.create('team', { metadata: { name: n } });
  await cm.create('other', { metadata: { name: 'kept' } });
  await registry.byResource('apps', 'deployments')!.create('team', {
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  });
  const controller = new NamespaceController(registry, pino({ level: 'silent' }));
  await controller.start();
  await ns.delete(undefined, 'team');
  for (let i = 0; i < 200; i++) {
    try {
      await ns.get(undefined, 'team');
      await new Promise((r) => setTimeout(r, 10));
    } catch (e) {
      assert.ok(isStatusError(e) && e.code === 404);
      break;
    }
  }
  await assert.rejects(ns.get(undefined, 'team'));
  assert.equal((await cm.list('team')).items.length, 0);
  assert.equal((await cm.list('other')).items.length, 1);
  controller.stop();
  await backend.close();
});
