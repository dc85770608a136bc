import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults, pruneNonNullableNulls } from './schema-default.ts';
import { prune } from './schema-prune.ts';
import type { JSONSchemaProps } from './types.ts';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer', default: 1 },
        image: { type: 'string' },
        items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { known: { type: 'object', properties: { a: { type: 'string' } } } },
        },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } },
        },
        policy: {
          type: 'object',
          default: { mode: 'auto' },
          properties: { mode: { type: 'string' }, level: { type: 'integer', default: 3 } },
        },
        note: { type: 'string', nullable: true },
        count: { type: 'integer' },
      },
    },
  },
};

test('pruning drops and reports what the schema does not specify, sorted', () => {
  const obj = {
    apiVersion: 'x/v1',
    kind: 'X',
    metadata: { name: 'a', whatever: 1 },
    other: 1,
    spec: {
      image: 'i',
      extra: true,
      items: [{ name: 'a', bad: 1 }],
      labels: { a: 'b' },
      free: { anything: { deep: 1 }, known: { a: 'x', b: 'y' } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'y', z: 1 }, junk: 1 },
    },
  };
  const unknown = prune(obj, schema);
  assert.deepEqual(unknown, [
    'other',
    'spec.extra',
    'spec.free.known.b',
    'spec.items[0].bad',
    'spec.template.junk',
    'spec.template.spec.z',
  ]);
  assert.deepEqual(obj, {
    apiVersion: 'x/v1',
    kind: 'X',
    metadata: { name: 'a', whatever: 1 },
    spec: {
      image: 'i',
      items: [{ name: 'a' }],
      labels: { a: 'b' },
      free: { anything: { deep: 1 }, known: { a: 'x' } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'y' } },
    },
  });
});

test('preserve-unknown-fields at the root keeps everything', () => {
  const obj = { spec: { a: 1 }, b: [1] };
  assert.deepEqual(prune(obj, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }), []);
  assert.deepEqual(obj, { spec: { a: 1 }, b: [1] });
});

test('defaults fill missing fields and non-nullable nulls, nested defaults too', () => {
  const obj: Record<string, unknown> = { spec: { image: 'i' } };
  applyDefaults(obj, schema);
  assert.deepEqual(obj, { spec: { image: 'i', replicas: 1, policy: { mode: 'auto', level: 3 } } });
  const withNull: Record<string, unknown> = { spec: { replicas: null, policy: { mode: 'm' } } };
  applyDefaults(withNull, schema);
  assert.deepEqual(withNull, { spec: { replicas: 1, policy: { mode: 'm', level: 3 } } });
});

test('nulls without a default go unless nullable', () => {
  const obj = { spec: { note: null, count: null, image: 'i' } };
  pruneNonNullableNulls(obj, schema);
  assert.deepEqual(obj, { spec: { note: null, image: 'i' } });
});
