import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('policy', 'poddisruptionbudgets');
const pdb = (spec: Record<string, unknown>) => ({ metadata: { name: 'web' }, spec });

test('minAvailable or maxUnavailable, not both, counts or percentages', () => {
  assert.deepEqual(
    create(strategy, pdb({ minAvailable: 1, selector: { matchLabels: { app: 'web' } } })).errors,
    [],
  );
  assert.deepEqual(create(strategy, pdb({ minAvailable: 1, maxUnavailable: '10%' })).errors, [
    'spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000010000), Selector:(*v1.LabelSelector)(nil), MaxUnavailable:(*intstr.IntOrString)(0xc000010000), UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: minAvailable and maxUnavailable cannot be both set',
  ]);
  assert.deepEqual(
    create(strategy, pdb({ maxUnavailable: '120%', unhealthyPodEvictionPolicy: 'Never' })).errors,
    [
      'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%',
      'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
    ],
  );
});

test('the spec may change; generation follows it', () => {
  const old = create(strategy, pdb({ minAvailable: 1 })).obj;
  const next = update(strategy, old, { ...old, spec: { minAvailable: 2 } });
  assert.deepEqual(next.errors, []);
  assert.equal(next.obj.metadata.generation, 2);
});
