import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import { podTemplate } from '../shared/fixtures.ts';
import { create, edited, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('apps', 'replicasets');
const rs: KubeObject = {
  metadata: { name: 'web-1' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: podTemplate({ app: 'web' }) },
};

test('defaults to one replica; status.replicas is selectable', () => {
  const { obj, errors } = create(strategy, rs);
  assert.deepEqual(errors, []);
  assert.equal((obj.spec as { replicas: number }).replicas, 1);
  assert.equal(strategy.selectableFields(obj)['status.replicas'], '0');
});

test('bad selector expressions and activeDeadlineSeconds', () => {
  const bad = edited(rs, (r) => {
    r.spec.selector = { matchExpressions: [{ key: 'app', operator: 'In' }] };
    r.spec.template.spec.activeDeadlineSeconds = 5;
  });
  assert.deepEqual(create(strategy, bad).errors, [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", Values:[]string(nil)}}}: invalid label selector',
  ]);
  const deadline = edited(rs, (r) => {
    r.spec.template.spec.activeDeadlineSeconds = 5;
    r.spec.minReadySeconds = -1;
  });
  assert.deepEqual(create(strategy, deadline).errors, [
    'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
  ]);
});

test('the selector is immutable', () => {
  const old = create(strategy, rs).obj;
  const next = edited(old, (r) => {
    r.spec.selector = { matchLabels: { app: 'web', tier: 'a' } };
    r.spec.template.metadata.labels.tier = 'a';
  });
  assert.match(
    update(strategy, old, next).errors.join('\n'),
    /^spec\.selector: Invalid value: .*: field is immutable$/,
  );
});
