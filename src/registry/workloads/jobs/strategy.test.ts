import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import { podTemplate } from '../shared/fixtures.ts';
import { create, edited, type Loose, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('batch', 'jobs');
const uid = '00000000-0000-0000-0000-000000000001';
const job: KubeObject = { metadata: { name: 'pi' }, spec: { template: podTemplate({ app: 'pi' }, 'Never') } };

test('defaults and the generated selector and pod labels', () => {
  const { obj, errors } = create(strategy, job);
  assert.deepEqual(errors, []);
  const spec = obj.spec as Loose;
  assert.equal(spec.parallelism, 1);
  assert.equal(spec.completions, 1);
  assert.equal(spec.backoffLimit, 6);
  assert.equal(spec.completionMode, 'NonIndexed');
  assert.equal(spec.suspend, false);
  assert.equal(spec.manualSelector, false);
  assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
  assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
  assert.deepEqual(spec.template.metadata.labels, {
    app: 'pi',
    'job-name': 'pi',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': uid,
    'batch.kubernetes.io/controller-uid': uid,
  });
  assert.deepEqual(
    obj.metadata.labels,
    { app: 'pi' },
    "the Job takes its template's labels as the user gave them",
  );
  assert.equal(strategy.selectableFields(obj)['status.successful'], '0');
});

test('parallelism alone leaves completions unset', () => {
  const { obj } = create(
    strategy,
    edited(job, (j) => {
      j.spec.parallelism = 3;
    }),
  );
  assert.equal((obj.spec as { completions?: number }).completions, undefined);
});

test('restartPolicy must be OnFailure or Never; counts are not negative', () => {
  const always = edited(job, (j) => {
    j.spec.template.spec.restartPolicy = 'Always';
    j.spec.backoffLimit = -1;
  });
  assert.deepEqual(create(strategy, always).errors, [
    'spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
  ]);
  const sometimes = edited(job, (j) => {
    j.spec.template.spec.restartPolicy = 'Sometimes';
    j.spec.completionMode = 'Random';
  });
  assert.deepEqual(create(strategy, sometimes).errors, [
    'spec.completionMode: Unsupported value: "Random": supported values: "NonIndexed", "Indexed"',
    // The pod template's own check, then the Job's, as upstream reports both.
    'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
  ]);
});

test('a selector the user picked without manualSelector is refused', () => {
  const picked = edited(job, (j) => {
    j.spec.selector = { matchLabels: { app: 'pi' } };
  });
  assert.deepEqual(create(strategy, picked).errors, [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"pi", "batch.kubernetes.io/controller-uid":"00000000-0000-0000-0000-000000000001"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated',
  ]);
});

test('template, selector and completions are immutable; an Indexed job scales completions with parallelism', () => {
  const old = create(strategy, job).obj;
  const changed = edited(old, (j) => {
    j.spec.completions = 2;
    j.spec.template.spec.containers[0].image = 'busybox:2';
  });
  const errors = update(strategy, old, changed).errors;
  assert.equal(errors[0], 'spec.completions: Invalid value: 2: field is immutable');
  assert.match(errors[1] ?? '', /^spec\.template: Invalid value: .*: field is immutable$/);
  assert.equal(errors.length, 2);
  const indexed = create(
    strategy,
    edited(job, (j) => {
      j.spec.completionMode = 'Indexed';
      j.spec.completions = 2;
      j.spec.parallelism = 2;
    }),
  ).obj;
  const uneven = edited(indexed, (j) => {
    j.spec.completions = 4;
  });
  assert.deepEqual(update(strategy, indexed, uneven).errors, [
    'spec.completions: Invalid value: 4: can only be modified in tandem with spec.parallelism',
  ]);
  const even = edited(indexed, (j) => {
    j.spec.completions = 4;
    j.spec.parallelism = 4;
  });
  assert.deepEqual(update(strategy, indexed, even).errors, []);
});

test('a suspended job that never started may change its scheduling directives', () => {
  const old = create(
    strategy,
    edited(job, (j) => {
      j.spec.suspend = true;
    }),
  ).obj;
  const moved = edited(old, (j) => {
    j.spec.template.spec.nodeSelector = { zone: 'a' };
  });
  assert.deepEqual(update(strategy, old, moved).errors, []);
});
