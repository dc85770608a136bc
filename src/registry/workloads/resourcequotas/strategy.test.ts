import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, strategyOf } from '../shared/testing.ts';

const strategy = strategyOf('', 'resourcequotas');

test('hard limits name quota resources with quantities; scopes do not conflict', () => {
  const quota = (spec: Record<string, unknown>) => ({ metadata: { name: 'q' }, spec });
  assert.deepEqual(
    create(strategy, quota({ hard: { pods: '10', 'requests.cpu': '2', 'count/jobs.batch': '5' } })).errors,
    [],
  );
  assert.deepEqual(
    create(strategy, quota({ hard: { widgets: '1', pods: '-1' }, scopes: ['BestEffort', 'NotBestEffort'] }))
      .errors,
    [
      'spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota',
      'spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0',
      'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort"}: conflicting scopes',
    ],
  );
});
