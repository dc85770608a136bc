import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyStrategicMergePatch } from './apply.ts';
import type { SmpSchema } from './schema.ts';
import { deploymentSchema, mergeItemSchema } from './testdata.ts';

interface Case {
  readonly name: string;
  readonly original: unknown;
  readonly patch: unknown;
  readonly expected: unknown;
  readonly schema?: SmpSchema | undefined;
}

// Maps: recursive merge, null deletes. Most rows are upstream's TestStrategicMergePatch /
// TestUnknownField facts (original + patch -> result).
const cases: Case[] = [
  { name: 'nil patch', original: { name: 1 }, patch: null, expected: { name: 1 } },
  { name: 'nil original', original: null, patch: { name: 1 }, expected: { name: 1 } },
  { name: 'add field to map', original: { name: 1 }, patch: { value: 1 }, expected: { name: 1, value: 1 } },
  {
    name: 'add field and delete field from map',
    original: { name: 1 },
    patch: { name: null, value: 1 },
    expected: { value: 1 },
  },
  {
    name: 'delete field from nested map',
    original: { simpleMap: { key1: 1, key2: 1 } },
    patch: { simpleMap: { key2: null } },
    expected: { simpleMap: { key1: 1 } },
  },
  {
    name: 'delete all fields from map',
    original: { name: 1, value: 1 },
    patch: { name: null, value: null },
    expected: {},
  },
  { name: 'null for an absent key is a no-op', original: { a: 1 }, patch: { b: null }, expected: { a: 1 } },
  {
    name: 'nulls are discarded from a new nested map',
    original: {},
    patch: { complex: { nested: null, nested2: 'foo' } },
    expected: { complex: { nested2: 'foo' } },
  },
  {
    name: 'an all-null new map stays empty',
    original: {},
    patch: { complex: { nested: null } },
    expected: { complex: {} },
  },
  {
    name: 'nulls are filtered from maps in new lists',
    original: {},
    patch: { complex_nullable: [{ inner_one: { key_one: 'foo', key_two: null } }] },
    expected: { complex_nullable: [{ inner_one: { key_one: 'foo' } }] },
  },
  {
    name: 'nulls in a list of primitives are kept',
    original: {},
    patch: { complex_nullable: ['key1', null, 'key2'] },
    expected: { complex_nullable: ['key1', null, 'key2'] },
  },
  {
    name: 'null values in the original are preserved',
    original: { complex: { key: null }, thing: null },
    patch: { nested: { value: 5 } },
    expected: { complex: { key: null }, nested: { value: 5 }, thing: null },
  },
  {
    name: 'a value of another type replaces',
    original: { a: { b: 1 }, c: [1], d: 'x' },
    patch: { a: 'now a string', c: { now: 'a map' }, d: [1, 2] },
    expected: { a: 'now a string', c: { now: 'a map' }, d: [1, 2] },
  },
  {
    name: 'a map merges into a null',
    original: { a: null },
    patch: { a: { b: 1, c: null } },
    expected: { a: { b: 1 } },
  },
  {
    name: 'non-merging list is replaced',
    original: { nonMergingList: [{ name: 1 }, { name: 2, value: 2 }] },
    patch: { nonMergingList: [{ name: 2, value: 3 }] },
    expected: { nonMergingList: [{ name: 2, value: 3 }] },
  },
  {
    name: 'replace strategy on a map field replaces it (RawExtension)',
    original: { name: 'my-object', replacingItem: { Some: 'Generic', Yaml: 'Inside' } },
    patch: { replacingItem: { Newly: 'Modified', Yaml: 'Inside' } },
    expected: { name: 'my-object', replacingItem: { Newly: 'Modified', Yaml: 'Inside' } },
  },
  {
    name: 'no schema: maps merge, lists are replaced',
    original: { spec: { a: 1, list: [{ name: 'x', v: 1 }], nested: { keep: true, drop: 1 } } },
    patch: { spec: { b: 2, list: [{ name: 'y' }], nested: { drop: null } } },
    expected: { spec: { a: 1, b: 2, list: [{ name: 'y' }], nested: { keep: true } } },
    schema: undefined,
  },
  {
    name: 'no schema: directives still apply',
    original: { spec: { a: 1, b: 2 }, status: { x: 1 } },
    patch: { spec: { $patch: 'replace', c: 3 }, status: { $patch: 'delete' } },
    expected: { spec: { c: 3 }, status: {} },
    schema: undefined,
  },
  {
    name: 'keys like $ref that are not directives are ordinary fields',
    original: { schema: { $ref: '#/a' } },
    patch: { schema: { $ref: '#/b', $schema: 'x' } },
    expected: { schema: { $ref: '#/b', $schema: 'x' } },
  },
];

