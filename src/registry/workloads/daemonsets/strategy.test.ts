import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import { podTemplate } from '../shared/fixtures.ts';
import { create, edited, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('apps', 'daemonsets');
const ds: KubeObject = {
  metadata: { name: 'agent' },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: podTemplate({ app: 'agent' }) },
};

test('defaults: RollingUpdate with maxUnavailable 1 and maxSurge 0, history 10, template generation 1', () => {
  const { obj, errors } = create(strategy, ds);
  assert.deepEqual(errors, []);
  const spec = obj.spec as Record<string, unknown>;
  assert.deepEqual(spec.updateStrategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
  });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(obj.metadata.annotations?.['deprecated.daemonset.template.generation'], '1');
});

test('surge with unavailability, neither, and an unknown strategy', () => {
  const both = edited(ds, (d) => {
    d.spec.updateStrategy = { rollingUpdate: { maxUnavailable: 1, maxSurge: '10%' } };
  });
  assert.deepEqual(create(strategy, both).errors, [
    'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"10%"}: may not be set when maxUnavailable is non-zero',
  ]);
  const neither = edited(ds, (d) => {
    d.spec.updateStrategy = { rollingUpdate: { maxUnavailable: 0 } };
  });
  assert.deepEqual(create(strategy, neither).errors, [
    'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
  ]);
  const unknown = edited(ds, (d) => {
    d.spec.updateStrategy = { type: 'Sometimes' };
    delete d.spec.selector;
  });
  assert.deepEqual(create(strategy, unknown).errors, [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"agent"}: `selector` does not match template `labels`',
    'spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Sometimes", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"',
  ]);
});

test('a new template is a new template generation; the selector is immutable', () => {
  const old = create(strategy, ds).obj;
  const next = update(
    strategy,
    old,
    edited(old, (d) => {
      d.spec.template.spec.containers[0].image = 'busybox:2';
    }),
  );
  assert.deepEqual(next.errors, []);
  assert.equal(next.obj.metadata.annotations?.['deprecated.daemonset.template.generation'], '2');
  assert.equal(next.obj.metadata.generation, 2);
  const moved = edited(old, (d) => {
    d.spec.selector.matchLabels.tier = 'x';
    d.spec.template.metadata.labels.tier = 'x';
  });
  assert.match(
    update(strategy, old, moved).errors[0] ?? '',
    /^spec\.selector: Invalid value: .*field is immutable$/,
  );
});
