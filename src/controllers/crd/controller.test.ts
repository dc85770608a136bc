import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { findUnknownFields } from '../../api/schema/unknown-fields.ts';
import { isStatusError } from '../../api/status.ts';
import { type CustomResourceDefinition, findCondition } from '../../registry/crd/index.ts';
import { cronTabCRD } from '../../registry/crd/testing.ts';
import { Registry } from '../../registry/registry.ts';
import { openBackend } from '../../storage/index.ts';
import { CRDController } from './controller.ts';

const silent = pino({ level: 'silent' });

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('a CRD is established and served; deleting it deletes its custom resources, then it', async () => {
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  const registry = new Registry(backend);
  await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'default' } });
  const crds = registry.byResource('apiextensions.k8s.io', 'customresourcedefinitions')!;
  const controller = new CRDController(registry, silent);
  await controller.start();
  await crds.create(undefined, cronTabCRD());
  const crd = await until('Established', async () => {
    const c = (await crds.get(undefined, 'crontabs.stable.example.com')) as CustomResourceDefinition;
    return findCondition(c, 'Established')?.status === 'True' ? c : undefined;
  });
  assert.equal(findCondition(crd, 'NamesAccepted')?.reason, 'NoConflicts');
  assert.equal(crd.status?.acceptedNames?.listKind, 'CronTabList');
  const store = await until('the store', () => registry.find('stable.example.com', 'v1', 'crontabs'));
  assert.ok(store.table && store.openApiSchema && store.scale);
  assert.deepEqual(
    findUnknownFields('stable.example.com', 'v1', 'CronTab', {
      metadata: { name: 'x', bogus: 1 },
      spec: { extra: 1 },
    }),
    ['metadata.bogus', 'spec.extra'],
  );
  await store.create('default', {
    apiVersion: 'stable.example.com/v1',
    kind: 'CronTab',
    metadata: { name: 'one' },
    spec: { cronSpec: '* * * * *' },
  });

  // A second CRD asking for a name in use is not accepted, and not served.
  const clash = cronTabCRD();
  clash.metadata.name = 'crontabs2.stable.example.com';
  clash.spec!.names = { plural: 'crontabs2', kind: 'CronTab2', shortNames: ['ct'] };
  await crds.create(undefined, clash);
  const refused = await until('NamesAccepted False', async () => {
    const c = (await crds.get(undefined, 'crontabs2.stable.example.com')) as CustomResourceDefinition;
    return findCondition(c, 'NamesAccepted')?.status === 'False' ? c : undefined;
  });
  assert.equal(findCondition(refused, 'NamesAccepted')?.message, '"ct" is already in use');
  assert.equal(findCondition(refused, 'Established')?.reason, 'NotAccepted');

  await crds.delete(undefined, 'crontabs.stable.example.com');
  await until('the CRD gone', async () => {
    try {
      await crds.get(undefined, 'crontabs.stable.example.com');
      return undefined;
    } catch (e) {
      return isStatusError(e) && e.code === 404;
    }
  });
  await until('the store removed', () => registry.find('stable.example.com', 'v1', 'crontabs') === undefined);
  assert.deepEqual(await backend.list('/registry/stable.example.com/crontabs/', {}).then((p) => p.items), []);
  assert.deepEqual(findUnknownFields('stable.example.com', 'v1', 'CronTab', { spec: { extra: 1 } }), []);
  controller.stop();
  await backend.close();
});

test('on start, stored CRDs are served before start() resolves', async () => {
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  const first = new Registry(backend);
  const c1 = new CRDController(first, silent);
  await c1.start();
  await first
    .byResource('apiextensions.k8s.io', 'customresourcedefinitions')!
    .create(undefined, cronTabCRD());
  await until('served', () => first.find('stable.example.com', 'v1', 'crontabs'));
  await until('established', async () => {
    const c = await first
      .byResource('apiextensions.k8s.io', 'customresourcedefinitions')!
      .get(undefined, 'crontabs.stable.example.com');
    return findCondition(c as CustomResourceDefinition, 'Established')?.status === 'True';
  });
  c1.stop();
  const second = new Registry(backend);
  const c2 = new CRDController(second, silent);
  await c2.start();
  assert.ok(second.find('stable.example.com', 'v1', 'crontabs'));
  c2.stop();
  await backend.close();
});
