import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import { isStatusError } from '../../../api/status.ts';
import { create, edited, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('', 'configmaps');
const cm: KubeObject = { kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { 'app.conf': 'x=1' } };

test('keys are config keys; data and binaryData may not share one', () => {
  const bad = edited(cm, (c) => {
    c.data = { 'bad key': '1', same: '2' };
    c.binaryData = { same: 'AA==' };
  });
  assert.deepEqual(create(strategy, bad).errors, [
    "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    'data[same]: Invalid value: "same": duplicate of key present in binaryData',
  ]);
  assert.deepEqual(
    create(
      strategy,
      edited(cm, (c) => {
        c.data = { '..': 'x' };
      }),
    ).errors,
    ['data[..]: Invalid value: "..": must not be \'..\''],
  );
});

test('at most 1 MiB in all; binaryData must be base64', () => {
  const big = edited(cm, (c) => {
    c.data = { a: 'x'.repeat(600 * 1024), b: 'y'.repeat(600 * 1024) };
  });
  assert.deepEqual(create(strategy, big).errors, [': Too long: may not be more than 1048576 bytes']);
  const garbled = edited(cm, (c) => {
    c.binaryData = { bin: 'not base64!' };
  });
  assert.throws(
    () => create(strategy, garbled),
    (e) =>
      isStatusError(e) &&
      e.code === 400 &&
      e.message ===
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 3',
  );
});

test('an immutable ConfigMap keeps its data and stays immutable', () => {
  const old = create(
    strategy,
    edited(cm, (c) => {
      c.immutable = true;
    }),
  ).obj;
  const changed = edited(old, (c) => {
    c.data['app.conf'] = 'x=2';
    c.immutable = false;
  });
  assert.deepEqual(update(strategy, old, changed).errors, [
    'immutable: Forbidden: field is immutable when `immutable` is set',
    'data: Forbidden: field is immutable when `immutable` is set',
  ]);
  const labelled = edited(old, (c) => {
    c.metadata.labels = { a: 'b' };
  });
  assert.deepEqual(update(strategy, old, labelled).errors, []);
});
