import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cronTabCRD } from '../../registry/crd/testing.ts';
import { calculateNames } from './naming.ts';

const none = { resources: new Set<string>(), kinds: new Set<string>() };

test('free names are accepted and the CRD starts installing', () => {
  const crd = cronTabCRD();
  const r = calculateNames(crd, none);
  assert.deepEqual(r.acceptedNames, crd.spec!.names);
  assert.deepEqual(r.namesAccepted, {
    type: 'NamesAccepted',
    status: 'True',
    reason: 'NoConflicts',
    message: 'no conflicts found',
  });
  assert.deepEqual(r.established, {
    type: 'Established',
    status: 'False',
    reason: 'Installing',
    message: 'the initial names have been accepted',
  });
});

test('names in use are refused with upstream reasons; the rest are accepted', () => {
  const crd = cronTabCRD();
  crd.spec!.names!.listKind = 'CronTabList';
  const r = calculateNames(crd, { resources: new Set(['crontabs', 'ct']), kinds: new Set(['CronTabList']) });
  assert.equal(r.namesAccepted.status, 'False');
  assert.equal(r.namesAccepted.reason, 'ListKindConflict');
  assert.equal(r.namesAccepted.message, '"CronTabList" is already in use');
  assert.deepEqual(r.acceptedNames, { singular: 'crontab', kind: 'CronTab' });
  assert.deepEqual(r.established, {
    type: 'Established',
    status: 'False',
    reason: 'NotAccepted',
    message: 'not all names are accepted',
  });
  const short = calculateNames(cronTabCRD(), { resources: new Set(['ct']), kinds: new Set() });
  assert.deepEqual(
    [short.namesAccepted.reason, short.namesAccepted.message],
    ['ShortNamesConflict', '"ct" is already in use'],
  );
});

test('names the CRD already holds stay its own', () => {
  const crd = cronTabCRD();
  crd.status = {
    acceptedNames: { ...crd.spec!.names },
    conditions: [{ type: 'Established', status: 'True', reason: 'InitialNamesAccepted' }],
  };
  crd.spec!.names!.shortNames = ['ct', 'cts'];
  const r = calculateNames(crd, {
    resources: new Set(['crontabs', 'crontab', 'ct']),
    kinds: new Set(['CronTab']),
  });
  assert.equal(r.namesAccepted.status, 'True');
  assert.deepEqual(r.acceptedNames.shortNames, ['ct', 'cts']);
  assert.equal(r.established.status, 'True');
});
