import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, strategyOf } from '../shared/testing.ts';

const strategy = strategyOf('coordination.k8s.io', 'leases');

test('durations are positive, transitions not negative', () => {
  assert.deepEqual(
    create(strategy, { metadata: { name: 'l' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } })
      .errors,
    [],
  );
  assert.deepEqual(
    create(strategy, { metadata: { name: 'l' }, spec: { leaseDurationSeconds: 0, leaseTransitions: -1 } })
      .errors,
    [
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
      'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    ],
  );
});
