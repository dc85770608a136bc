import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, type Loose, strategyOf } from '../shared/testing.ts';

const strategy = strategyOf('autoscaling', 'horizontalpodautoscalers');
const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const hpa = (spec: Record<string, unknown>) => ({ metadata: { name: 'web' }, spec });

test('defaults: one replica minimum and CPU at 80%; a given behavior is filled', () => {
  const { obj, errors } = create(
    strategy,
    hpa({ scaleTargetRef: target, maxReplicas: 5, behavior: { scaleDown: {} } }),
  );
  assert.deepEqual(errors, []);
  const spec = obj.spec as Loose;
  assert.equal(spec.minReplicas, 1);
  assert.deepEqual(spec.metrics, [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
  ]);
  assert.deepEqual(spec.behavior.scaleDown, {
    stabilizationWindowSeconds: 300,
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  });
  assert.equal(spec.behavior.scaleUp.policies.length, 2);
});

test('replica bounds and the target reference', () => {
  assert.deepEqual(
    create(strategy, hpa({ minReplicas: 3, maxReplicas: 2, scaleTargetRef: { kind: 'Deployment' } })).errors,
    [
      'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`',
      'spec.scaleTargetRef.name: Required value',
    ],
  );
  assert.deepEqual(create(strategy, hpa({ minReplicas: 0, scaleTargetRef: target })).errors, [
    'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
    'spec.maxReplicas: Invalid value: 0: must be greater than 0',
  ]);
});

test('metrics name a known source and fill it', () => {
  const errors = create(
    strategy,
    hpa({
      scaleTargetRef: target,
      maxReplicas: 3,
      metrics: [{ type: 'Resource', pods: { metric: { name: 'x' } } }],
    }),
  ).errors;
  assert.deepEqual(errors, [
    'spec.metrics[0].pods.target.type: Required value: must specify a metric target type',
    'spec.metrics[0].pods.target.type: Invalid value: "": must be either Utilization, Value, or AverageValue',
    'spec.metrics[0].resource: Required value: must populate information for the given metric source',
  ]);
});
