import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, strategyOf } from '../shared/testing.ts';

const strategy = strategyOf('', 'limitranges');
const lr = (limits: unknown[]) => ({ metadata: { name: 'limits' }, spec: { limits } });

test('limit types, resource names and min <= max', () => {
  assert.deepEqual(
    create(strategy, lr([{ type: 'Container', default: { cpu: '500m' }, max: { cpu: '1' } }])).errors,
    [],
  );
  assert.deepEqual(
    create(
      strategy,
      lr([
        { type: 'Pod', default: { cpu: '1' } },
        { type: 'Container', min: { memory: '2Gi' }, max: { memory: '1Gi', gpus: '1' } },
        { type: 'Container' },
        { type: 'PersistentVolumeClaim' },
      ]),
    ).errors,
    [
      "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'",
      'spec.limits[1].max[gpus]: Invalid value: "gpus": must be a standard resource for containers',
      'spec.limits[1].min[memory]: Invalid value: "2Gi": min value 2Gi is greater than max value 1Gi',
      'spec.limits[2].type: Duplicate value: "Container"',
      'spec.limits[3].limits: Required value: either minimum or maximum storage value is required, but neither was provided',
    ],
  );
});