for (const c of cases) {
  test(`map merge: ${c.name}`, () => {
    const schema = 'schema' in c ? c.schema : mergeItemSchema;
    assert.deepEqual(applyStrategicMergePatch(c.original, c.patch, schema), c.expected);
  });
}

test('inputs are not modified', () => {
  const original = { mergingList: [{ name: 1, value: 1 }, { name: 2 }], simpleMap: { a: 'b' } };
  const patch = {
    '$setElementOrder/mergingList': [{ name: 1 }, { name: 3 }],
    mergingList: [{ name: 1, value: null }, { name: 2, $patch: 'delete' }, { name: 3 }],
    simpleMap: { a: null },
  };
  const before = structuredClone({ original, patch });
  applyStrategicMergePatch(original, patch, mergeItemSchema);
  assert.deepEqual({ original, patch }, before);
});

test('a __proto__ key is data, not a prototype', () => {
  const result = applyStrategicMergePatch(
    { a: 1 },
    JSON.parse('{"__proto__": {"polluted": true}}'),
    undefined,
  );
  assert.equal(Object.getPrototypeOf(result), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.keys(result as object), ['a', '__proto__']);
});

// `kubectl apply` of an edited manifest: the new config changes the web container's image, drops
// env var B and the `tier` label. kubectl sends a three-way patch (last-applied vs new vs live) with
// `$setElementOrder` lists for the merged lists it touched and a delete directive for the env var.
test('kubectl apply re-apply: change an image, remove an env var and a label', () => {
  const live = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web', tier: 'frontend' },
      annotations: {
        'deployment.kubernetes.io/revision': '1',
        'kubectl.kubernetes.io/last-applied-configuration': 'v1',
      },
      resourceVersion: '42',
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.25',
              imagePullPolicy: 'IfNotPresent',
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
                { name: 'INJECTED', value: 'by-a-webhook' },
              ],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              terminationMessagePath: '/dev/termination-log',
            },
            { name: 'sidecar', image: 'busybox', imagePullPolicy: 'Always' },
          ],
          restartPolicy: 'Always',
        },
      },
    },
    status: { replicas: 2 },
  };
  const patch = {
    metadata: {
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'v2' },
      labels: { tier: null },
    },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
          containers: [
            {
              '$setElementOrder/env': [{ name: 'A' }],
              env: [{ $patch: 'delete', name: 'B' }],
              image: 'nginx:1.26',
              name: 'web',
            },
          ],
        },
      },
    },
  };
  const expected = structuredClone(live);
  expected.metadata.labels = { app: 'web' } as typeof expected.metadata.labels;
  expected.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = 'v2';
  const web = expected.spec.template.spec.containers[0]!;
  web.image = 'nginx:1.26';
  web.env = [
    { name: 'A', value: '1' },
    { name: 'INJECTED', value: 'by-a-webhook' },
  ];
  assert.deepEqual(applyStrategicMergePatch(live, patch, deploymentSchema), expected);
});

test('kubectl apply re-apply: switching the deployment strategy clears rollingUpdate ($retainKeys)', () => {
  const live = {
    spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } },
  };
  const patch = { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } };
  assert.deepEqual(applyStrategicMergePatch(live, patch, deploymentSchema), {
    spec: { strategy: { type: 'Recreate' } },
  });
});
