import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, setPodStatus, silent, testPod, testRegistry } from '../endpoints/testing.ts';
import { PodGCController } from './controller.ts';

test('terminated pods over the threshold go, oldest first', async () => {
  const registry = await testRegistry();
  const pods = registry.byResource('', 'pods')!;
  for (const name of ['a', 'b', 'c', 'd']) {
    await pods.create('default', testPod(name, {}, { nodeName: 'n1' }));
    await setPodStatus(registry, 'default', name, '10.42.0.1', false, {
      phase: name === 'd' ? 'Running' : 'Succeeded',
    });
    await new Promise((r) => setTimeout(r, 1100 * (name === 'a' ? 1 : 0)));
  }
  await registry.byResource('', 'nodes')!.create(undefined, { metadata: { name: 'n1' } });
  const gc = new PodGCController(registry, silent, { terminatedPodThreshold: 2, checkPeriodMs: 3_600_000 });
  await gc.start();
  assert.equal(await gc.gc(), 1);
  const left = (await pods.list('default')).items.map((p) => p.metadata.name).sort();
  assert.deepEqual(left, ['b', 'c', 'd']);
  gc.stop();
  await registry.backend.close();
});

test('pods on a node gone past the quarantine are marked Failed and deleted', async () => {
  const registry = await testRegistry();
  const pods = registry.byResource('', 'pods')!;
  await registry.byResource('', 'nodes')!.create(undefined, { metadata: { name: 'alive' } });
  await pods.create('default', testPod('lost', {}, { nodeName: 'vanished' }));
  await pods.create('default', testPod('fine', {}, { nodeName: 'alive' }));
  await pods.create('default', testPod('pending', {}));
  let now = 1_000_000;
  const gc = new PodGCController(registry, silent, {
    checkPeriodMs: 3_600_000,
    quarantineMs: 40_000,
    now: () => now,
  });
  await gc.start();
  assert.equal(await gc.gc(), 0, 'in quarantine');
  now += 39_000;
  assert.equal(await gc.gc(), 0);
  now += 2_000;
  const seen: unknown[] = [];
  const { resourceVersion } = await pods.list('default');
  const watch = await (await import('../../registry/watch.ts')).watchResource(pods, 'default', {
    resourceVersion,
  });
  assert.equal(await gc.gc(), 1);
  await eventually(async () => {
    for (const e of (await watch.next()) ?? [])
      if (e.object.metadata.name === 'lost') seen.push(e.object.status);
    return seen.length >= 2;
  });
  watch.close();
  const marked = seen[0] as { phase: string; conditions: { type: string; reason: string }[] };
  assert.equal(marked.phase, 'Failed');
  assert.equal(marked.conditions.find((c) => c.type === 'DisruptionTarget')?.reason, 'DeletionByPodGC');
  assert.deepEqual((await pods.list('default')).items.map((p) => p.metadata.name).sort(), [
    'fine',
    'pending',
  ]);
  gc.stop();
  await registry.backend.close();
});

test('terminating pods: unscheduled ones, and those on out-of-service not-ready nodes', async () => {
  const registry = await testRegistry();
  const pods = registry.byResource('', 'pods')!;
  const nodes = registry.byResource('', 'nodes')!;
  await nodes.create(undefined, {
    metadata: { name: 'down' },
    spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] },
    status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
  });
  await nodes.create(undefined, {
    metadata: { name: 'up' },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  });
  for (const [name, node] of [
    ['on-down', 'down'],
    ['on-up', 'up'],
    ['unscheduled', ''],
  ] as const) {
    await pods.create('default', testPod(name, {}, node ? { nodeName: node } : {}));
    await pods.guaranteedUpdate('default', name, (cur) => ({
      ...cur!,
      metadata: { ...cur!.metadata, finalizers: ['example.com/x'] },
    }));
    await pods.delete('default', name);
  }
  const gc = new PodGCController(registry, silent, { checkPeriodMs: 3_600_000 });
  await gc.start();
  await gc.gc();
  const left = (await pods.list('default')).items;
  // The finalizer holds them, but both were force-deleted (grace 0) and marked Failed.
  const byName = Object.fromEntries(left.map((p) => [p.metadata.name, p]));
  assert.equal((byName['on-down']!.status as { phase: string }).phase, 'Failed');
  assert.equal((byName.unscheduled!.status as { phase: string }).phase, 'Failed');
  assert.notEqual((byName['on-up']!.status as { phase: string }).phase, 'Failed');
  gc.stop();
  await registry.backend.close();
});
