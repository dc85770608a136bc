import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyStrategicMergePatch } from './apply.ts';
import type { SmpSchema } from './schema.ts';
import { deploymentSchema, mergeItemSchema, podSchema } from './testdata.ts';

interface Case {
  readonly name: string;
  readonly original: unknown;
  readonly patch: unknown;
  readonly expected: unknown;
  readonly schema?: SmpSchema;
}

const web = { name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] };
const sidecar = { name: 'sidecar', image: 'busybox' };

// Upstream facts first (MergeItem schema), then the same rules on pod specs.
const cases: Case[] = [
  {
    name: 'merging int list: unique scalars (set union)',
    original: { mergingIntList: [1, 2] },
    patch: { mergingIntList: [2, 3] },
    expected: { mergingIntList: [1, 2, 3] },
  },
  {
    name: 'merging int list: patch order wins for the elements it names',
    original: { mergingIntList: [1, 2, 3] },
    patch: { mergingIntList: [3, 1, 2] },
    expected: { mergingIntList: [3, 1, 2] },
  },
  {
    name: 'merging int list: server-only elements keep their place',
    original: { mergingIntList: [1, 2, 3] },
    patch: { mergingIntList: [3, 1] },
    expected: { mergingIntList: [2, 3, 1] },
  },
  {
    name: 'merging int list: new values go in front, duplicates collapse',
    original: { mergingIntList: [1, 1, 2] },
    patch: { mergingIntList: [3] },
    expected: { mergingIntList: [3, 1, 2] },
  },
  {
    name: 'non-merging int list is replaced',
    original: { nonMergingIntList: [1, 2] },
    patch: { nonMergingIntList: [2, 3] },
    expected: { nonMergingIntList: [2, 3] },
  },
  {
    name: 'merging list: elements matched by key are merged, in patch order',
    original: { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
    patch: {
      mergingList: [
        { name: 3, value: 'c' },
        { name: 1, value: 'a' },
        { name: 2, other: 'x' },
      ],
    },
    expected: {
      mergingList: [
        { name: 3, value: 'c' },
        { name: 1, value: 'a' },
        { name: 2, value: 'b', other: 'x' },
      ],
    },
  },
  {
    name: 'merging list: unnamed elements stay before the named ones they preceded',
    original: { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
    patch: {
      mergingList: [
        { name: 3, value: 'c' },
        { name: 1, value: 'a' },
      ],
    },
    expected: {
      mergingList: [
        { name: 2, value: 'b' },
        { name: 3, value: 'c' },
        { name: 1, value: 'a' },
      ],
    },
  },
  {
    name: 'merging list: null deletes a field of an element',
    original: { mergingList: [{ name: 1, value: 1, other: 'a' }, { name: 2 }] },
    patch: { mergingList: [{ name: 1, value: null }] },
    expected: { mergingList: [{ name: 1, other: 'a' }, { name: 2 }] },
  },
  {
    name: 'merging list nested in a merging list',
    original: {
      mergingList: [
        { name: 1, other: 'a', mergingList: [{ name: 1 }, { name: 2, value: 2 }] },
        { name: 2, other: 'b' },
      ],
    },
    patch: { mergingList: [{ name: 1, mergingList: [{ name: 1, value: 1 }] }] },
    expected: {
      mergingList: [
        {
          name: 1,
          other: 'a',
          mergingList: [
            { name: 1, value: 1 },
            { name: 2, value: 2 },
          ],
        },
        { name: 2, other: 'b' },
      ],
    },
  },
  {
    name: 'merging list: non-merging list nested in an element is replaced',
    original: { mergingList: [{ name: 1, nonMergingList: [{ name: 1 }, { name: 2, value: 2 }] }] },
    patch: { mergingList: [{ name: 1, nonMergingList: [{ name: 1, value: 1 }] }] },
    expected: { mergingList: [{ name: 1, nonMergingList: [{ name: 1, value: 1 }] }] },
  },
  {
    name: 'merging list: both empty',
    original: { mergingList: [] },
    patch: { mergingList: [] },
    expected: { mergingList: [] },
  },
  {
    name: 'merging list: a new list is taken from the patch, without nulls',
    original: { name: 'hi' },
    patch: { mergingList: [{ name: 'hello', value: null }] },
    expected: { name: 'hi', mergingList: [{ name: 'hello' }] },
  },
  {
    name: 'containers merged by name: an image change keeps the other containers',
    original: { spec: { containers: [web, sidecar] } },
    patch: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } },
    expected: { spec: { containers: [{ ...web, image: 'nginx:1.26' }, sidecar] } },
    schema: podSchema,
  },
  {
    name: 'containers merged by name: a new container goes first (no $setElementOrder)',
    original: { spec: { containers: [web] } },
    patch: { spec: { containers: [sidecar] } },
    expected: { spec: { containers: [sidecar, web] } },
    schema: podSchema,
  },
  {
    name: 'env merged by name inside a container, ports by containerPort',
    original: {
      spec: {
        containers: [
          {
            name: 'web',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            ports: [{ containerPort: 80, name: 'http' }],
          },
        ],
      },
    },
    patch: {
      spec: {
        containers: [
          {
            name: 'web',
            env: [{ name: 'B', value: '3' }],
            ports: [{ containerPort: 80, protocol: 'TCP' }],
          },
        ],
      },
    },
    expected: {
      spec: {
        containers: [
          {
            name: 'web',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '3' },
            ],
            ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }],
          },
        ],
      },
    },
    schema: podSchema,
  },
  {
    name: 'args (no patch strategy) are replaced',
    original: { spec: { containers: [{ name: 'web', args: ['-a', '-b'] }] } },
    patch: { spec: { containers: [{ name: 'web', args: ['-c'] }] } },
    expected: { spec: { containers: [{ name: 'web', args: ['-c'] }] } },
    schema: podSchema,
  },
  {
    name: 'finalizers merged as a set',
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['b', 'c'] } },
    expected: { metadata: { finalizers: ['a', 'b', 'c'] } },
    schema: podSchema,
  },
  {
    name: 'a finalizer not yet present goes first',
    original: { metadata: { finalizers: ['a'] } },
    patch: { metadata: { finalizers: ['z'] } },
    expected: { metadata: { finalizers: ['z', 'a'] } },
    schema: podSchema,
  },
  {
    name: 'ownerReferences merged by uid',
    original: { metadata: { ownerReferences: [{ uid: 'u1', kind: 'ReplicaSet', controller: true }] } },
    patch: { metadata: { ownerReferences: [{ uid: 'u1', blockOwnerDeletion: true }] } },
    expected: {
      metadata: {
        ownerReferences: [{ uid: 'u1', kind: 'ReplicaSet', controller: true, blockOwnerDeletion: true }],
      },
    },
    schema: podSchema,
  },
  {
    name: 'template containers in a deployment',
    original: { spec: { replicas: 1, template: { spec: { containers: [web, sidecar] } } } },
    patch: {
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'sidecar', image: 'busybox:2' }] } } },
    },
    expected: {
      spec: {
        replicas: 3,
        template: { spec: { containers: [web, { name: 'sidecar', image: 'busybox:2' }] } },
      },
    },
    schema: deploymentSchema,
  },
];

for (const c of cases) {
  test(`lists: ${c.name}`, () => {
    assert.deepEqual(applyStrategicMergePatch(c.original, c.patch, c.schema ?? mergeItemSchema), c.expected);
  });
}
