import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { isStatusError } from '../../api/status.ts';
import { openBackend } from '../../storage/index.ts';
import { Registry } from '../registry.ts';
import type { ResourceStore } from '../store.ts';
import { customResource } from './custom-resource.ts';
import { cronTabCRD } from './testing.ts';
import type { CustomResourceDefinition } from './types.ts';

const backend = openBackend('memory:', { compactIntervalMs: 0 });
const registry = new Registry(backend);
after(() => backend.close());

function accepted(): CustomResourceDefinition {
  const crd = cronTabCRD();
  crd.status = { acceptedNames: { ...crd.spec!.names, listKind: 'CronTabList' } };
  return crd;
}

function serve(crd: CustomResourceDefinition, version = 0): ResourceStore {
  const s = customResource(crd, crd.spec!.versions![version]!);
  const store = registry.add(s.info, s.strategy);
  store.table = s.table;
  store.scale = s.scale;
  store.convert = s.convert;
  return store;
}

const store = serve(accepted());
await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'default' } });
const cron = (name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'stable.example.com/v1',
  kind: 'CronTab',
  metadata: { name, namespace: 'default' },
  spec,
  ...extra,
});

test('the ResourceInfo comes from the accepted names, scope and subresources', () => {
  assert.deepEqual(
    { ...store.info, verbs: undefined },
    {
      group: 'stable.example.com',
      version: 'v1',
      kind: 'CronTab',
      plural: 'crontabs',
      singular: 'crontab',
      namespaced: true,
      shortNames: ['ct'],
      categories: [],
      subresources: ['status', 'scale'],
      verbs: undefined,
    },
  );
});

test('create prunes unknown fields, applies defaults, drops status, sets generation 1', async () => {
  const created = await store.create(
    'default',
    cron('a', { cronSpec: '* * * * */5', image: 'img', extra: 1 }, { status: { replicas: 3 }, other: true }),
  );
  assert.deepEqual(created.spec, { cronSpec: '* * * * */5', image: 'img', replicas: 1 });
  assert.equal(created.status, undefined);
  assert.equal(created.other, undefined);
  assert.equal(created.metadata.generation, 1);
});

test('schema errors are 422 with upstream messages', async () => {
  await assert.rejects(store.create('default', cron('bad', { cronSpec: 'x', replicas: 'three' })), (e) => {
    assert.ok(isStatusError(e) && e.code === 422);
    assert.equal(
      e.message,
      'CronTab.stable.example.com "bad" is invalid: [spec.cronSpec: Invalid value: "x": spec.cronSpec in body should match \'^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$\', spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string", .spec.replicas: Invalid value: 0: .spec.replicas accessor error: three is of the type string, expected int64]',
    );
    return true;
  });
  await assert.rejects(
    store.create('default', cron('Bad_Name', { cronSpec: '* * * * *' })),
    /metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
  );
});

test('with a status subresource: main writes keep status, spec changes bump generation', async () => {
  await store.create('default', cron('b', { cronSpec: '* * * * *' }));
  const withStatus = await store.guaranteedUpdate(
    'default',
    'b',
    (cur) => ({ ...cur!, status: { replicas: 2 } }),
    { subresource: 'status' },
  );
  assert.deepEqual(withStatus.object.status, { replicas: 2 });
  assert.equal(withStatus.object.metadata.generation, 1);
  const labelled = await store.guaranteedUpdate('default', 'b', (cur) => ({
    ...cur!,
    metadata: { ...cur!.metadata, labels: { a: 'b' } },
    status: {},
  }));
  assert.deepEqual(labelled.object.status, { replicas: 2 });
  assert.equal(labelled.object.metadata.generation, 1);
  const changed = await store.guaranteedUpdate('default', 'b', (cur) => ({
    ...cur!,
    spec: { cronSpec: '1 * * * *' },
  }));
  assert.equal(changed.object.metadata.generation, 2);
  assert.equal((changed.object.spec as { replicas: number }).replicas, 1);
});

test('without a status subresource status is ordinary and bumps generation', async () => {
  const crd = accepted();
  crd.metadata.name = 'plain.stable.example.com';
  crd.status!.acceptedNames = { plural: 'plains', singular: 'plain', kind: 'Plain', listKind: 'PlainList' };
  const v = crd.spec!.versions![0]!;
  delete v.subresources;
  v.schema!.openAPIV3Schema!.properties!.status = {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  };
  const plain = serve(crd);
  const created = await plain.create('default', {
    apiVersion: 'stable.example.com/v1',
    kind: 'Plain',
    metadata: { name: 'p' },
    status: { x: 1 },
  });
  assert.deepEqual(created.status, { x: 1 });
  const updated = await plain.guaranteedUpdate('default', 'p', (cur) => ({ ...cur!, status: { x: 2 } }));
  assert.equal(updated.object.metadata.generation, 2);
});

test('scale reads and writes the replicas paths', async () => {
  await store.create('default', cron('s', { cronSpec: '* * * * *', replicas: 2 }));
  const obj = await store.guaranteedUpdate(
    'default',
    's',
    (cur) => ({ ...cur!, status: { replicas: 1, labelSelector: 'app=x' } }),
    { subresource: 'status' },
  );
  assert.deepEqual(store.scale!.scaleOf(obj.object).spec, { replicas: 2 });
  assert.deepEqual(store.scale!.scaleOf(obj.object).status, { replicas: 1, selector: 'app=x' });
  const scaled = store.scale!.withReplicas(obj.object, 5);
  assert.equal((scaled.spec as { replicas: number }).replicas, 5);
  assert.equal((obj.object.spec as { replicas: number }).replicas, 2);
});

test('versions share storage; each shows objects in its own apiVersion', async () => {
  const crd = accepted();
  crd.spec!.versions!.push({ ...structuredClone(crd.spec!.versions![0]!), name: 'v2', storage: false });
  const v2 = serve(crd, 1);
  const seen = await v2.get('default', 'a');
  assert.equal(seen.apiVersion, 'stable.example.com/v2');
  const listed = await store.list('default');
  assert.ok(listed.items.every((o) => o.apiVersion === 'stable.example.com/v1'));
  registry.remove('stable.example.com', 'v2', 'crontabs');
});

test('the table has the printer columns, typed, with ages for dates', async () => {
  const obj = await store.get('default', 'a');
  const now = new Date(Date.parse(obj.metadata.creationTimestamp as string) + 65_000);
  assert.deepEqual(
    store.table!.columns.map((c) => [c.name, c.type]),
    [
      ['Name', 'string'],
      ['Spec', 'string'],
      ['Replicas', 'integer'],
      ['Age', 'date'],
    ],
  );
  assert.deepEqual(store.table!.cells(obj, now), ['a', '* * * * */5', 1, '65s']);
});
