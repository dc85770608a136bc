import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import { create, edited, type Loose, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('', 'persistentvolumes');
const pv: KubeObject = {
  metadata: { name: 'pv1' },
  spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } },
};

test('defaults: Retain, Filesystem, hostPath type, Pending', () => {
  const { obj, errors } = create(strategy, pv);
  assert.deepEqual(errors, []);
  const spec = obj.spec as Loose;
  assert.equal(spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(spec.volumeMode, 'Filesystem');
  assert.equal(spec.hostPath.type, '');
  assert.deepEqual(obj.status, { phase: 'Pending' });
});

test('capacity, access modes and exactly one source', () => {
  const none = edited(pv, (p) => {
    p.spec = { capacity: { storage: '5Gi', cpu: '1' } };
  });
  assert.deepEqual(create(strategy, none).errors, [
    'spec.accessModes: Required value',
    'spec.capacity: Unsupported value: core.ResourceList{"cpu":"1", "storage":"5Gi"}: supported values: "storage"',
    'spec: Required value: must specify a volume type',
  ]);
  const two = edited(pv, (p) => {
    p.spec.nfs = { server: 'nas', path: '/export' };
    p.spec.persistentVolumeReclaimPolicy = 'Shred';
  });
  assert.deepEqual(create(strategy, two).errors, [
    'spec.persistentVolumeReclaimPolicy: Unsupported value: "Shred": supported values: "Delete", "Recycle", "Retain"',
    'spec.nfs: Forbidden: may not specify more than 1 volume type',
  ]);
  const local = edited(pv, (p) => {
    delete p.spec.hostPath;
    p.spec.local = { path: '/mnt/disk' };
  });
  assert.deepEqual(create(strategy, local).errors, [
    'spec.nodeAffinity: Required value: Local volumes require node affinity',
  ]);
});

test('the volume source is fixed after creation', () => {
  const old = create(strategy, pv).obj;
  const moved = edited(old, (p) => {
    p.spec.hostPath.path = '/elsewhere';
  });
  assert.match(
    update(strategy, old, moved).errors[0] ?? '',
    /^spec\.persistentvolumesource: Forbidden: spec\.persistentvolumesource is immutable after creation\n/,
  );
});
