import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openBackend } from '../../storage/index.ts';
import { Registry } from '../registry.ts';

async function setup() {
  const registry = new Registry(openBackend('memory:', { compactIntervalMs: 0 }));
  await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'default' } });
  return registry;
}

test('events.k8s.io/v1 and core/v1 Events are the same objects, each in its own shape', async () => {
  const registry = await setup();
  const core = registry.find('', 'v1', 'events')!;
  const v1 = registry.find('events.k8s.io', 'v1', 'events')!;
  await v1.create('default', {
    metadata: { name: 'e1' },
    regarding: { kind: 'Pod', name: 'p', namespace: 'default' },
    note: 'pulled',
    reason: 'Pulled',
    type: 'Normal',
    reportingController: 'kubelet',
    reportingInstance: 'n1',
    action: 'Pull',
    eventTime: '2026-11-23T10:00:00.000000Z',
  });
  const asCore = await core.get('default', 'e1');
  assert.equal(asCore.apiVersion, 'v1');
  assert.equal(asCore.message, 'pulled');
  assert.deepEqual(asCore.involvedObject, { kind: 'Pod', name: 'p', namespace: 'default' });
  assert.equal(asCore.reportingComponent, 'kubelet');
  const back = await v1.get('default', 'e1');
  assert.equal(back.apiVersion, 'events.k8s.io/v1');
  assert.equal(back.note, 'pulled');
  assert.equal(back.message, undefined);
  const listed = await v1.list('default');
  assert.equal(listed.items.length, 1);
  const byReason = await v1.list('default', {
    filter: { matches: (o) => v1.strategy.selectableFields(o)['involvedObject.name'] === 'p' },
  });
  assert.equal(byReason.items.length, 1);
});

test('autoscaling/v1 shows a v2 HPA by its CPU target and keeps the other metrics', async () => {
  const registry = await setup();
  const v2 = registry.find('autoscaling', 'v2', 'horizontalpodautoscalers')!;
  const v1 = registry.find('autoscaling', 'v1', 'horizontalpodautoscalers')!;
  const memory = {
    type: 'Resource',
    resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
  };
  await v2.create('default', {
    metadata: { name: 'h' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
        },
        memory,
      ],
    },
  });
  const shown = await v1.get('default', 'h');
  assert.equal((shown.spec as { targetCPUUtilizationPercentage: number }).targetCPUUtilizationPercentage, 60);
  await v1.guaranteedUpdate('default', 'h', (o) => ({
    ...o!,
    spec: { ...(o!.spec as object), targetCPUUtilizationPercentage: 75 },
  }));
  const stored = await v2.get('default', 'h');
  const metrics = (stored.spec as { metrics: unknown[] }).metrics;
  assert.equal(metrics.length, 2, 'the memory metric survives a v1 write');
  assert.deepEqual(metrics[1], memory);
  assert.equal(stored.metadata.annotations?.['autoscaling.alpha.kubernetes.io/metrics'], undefined);
});
