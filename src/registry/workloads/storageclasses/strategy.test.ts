import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('storage.k8s.io', 'storageclasses');
const sc = { metadata: { name: 'local' }, provisioner: 'rancher.io/local-path', parameters: { a: 'b' } };

test('defaults: Delete, Immediate; a provisioner is required', () => {
  const { obj, errors } = create(strategy, sc);
  assert.deepEqual(errors, []);
  assert.equal(obj.reclaimPolicy, 'Delete');
  assert.equal(obj.volumeBindingMode, 'Immediate');
  assert.deepEqual(create(strategy, { metadata: { name: 'x' }, volumeBindingMode: 'Later' }).errors, [
    'provisioner: Required value',
    'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
  ]);
});

test('provisioner and parameters are fixed', () => {
  const old = create(strategy, sc).obj;
  assert.deepEqual(update(strategy, old, { ...old, provisioner: 'other.io/x', parameters: {} }).errors, [
    'parameters: Forbidden: updates to parameters are forbidden.',
    'provisioner: Forbidden: updates to provisioner are forbidden.',
  ]);
});
