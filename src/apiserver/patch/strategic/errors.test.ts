import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyStrategicMergePatch } from './apply.ts';
import { type SmpSchema, smpSchemaFromTable } from './schema.ts';
import { mergeItemSchema } from './testdata.ts';

const n = (...names: number[]) => names.map((name) => ({ name }));

// Malformed patches throw plain Errors carrying upstream's messages (the handler maps them to 4xx).
const errors: {
  name: string;
  original?: unknown;
  patch: unknown;
  message: string | RegExp;
  schema?: SmpSchema;
}[] = [
  {
    name: 'a document that is not an object',
    original: [1],
    patch: {},
    message: 'invalid JSON document',
  },
  {
    name: 'a patch that is not an object',
    patch: [1],
    message: 'invalid JSON document',
  },
  {
    name: 'a list element missing its merge key',
    original: { mergingList: [{ name: 1, value: 'a' }] },
    patch: { mergingList: [{ value: 'b' }] },
    message: 'map: map[value:b] does not contain declared merge key: name',
  },
  {
    name: 'an original element missing its merge key',
    original: { mergingList: [{ value: 'a' }] },
    patch: { mergingList: [{ name: 1 }] },
    message: 'map: map[value:a] does not contain declared merge key: name',
  },
  {
    name: 'lists of lists',
    original: { mergingIntList: [[1]] },
    patch: { mergingIntList: [[2]] },
    message: 'lists of lists are not supported',
  },
  {
    name: 'mixed element types',
    original: { mergingIntList: [1] },
    patch: { mergingIntList: ['a'] },
    message: 'list element types are not identical: [[1] [a]]',
  },
  {
    name: 'a merge strategy without a merge key on a list of maps',
    original: { mergingIntList: [{ a: 1 }] },
    patch: { mergingIntList: [{ a: 2 }] },
    message: 'cannot merge lists without merge key for mergingIntList',
  },
  {
    name: 'an unknown $patch on a map',
    patch: { simpleMap: { $patch: 'unknown', a: 1 } },
    original: { simpleMap: {} },
    message: 'unknown patch type: unknown in map: map[$patch:unknown a:1]',
  },
  {
    name: '$patch: merge on a map',
    patch: { $patch: 'merge' },
    message: 'unknown patch type: merge in map: map[$patch:merge]',
  },
  {
    name: 'an unknown $patch in a list',
    original: { mergingList: n(1) },
    patch: { mergingList: [{ $patch: 'keep', name: 1 }] },
    message: 'unknown patch type: keep in map: map[$patch:keep name:1]',
  },
  {
    name: '$patch: merge in a list',
    original: { mergingList: n(1) },
    patch: { mergingList: [{ $patch: 'merge' }] },
    message: 'merging lists cannot yet be specified in the patch',
  },
  {
    name: '$patch: delete without the merge key',
    original: { mergingList: n(1) },
    patch: { mergingList: [{ $patch: 'delete', value: 1 }] },
    message: 'map: map[$patch:delete value:1] does not contain declared merge key: name',
  },
  {
    name: '$retainKeys that is not a list',
    original: { retainKeysMap: {} },
    patch: { retainKeysMap: { $retainKeys: 'name' } },
    message: 'invalid patch format of retainKeys',
  },
  {
    name: '$retainKeys missing a key the patch sets',
    original: { retainKeysMap: {} },
    patch: { retainKeysMap: { $retainKeys: ['name'], name: 'a', value: 'b' } },
    message: 'invalid patch format of retainKeys',
  },
  {
    name: '$deleteFromPrimitiveList without a field',
    patch: { $deleteFromPrimitiveList: [1] },
    message: 'invalid patch format of primitive list',
  },
  {
    name: '$setElementOrder without a field',
    patch: { $setElementOrder: [1] },
    message: 'invalid patch format of setElementOrder list',
  },
  {
    name: '$setElementOrder that is not a list',
    patch: { '$setElementOrder/mergingList': { name: 1 } },
    message: 'expected a []interface {}, but received a map[string]interface {}',
  },
  {
    name: '$setElementOrder contradicting the patch list',
    original: { mergingList: n(1, 3, 2) },
    patch: { '$setElementOrder/mergingList': n(1, 2, 3), mergingList: n(3, 1) },
    message: /doesn't match \$setElementOrder list/,
  },
  {
    name: '$setElementOrder contradicting a primitive patch list',
    original: { mergingIntList: [1, 3, 2] },
    patch: { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] },
    message: "The order in patch list:\n[3 1]\n doesn't match $setElementOrder list:\n[1 2 3]\n",
  },
  {
    name: 'a malformed patch strategy in the schema',
    original: { list: [1] },
    patch: { list: [2] },
    message: 'unexpected patch strategy: [merge replace]',
    schema: smpSchemaFromTable({ list: { strategy: 'merge,replace' } }),
  },
];

for (const c of errors) {
  test(`error: ${c.name}`, () => {
    assert.throws(() => applyStrategicMergePatch(c.original ?? {}, c.patch, c.schema ?? mergeItemSchema), {
      message: c.message,
    });
  });
}
