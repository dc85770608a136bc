import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployment } from '../shared/fixtures.ts';
import { create, edited, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('apps', 'deployments');

test('defaults: one replica, 25%/25% rolling update, history 10, deadline 600', () => {
  const { obj, errors } = create(strategy, deployment());
  assert.deepEqual(errors, []);
  const spec = obj.spec as Record<string, unknown>;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
  });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.progressDeadlineSeconds, 600);
  assert.equal(obj.metadata.generation, 1);
});

test('negative replicas, labels outside the selector, no surge and no unavailability', () => {
  const bad = edited(deployment(), (d) => {
    d.spec.replicas = -1;
    d.spec.template.metadata.labels = { app: 'other', tier: 'x' };
    d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } };
  });
  assert.deepEqual(create(strategy, bad).errors, [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other", "tier":"x"}: `selector` does not match template `labels`',
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
  ]);
});

test('selector is required, strategy type is an enum, restartPolicy must be Always', () => {
  const bad = edited(deployment(), (d) => {
    delete d.spec.selector;
    d.spec.strategy = { type: 'Blue' };
    d.spec.template.spec.restartPolicy = 'Never';
  });
  assert.deepEqual(create(strategy, bad).errors, [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"Blue", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
  ]);
});

test('an empty selector, percentages above 100 and a deadline within minReadySeconds', () => {
  const bad = edited(deployment(), (d) => {
    d.spec.selector = {};
    d.spec.strategy = { rollingUpdate: { maxUnavailable: '150%', maxSurge: 'lots' } };
    d.spec.minReadySeconds = 600;
  });
  assert.deepEqual(create(strategy, bad).errors, [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"lots\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
    'spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds',
  ]);
});

test('the selector is immutable; scaling and annotations bump the generation, defaults do not', () => {
  const old = create(strategy, deployment()).obj;
  const moved = edited(old, (d) => {
    d.spec.selector = { matchLabels: { app: 'web2' } };
    d.spec.template.metadata.labels = { app: 'web2' };
  });
  assert.deepEqual(update(strategy, old, moved).errors, [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
  const scaled = update(
    strategy,
    old,
    edited(old, (d) => {
      d.spec.replicas = 3;
    }),
  );
  assert.deepEqual(scaled.errors, []);
  assert.equal(scaled.obj.metadata.generation, 2);
  const annotated = update(
    strategy,
    old,
    edited(old, (d) => {
      d.metadata.annotations = { note: 'x' };
    }),
  );
  assert.equal(annotated.obj.metadata.generation, 2);
  const same = update(
    strategy,
    old,
    edited(old, (d) => {
      delete d.spec.revisionHistoryLimit;
    }),
  );
  assert.equal(same.obj.metadata.generation, 1, 'a field the defaults fill back is no change');
});
