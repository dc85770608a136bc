import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyStrategicMergePatch } from './apply.ts';
import type { SmpSchema } from './schema.ts';
import { mergeItemSchema, podSchema } from './testdata.ts';

interface Case {
  readonly name: string;
  readonly original: unknown;
  readonly patch: unknown;
  readonly expected: unknown;
  readonly schema?: SmpSchema;
}

const n = (...names: number[]) => names.map((name) => ({ name }));

const cases: Case[] = [
  // ---- $patch ----
  {
    name: '$patch: delete removes the matching container',
    original: { spec: { containers: [{ name: 'web' }, { name: 'sidecar', image: 'busybox' }] } },
    patch: { spec: { containers: [{ $patch: 'delete', name: 'web' }] } },
    expected: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } },
    schema: podSchema,
  },
  {
    name: '$patch: delete of a missing element is a no-op',
    original: { mergingList: [{ name: 1 }, { name: 2 }] },
    patch: { mergingList: [{ name: 3, $patch: 'delete' }] },
    expected: { mergingList: n(1, 2) },
  },
  {
    name: '$patch: delete removes every duplicate',
    original: { mergingList: [...n(1, 1), { name: 2, value: 'a' }, ...n(3, 3)] },
    patch: {
      mergingList: [
        { name: 1, $patch: 'delete' },
        { name: 3, $patch: 'delete' },
      ],
    },
    expected: { mergingList: [{ name: 2, value: 'a' }] },
  },
  {
    name: '$patch: delete on a map leaves it empty',
    original: { simpleMap: { key1: 1, key2: 1 } },
    patch: { simpleMap: { $patch: 'delete' } },
    expected: { simpleMap: {} },
  },
  {
    name: '$patch: replace on a map',
    original: { spec: { nodeSelector: { disk: 'ssd', zone: 'a' } } },
    patch: { spec: { nodeSelector: { $patch: 'replace', zone: 'b' } } },
    expected: { spec: { nodeSelector: { zone: 'b' } } },
    schema: podSchema,
  },
  {
    name: '$patch: replace on the whole object',
    original: { name: 1, value: 1 },
    patch: { other: 'a', $patch: 'replace' },
    expected: { other: 'a' },
  },
  {
    name: '$patch: replace in a list replaces the list',
    original: { spec: { containers: [{ name: 'web', image: 'a' }, { name: 'sidecar' }] } },
    patch: { spec: { containers: [{ $patch: 'replace' }, { name: 'web', image: 'b' }] } },
    expected: { spec: { containers: [{ name: 'web', image: 'b' }] } },
    schema: podSchema,
  },
  {
    name: '$patch: replace alone empties a list',
    original: { mergingList: n(1, 2) },
    patch: { mergingList: [{ $patch: 'replace' }] },
    expected: { mergingList: [] },
  },
  {
    name: 'a directive map for a field the original lacks is dropped (upstream removeDirectives)',
    original: {},
    patch: { simpleMap: { $patch: 'replace', a: 'b' }, mergingList: [{ $patch: 'replace' }, { name: 1 }] },
    expected: { mergingList: n(1) },
  },
  // ---- $retainKeys ----
  {
    name: '$retainKeys on a volume source: switching emptyDir to configMap',
    original: {
      spec: {
        volumes: [
          { name: 'data', emptyDir: { medium: 'Memory' } },
          { name: 'other', emptyDir: {} },
        ],
      },
    },
    patch: {
      spec: {
        '$setElementOrder/volumes': [{ name: 'data' }, { name: 'other' }],
        volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' }, name: 'data' }],
      },
    },
    expected: {
      spec: {
        volumes: [
          { name: 'data', configMap: { name: 'cm' } },
          { name: 'other', emptyDir: {} },
        ],
      },
    },
    schema: podSchema,
  },
  {
    name: '$retainKeys clears a defaulted field',
    original: { retainKeysMap: { name: 'type1', value: 'foo' } },
    patch: { retainKeysMap: { $retainKeys: ['name', 'other'], name: 'type2', other: 'bar' } },
    expected: { retainKeysMap: { name: 'type2', other: 'bar' } },
  },
  {
    name: '$retainKeys with a null and a parallel list in the patch',
    original: { retainKeysMap: { name: 'foo', value: 'a', other: 'b', mergingIntList: [1, 2] } },
    patch: {
      retainKeysMap: {
        $retainKeys: ['name', 'mergingIntList'],
        value: null,
        '$deleteFromPrimitiveList/mergingIntList': [1],
      },
    },
    expected: { retainKeysMap: { name: 'foo', mergingIntList: [2] } },
  },
  {
    name: 'a retainKeys field without the directive merges as usual',
    original: { retainKeysMap: { name: 'foo', value: 'a' } },
    patch: { retainKeysMap: { value: 'b' } },
    expected: { retainKeysMap: { name: 'foo', value: 'b' } },
  },
  // ---- $deleteFromPrimitiveList ----
  {
    name: '$deleteFromPrimitiveList/finalizers',
    original: { metadata: { finalizers: ['a', 'b', 'c'] } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
    expected: { metadata: { finalizers: ['a', 'c'] } },
    schema: podSchema,
  },
  {
    name: '$deleteFromPrimitiveList removes duplicates and ignores absent values',
    original: { mergingIntList: [1, 2, 3, 3] },
    patch: { '$deleteFromPrimitiveList/mergingIntList': [3, 9] },
    expected: { mergingIntList: [1, 2] },
  },
  {
    name: '$deleteFromPrimitiveList works on a list without merge strategy',
    original: { nonMergingIntList: [1, 2, 3] },
    patch: { '$deleteFromPrimitiveList/nonMergingIntList': [2] },
    expected: { nonMergingIntList: [1, 3] },
  },
  {
    name: '$deleteFromPrimitiveList on a missing or null list adds nothing',
    original: { foo: ['bar'], mergingIntList: null },
    patch: {
      '$deleteFromPrimitiveList/nonMergingIntList': [3],
      '$deleteFromPrimitiveList/mergingIntList': [3],
    },
    expected: { foo: ['bar'], mergingIntList: null },
  },
  {
    name: 'kubectl-style finalizer edit: add one, delete one, keep the order',
    original: { metadata: { finalizers: ['a', 'b', 'c'] } },
    patch: {
      metadata: {
        '$setElementOrder/finalizers': ['a', 'd', 'c'],
        '$deleteFromPrimitiveList/finalizers': ['b'],
        finalizers: ['d'],
      },
    },
    expected: { metadata: { finalizers: ['a', 'd', 'c'] } },
    schema: podSchema,
  },
  // ---- $setElementOrder ----
  {
    name: '$setElementOrder/containers reorders, merges and keeps server-only containers in place',
    original: {
      spec: { containers: [{ name: 'a' }, { name: 'b', image: 'b' }, { name: 'x' }, { name: 'c' }] },
    },
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }, { name: 'c' }],
        containers: [{ name: 'c', image: 'c2' }],
      },
    },
    expected: {
      spec: {
        containers: [{ name: 'b', image: 'b' }, { name: 'a' }, { name: 'x' }, { name: 'c', image: 'c2' }],
      },
    },
    schema: podSchema,
  },
  {
    name: '$setElementOrder with server-only elements (upstream "server-only items 3")',
    original: { mergingList: [{ name: 1, other: 'a' }, { name: 2 }, ...n(7, 9, 8), ...n(3, 4)] },
    patch: { '$setElementOrder/mergingList': n(2, 1, 4, 3) },
    expected: { mergingList: [{ name: 2 }, { name: 1, other: 'a' }, ...n(7, 9, 8), ...n(4, 3)] },
  },
  {
    name: '$setElementOrder adding an item to an int list',
    original: { mergingIntList: [1, 4, 2] },
    patch: { '$setElementOrder/mergingIntList': [3, 1, 2], mergingIntList: [3] },
    expected: { mergingIntList: [3, 1, 4, 2] },
  },
  {
    name: '$setElementOrder naming an item the list lacks',
    original: { mergingList: n(1, 3) },
    patch: {
      '$setElementOrder/mergingList': n(3, 2, 1),
      mergingList: [
        { name: 3, value: 3 },
        { name: 1, value: 1 },
      ],
    },
    expected: {
      mergingList: [
        { name: 3, value: 3 },
        { name: 1, value: 1 },
      ],
    },
  },
  {
    name: '$setElementOrder with a deletion and an addition (upstream "add map and delete map")',
    original: { mergingList: [{ name: 1 }, { name: 2, other: 'b' }, { name: 4, other: 'c' }] },
    patch: {
      '$setElementOrder/mergingList': n(2, 3),
      mergingList: [{ name: 3 }, { name: 1, $patch: 'delete' }],
    },
    expected: { mergingList: [{ name: 2, other: 'b' }, { name: 4, other: 'c' }, { name: 3 }] },
  },
  {
    name: '$setElementOrder with duplicates in the list',
    original: { mergingIntList: [1, 2, 3, 2, 4] },
    patch: { '$setElementOrder/mergingIntList': [2, 1, 4, 3, 2] },
    expected: { mergingIntList: [2, 2, 1, 4, 3] },
  },
  {
    name: 'delete and reorder in one list, reorder in another',
    original: {
      mergingList: [
        { name: 'a', value: 'a' },
        { name: 'b', value: 'b' },
      ],
      mergeItemPtr: [
        { name: 'c', value: 'c' },
        { name: 'd', value: 'd' },
      ],
    },
    patch: {
      '$setElementOrder/mergingList': [{ name: 'b' }],
      '$setElementOrder/mergeItemPtr': [{ name: 'd' }, { name: 'c' }],
      mergingList: [{ $patch: 'delete', name: 'a' }],
    },
    expected: {
      mergingList: [{ name: 'b', value: 'b' }],
      mergeItemPtr: [
        { name: 'd', value: 'd' },
        { name: 'c', value: 'c' },
      ],
    },
  },
  // ---- leftovers never reach the result ----
  {
    name: 'directives inside new content are dropped',
    original: { mergingList: n(1) },
    patch: {
      mergingList: [
        { name: 2, '$setElementOrder/mergingList': n(5), mergingList: [{ name: 5, $retainKeys: ['name'] }] },
      ],
      mergeItemPtr: [{ name: 'x', '$deleteFromPrimitiveList/mergingIntList': [1], $retainKeys: ['name'] }],
    },
    expected: { mergingList: [{ name: 2, mergingList: n(5) }, { name: 1 }], mergeItemPtr: [{ name: 'x' }] },
  },
  {
    name: 'a directive key on an element of a replaced list is stripped',
    original: { nonMergingList: n(1) },
    patch: { nonMergingList: [{ name: 2, $patch: 'delete' }] },
    expected: { nonMergingList: n(2) },
  },
];

for (const c of cases) {
  test(`directives: ${c.name}`, () => {
    assert.deepEqual(applyStrategicMergePatch(c.original, c.patch, c.schema ?? mergeItemSchema), c.expected);
  });
}
