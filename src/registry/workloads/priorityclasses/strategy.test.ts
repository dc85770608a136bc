import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('scheduling.k8s.io', 'priorityclasses');

test('defaults: PreemptLowerPriority, value 0 when left out', () => {
  const { obj, errors } = create(strategy, { metadata: { name: 'low' } });
  assert.deepEqual(errors, []);
  assert.equal(obj.preemptionPolicy, 'PreemptLowerPriority');
  assert.equal(obj.value, 0);
});

test('user priorities stay below a billion; system- names are reserved', () => {
  assert.deepEqual(create(strategy, { metadata: { name: 'huge' }, value: 2_000_000_000 }).errors, [
    'value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
  ]);
  assert.deepEqual(create(strategy, { metadata: { name: 'system-mine' }, value: 1 }).errors, [
    "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
  ]);
  assert.deepEqual(
    create(strategy, { metadata: { name: 'system-node-critical' }, value: 2_000_001_000 }).errors,
    [],
  );
});

test('value is immutable', () => {
  const old = create(strategy, { metadata: { name: 'p' }, value: 10 }).obj;
  assert.deepEqual(update(strategy, old, { ...old, value: 11 }).errors, [
    'value: Forbidden: may not be changed in an update.',
  ]);
});
