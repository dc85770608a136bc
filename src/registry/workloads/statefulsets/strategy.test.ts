import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import { podTemplate } from '../shared/fixtures.ts';
import { create, edited, type Loose, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('apps', 'statefulsets');
const sts: KubeObject = {
  metadata: { name: 'db' },
  spec: {
    serviceName: 'db',
    selector: { matchLabels: { app: 'db' } },
    template: podTemplate({ app: 'db' }),
    volumeClaimTemplates: [
      {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    ],
  },
};

test('defaults: OrderedReady, RollingUpdate with partition 0, Retain claims, history 10', () => {
  const { obj, errors } = create(strategy, sts);
  assert.deepEqual(errors, []);
  const spec = obj.spec as Loose;
  assert.equal(spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, {
    whenDeleted: 'Retain',
    whenScaled: 'Retain',
  });
  assert.equal(spec.replicas, 1);
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
  assert.deepEqual(spec.volumeClaimTemplates[0].status, { phase: 'Pending' });
});

test('enums, a rolling update under OnDelete, an empty selector', () => {
  const bad = edited(sts, (s) => {
    s.spec.podManagementPolicy = 'Random';
    s.spec.updateStrategy = { type: 'OnDelete', rollingUpdate: { partition: 1 } };
    s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Keep' };
    s.spec.selector = {};
  });
  assert.deepEqual(create(strategy, bad).errors, [
    `spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'`,
    `spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:1, MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'`,
    'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset',
  ]);
});

test('only replicas, template, updateStrategy, ordinals, retention and minReadySeconds change', () => {
  const old = create(strategy, sts).obj;
  const ok = edited(old, (s) => {
    s.spec.replicas = 3;
    s.spec.template.spec.containers[0].image = 'busybox:2';
    s.spec.minReadySeconds = 5;
  });
  assert.deepEqual(update(strategy, old, ok).errors, []);
  const renamed = edited(old, (s) => {
    s.spec.serviceName = 'other';
  });
  assert.deepEqual(update(strategy, old, renamed).errors, [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
});
