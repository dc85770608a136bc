import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldErrorString } from '../../api/field-errors.ts';
import { validateCRDSchema } from './schema-checks.ts';
import type { JSONSchemaProps } from './types.ts';

const check = (schema: unknown, status = false) =>
  validateCRDSchema(schema as JSONSchemaProps, status, 'spec.validation').map(fieldErrorString);

const P = 'spec.validation.openAPIV3Schema';

test('a structural schema passes', () => {
  const ok = {
    type: 'object',
    properties: {
      metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } },
      spec: {
        type: 'object',
        properties: {
          port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          list: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
          n: { type: 'integer', default: 3 },
          either: { type: 'string', oneOf: [{ pattern: '^a' }, { pattern: '^b' }] },
        },
      },
      status: { type: 'object', properties: { replicas: { type: 'integer' } } },
    },
  };
  assert.deepEqual(check(ok, true), []);
});

test('a missing type is reported at every level, sorted as upstream sorts', () => {
  assert.deepEqual(check({ properties: { spec: { properties: { a: {} } }, list: { type: 'array' } } }), [
    `${P}.properties[list].items: Required value: must be specified`,
    `${P}.properties[spec].properties[a].type: Required value: must not be empty for specified object fields`,
    `${P}.properties[spec].type: Required value: must not be empty for specified object fields`,
    `${P}.type: Required value: must not be empty at the root`,
  ]);
  assert.deepEqual(check({ type: 'array', items: { type: 'string' } }), [
    `${P}.type: Invalid value: "array": must be object at the root`,
  ]);
});

test('value validations may not carry types, and what they name must be specified', () => {
  assert.deepEqual(
    check({
      type: 'object',
      properties: { a: { type: 'string' } },
      anyOf: [{ properties: { a: { type: 'string' }, b: {} } }],
    }),
    [
      `${P}.anyOf[0].properties[a].type: Forbidden: must be empty to be structural`,
      `${P}.properties[b]: Required value: because it is defined in ${P}.anyOf[0].properties[b]`,
    ],
  );
});

test('metadata at the root may only restrict name and generateName', () => {
  assert.deepEqual(
    check({
      type: 'object',
      properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } },
    }),
    [
      `${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    ],
  );
});

// A default's own type error has an empty name: upstream's message starts with " in body".
test('defaults must validate and be pruned; not allowed in top-level metadata', () => {
  assert.deepEqual(
    check({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            n: { type: 'integer', default: 'x' },
            o: { type: 'object', default: { z: 1 }, properties: { y: { type: 'string' } } },
          },
        },
      },
    }),
    [
      `${P}.properties[spec].properties[n].default: Invalid value: "string":  in body must be of type integer: "string"`,
      `${P}.properties[spec].properties[o].default: Invalid value: {"z":1}: must not have unknown fields`,
    ],
  );
  assert.deepEqual(check({ type: 'object', properties: { kind: { type: 'string', default: 'X' } } }), [
    `${P}.properties[kind].default: Forbidden: must not be set in top-level kind`,
  ]);
});

test('with a status subresource the root is an object with only some fields', () => {
  assert.deepEqual(
    check({ type: 'string' }, true)[0],
    `${P}.type: Invalid value: "string": only "object" is allowed as the type at the root of the schema if the status subresource is enabled`,
  );
  assert.match(
    check({ type: 'object', additionalProperties: { type: 'string' } }, true)[0]!,
    /only \[Description Type .*\] fields are allowed at the root of the schema if the status subresource is enabled$/,
  );
  assert.deepEqual(check({ type: 'object', nullable: true }), [
    `${P}.nullable: Forbidden: nullable cannot be true at the root`,
  ]);
});

test('OpenAPI features CRDs do not support', () => {
  assert.deepEqual(
    check({
      type: 'object',
      properties: {
        a: { type: 'array', uniqueItems: true, items: { type: 'string' } },
        b: { $ref: '#/x' },
        c: { type: 'null' },
      },
    }),
    [
      `${P}.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
      `${P}.properties[b].$ref: Forbidden: $ref is not supported`,
      `${P}.properties[c].type: Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"`,
      `${P}.properties[c].type: Forbidden: type cannot be set to null, use nullable as an alternative`,
    ],
  );
  assert.deepEqual(
    check({
      type: 'object',
      properties: {
        m: {
          type: 'object',
          properties: { a: { type: 'string' } },
          additionalProperties: { type: 'string' },
        },
      },
    }),
    [
      `${P}.properties[m].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
    ],
  );
  assert.deepEqual(
    check({
      type: 'object',
      properties: {
        l: {
          type: 'array',
          items: { type: 'object', properties: { k: { type: 'string' } } },
          'x-kubernetes-list-type': 'map',
        },
      },
    }),
    [
      `${P}.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`,
    ],
  );
});
