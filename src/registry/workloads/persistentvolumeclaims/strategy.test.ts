import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import { create, edited, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('', 'persistentvolumeclaims');
const pvc: KubeObject = {
  metadata: { name: 'data' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
};

test('defaults: Filesystem volume mode, Pending phase', () => {
  const { obj, errors } = create(strategy, pvc);
  assert.deepEqual(errors, []);
  assert.equal((obj.spec as { volumeMode: string }).volumeMode, 'Filesystem');
  assert.deepEqual(obj.status, { phase: 'Pending' });
});

test('access modes and a storage request are required', () => {
  const bad = edited(pvc, (p) => {
    p.spec = { accessModes: ['ReadWriteOncePod', 'Sometimes'], resources: {}, volumeMode: 'Tape' };
  });
  assert.deepEqual(create(strategy, bad).errors, [
    'spec.accessModes: Unsupported value: "Sometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
    'spec.resources[storage]: Required value',
    'spec.volumeMode: Unsupported value: "Tape": supported values: "Block", "Filesystem"',
  ]);
  assert.deepEqual(
    create(
      strategy,
      edited(pvc, (p) => {
        p.spec.accessModes = [];
        p.spec.resources.requests.storage = '0';
      }),
    ).errors,
    [
      'spec.accessModes: Required value: at least 1 access mode is required',
      'spec.resources[storage]: Invalid value: "0": must be greater than zero',
    ],
  );
});

test('the spec is fixed but for the request of a bound claim', () => {
  const old = create(strategy, pvc).obj;
  const grown = edited(old, (p) => {
    p.spec.resources.requests.storage = '2Gi';
  });
  assert.match(
    update(strategy, old, grown).errors[0] ?? '',
    /^spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n/,
  );
  const bound = { ...old, status: { phase: 'Bound', capacity: { storage: '1Gi' } } };
  assert.deepEqual(update(strategy, bound, { ...grown, status: bound.status }).errors, []);
  const shrunk = edited(bound, (p) => {
    p.spec.resources.requests.storage = '512Mi';
  });
  assert.deepEqual(update(strategy, bound, shrunk).errors, [
    'spec.resources.requests.storage: Forbidden: field can not be less than status.capacity',
  ]);
});
