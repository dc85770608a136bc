import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldErrorString } from '../../api/field-errors.ts';
import { toFieldErrors } from './schema-errors.ts';
import { validateValue } from './schema-validate.ts';
import type { JSONSchemaProps } from './types.ts';

const errors = (schema: JSONSchemaProps, value: unknown, prefix = '') =>
  toFieldErrors(validateValue(schema, value), prefix).map(fieldErrorString);

const cronTab: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['cronSpec'],
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
        image: { type: 'string', enum: ['a', 'b'] },
        replicas: { type: 'integer', minimum: 1, maximum: 10 },
        tags: {
          type: 'array',
          maxItems: 2,
          minItems: 1,
          items: { type: 'string', maxLength: 3, minLength: 1 },
        },
        port: { 'x-kubernetes-int-or-string': true },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1 },
        ratio: { type: 'number', exclusiveMaximum: true, maximum: 1.5 },
        note: { type: 'string', nullable: true },
      },
    },
  },
};

test('a valid object has no errors', () => {
  const ok = {
    spec: {
      cronSpec: '* * * * */5',
      image: 'a',
      replicas: 3,
      tags: ['x'],
      port: 80,
      labels: { a: 'b' },
      note: null,
    },
  };
  assert.deepEqual(errors(cronTab, ok), []);
  assert.deepEqual(errors(cronTab, { spec: { cronSpec: '* * * * *', port: 'http', ratio: 1.2 } }), []);
});

test('type errors name the field and the JSON type, as kube-openapi words them', () => {
  assert.deepEqual(errors(cronTab, { spec: { cronSpec: '* * * * *', replicas: 'string' } }), [
    'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
  ]);
  assert.deepEqual(
    errors(cronTab, { spec: { cronSpec: '* * * * *', replicas: 1.5, port: true, image: null } }),
    [
      'spec.image: Invalid value: "null": spec.image in body must be of type string: "null"',
      'spec.image: Unsupported value: null: supported values: "a", "b"',
      'spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"',
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
    ],
  );
  assert.deepEqual(errors(cronTab, { spec: [] }), [
    'spec: Invalid value: "array": spec in body must be of type object: "array"',
  ]);
});

test('required, enum, pattern and bounds', () => {
  assert.deepEqual(errors(cronTab, { spec: { image: 'c', replicas: 11 } }), [
    'spec.image: Unsupported value: "c": supported values: "a", "b"',
    'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
    'spec.cronSpec: Required value',
  ]);
  assert.deepEqual(errors(cronTab, { spec: { cronSpec: 'bad', replicas: 0, ratio: 1.5 } }), [
    `spec.cronSpec: Invalid value: "bad": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'`,
    'spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1',
    'spec.ratio: Invalid value: 1.5: spec.ratio in body should be less than 1.5',
  ]);
});

test('lengths, items and properties', () => {
  assert.deepEqual(errors(cronTab, { spec: { cronSpec: '* * * * *', tags: ['abcd', '', 'c'] } }), [
    'spec.tags[0]: Too long: may not be more than 3 bytes',
    'spec.tags[1]: Invalid value: "": spec.tags[1] in body should be at least 1 chars long',
    'spec.tags: Too many: 3: must have at most 2 items',
  ]);
  assert.deepEqual(errors(cronTab, { spec: { cronSpec: '* * * * *', tags: [], labels: { a: 'b', c: 1 } } }), [
    'spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items',
    'spec.labels: Too many: 2: must have at most 1 item',
    'spec.labels.c: Invalid value: "integer": spec.labels.c in body must be of type string: "integer"',
  ]);
});

test('formats the server knows are checked, others ignored', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    properties: {
      when: { type: 'string', format: 'date-time' },
      ip: { type: 'string', format: 'ipv4' },
      any: { type: 'string', format: 'no-such-format' },
      small: { type: 'integer', format: 'int32' },
    },
  };
  assert.deepEqual(errors(s, { when: '2024-01-02T03:04:05Z', ip: '10.0.0.1', any: 'x', small: 5 }), []);
  assert.deepEqual(errors(s, { when: 'yesterday', ip: '10.0.0' }), [
    'when: Invalid value: "yesterday": when in body must be of type date-time: "yesterday"',
    'ip: Invalid value: "10.0.0": ip in body must be of type ipv4: "10.0.0"',
  ]);
});

test('allOf, anyOf, oneOf and not report without a field, as upstream does', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    properties: { a: { type: 'string', anyOf: [{ minLength: 3 }, { maxLength: 1 }] } },
  };
  assert.deepEqual(errors(s, { a: 'xyz' }), []);
  assert.deepEqual(errors(s, { a: 'xy' }), [
    '<nil>: Invalid value: "": "a" must validate at least one schema (anyOf)',
    'a: Invalid value: "xy": a in body should be at least 3 chars long',
  ]);
  assert.deepEqual(errors({ not: { type: 'string' } }, 'x', 'spec.x.default'), [
    'spec.x.default: Invalid value: "": "" must not validate the schema (not)',
  ]);
});

test('status errors are reported under the prefix given', () => {
  assert.deepEqual(
    errors({ type: 'object', properties: { n: { type: 'integer', maximum: 10 } } }, { n: 15 }, 'status'),
    ['status.n: Invalid value: 15: n in body should be less than or equal to 10'],
  );
});
