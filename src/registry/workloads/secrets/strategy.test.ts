import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import { isStatusError } from '../../../api/status.ts';
import { create, edited, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('', 'secrets');
const secret: KubeObject = { kind: 'Secret', metadata: { name: 's' }, data: { user: 'YWRtaW4=' } };

test('type defaults to Opaque; stringData is written into data and dropped; type is selectable', () => {
  const { obj, errors } = create(
    strategy,
    edited(secret, (s) => {
      s.stringData = { password: 'hunter2', user: 'root' };
    }),
  );
  assert.deepEqual(errors, []);
  assert.equal(obj.type, 'Opaque');
  assert.equal(obj.stringData, undefined);
  assert.deepEqual(obj.data, { user: 'cm9vdA==', password: 'aHVudGVyMg==' });
  assert.equal(strategy.selectableFields(obj).type, 'Opaque');
});

test('data must be base64: a 400 naming the byte, as decoding fails upstream', () => {
  for (const [value, at] of [
    ['abc', 0],
    ['ab$d', 2],
    ['YQ=', 3],
    ['YQ==YQ==', 4],
  ] as const) {
    assert.throws(
      () => create(strategy, { ...secret, data: { x: value } }),
      (e) =>
        isStatusError(e) &&
        e.code === 400 &&
        e.message ===
          `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${at}`,
      value,
    );
  }
});

test('typed secrets need their keys', () => {
  const typed = (type: string, data: Record<string, string> = {}) =>
    create(strategy, { ...secret, type, data }).errors;
  assert.deepEqual(typed('kubernetes.io/tls'), [
    'data[tls.crt]: Required value',
    'data[tls.key]: Required value',
  ]);
  assert.deepEqual(typed('kubernetes.io/dockerconfigjson'), ['data[.dockerconfigjson]: Required value']);
  assert.deepEqual(typed('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': 'WzFd' }), [
    'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}',
  ]);
  assert.deepEqual(typed('kubernetes.io/service-account-token'), [
    'metadata.annotations[kubernetes.io/service-account.name]: Required value',
  ]);
  assert.deepEqual(typed('kubernetes.io/basic-auth'), [
    'data[username]: Required value',
    'data[password]: Required value',
  ]);
  assert.deepEqual(typed('example.com/custom'), []);
});

test('type is immutable, and so is the data of an immutable secret', () => {
  const old = create(
    strategy,
    edited(secret, (s) => {
      s.immutable = true;
    }),
  ).obj;
  const changed = edited(old, (s) => {
    s.type = 'example.com/custom';
    s.data.user = 'cm9vdA==';
  });
  assert.deepEqual(update(strategy, old, changed).errors, [
    'type: Invalid value: "example.com/custom": field is immutable',
    'data: Forbidden: field is immutable when `immutable` is set',
  ]);
  const unset = edited(old, (s) => {
    delete s.immutable;
  });
  assert.deepEqual(update(strategy, old, unset).errors, [
    'immutable: Forbidden: field is immutable when `immutable` is set',
  ]);
});
