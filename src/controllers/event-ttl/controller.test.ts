import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { Registry } from '../../registry/registry.ts';
import { openBackend } from '../../storage/index.ts';
import { EventTtlController } from './controller.ts';

test('events older than the TTL are swept, newer ones stay', async () => {
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  const registry = new Registry(backend);
  await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'default' } });
  const events = registry.byResource('', 'events')!;
  const at = (minutesAgo: number) =>
    new Date(Date.now() - minutesAgo * 60_000).toISOString().slice(0, 19) + 'Z';
  await events.create('default', { metadata: { name: 'old' }, lastTimestamp: at(90), involvedObject: {} });
  await events.create('default', {
    metadata: { name: 'series' },
    lastTimestamp: at(90),
    series: { lastObservedTime: at(5) },
  });
  await events.create('default', { metadata: { name: 'new' }, lastTimestamp: at(10), involvedObject: {} });
  const controller = new EventTtlController(registry, pino({ level: 'silent' }));
  assert.equal(await controller.sweep(), 1);
  assert.deepEqual((await events.list('default')).items.map((e) => e.metadata.name).sort(), [
    'new',
    'series',
  ]);
  await backend.close();
});
