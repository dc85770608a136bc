import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import { podTemplate } from '../shared/fixtures.ts';
import { create, edited, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('batch', 'cronjobs');
const cron: KubeObject = {
  metadata: { name: 'nightly' },
  spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: podTemplate({}, 'OnFailure') } } },
};
const withSpec = (change: Record<string, unknown>) =>
  edited(cron, (c) => {
    Object.assign(c.spec, change);
  });

test('defaults: Allow, not suspended, keep 3 successful and 1 failed job', () => {
  const { obj, errors } = create(strategy, cron);
  assert.deepEqual(errors, []);
  const spec = obj.spec as Record<string, unknown>;
  assert.equal(spec.concurrencyPolicy, 'Allow');
  assert.equal(spec.suspend, false);
  assert.equal(spec.successfulJobsHistoryLimit, 3);
  assert.equal(spec.failedJobsHistoryLimit, 1);
});

test('schedules parse as robfig/cron does, with its messages', () => {
  const errorsFor = (schedule: string) => create(strategy, withSpec({ schedule })).errors;
  assert.deepEqual(errorsFor('nope'), [
    'spec.schedule: Invalid value: "nope": expected exactly 5 fields, found 1: [nope]',
  ]);
  assert.deepEqual(errorsFor('61 * * * *'), [
    'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
  ]);
  assert.deepEqual(errorsFor('@fortnightly'), [
    'spec.schedule: Invalid value: "@fortnightly": unrecognized descriptor: @fortnightly',
  ]);
  assert.deepEqual(errorsFor('*/0 * * * *'), [
    'spec.schedule: Invalid value: "*/0 * * * *": step of range should be a positive number: */0',
  ]);
  assert.deepEqual(errorsFor('TZ=UTC 0 3 * * *'), [
    'spec.schedule: Invalid value: "TZ=UTC 0 3 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
  ]);
  for (const ok of ['@hourly', '@every 90m', '*/5 1-3 1,15 jan-mar mon-fri', '0 0 ? * SUN'])
    assert.deepEqual(errorsFor(ok), [], ok);
  assert.deepEqual(create(strategy, withSpec({ schedule: '' })).errors, ['spec.schedule: Required value']);
});

test('concurrencyPolicy and timeZone are checked', () => {
  assert.deepEqual(create(strategy, withSpec({ concurrencyPolicy: 'Sometimes' })).errors, [
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
  ]);
  assert.deepEqual(create(strategy, withSpec({ timeZone: 'Mars/Olympus' })).errors, [
    'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
  ]);
  assert.deepEqual(
    create(strategy, withSpec({ timeZone: 'Europe/Berlin', startingDeadlineSeconds: -5 })).errors,
    ['spec.startingDeadlineSeconds: Invalid value: -5: must be greater than or equal to 0'],
  );
});

test('job templates get no selector; long names are refused on create only', () => {
  assert.deepEqual(
    create(
      strategy,
      edited(cron, (c) => {
        c.spec.jobTemplate.spec.selector = { matchLabels: { a: 'b' } };
        c.spec.jobTemplate.spec.template.spec.restartPolicy = 'Always';
      }),
    ).errors,
    [
      'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
      'spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
    ],
  );
  const long = edited(cron, (c) => {
    c.metadata.name = 'x'.repeat(53);
  });
  assert.deepEqual(create(strategy, long).errors, [
    `metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`,
  ]);
  const stored = {
    ...create(strategy, cron).obj,
    metadata: { ...cron.metadata, name: 'x'.repeat(53), generation: 1 },
  };
  assert.deepEqual(update(strategy, stored, stored).errors, []);
});
