import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { CustomResourceDefinition } from '../../registry/crd/index.ts';
import { cronTabCRD } from '../../registry/crd/testing.ts';
import { Registry } from '../../registry/registry.ts';
import { openBackend } from '../../storage/index.ts';
import { CRDServing, compareVersions } from './serving.ts';

test('versions sort by Kubernetes priority', () => {
  const versions = [
    'foo1',
    'v1alpha1',
    'v11alpha2',
    'v12alpha1',
    'v3beta1',
    'v10beta3',
    'v11beta2',
    'v1',
    'v2',
    'v10',
    'foo10',
  ];
  assert.deepEqual(versions.sort(compareVersions), [
    'v10',
    'v2',
    'v1',
    'v11beta2',
    'v10beta3',
    'v3beta1',
    'v12alpha1',
    'v11alpha2',
    'v1alpha1',
    'foo1',
    'foo10',
  ]);
});

test('served versions are registered in priority order and withdrawn when unserved', async () => {
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  const registry = new Registry(backend);
  const serving = new CRDServing(registry, pino({ level: 'silent' }), () => false);
  const crd: CustomResourceDefinition = cronTabCRD();
  const v1 = crd.spec!.versions![0]!;
  crd.spec!.versions = [{ ...structuredClone(v1), name: 'v1beta1', storage: false }, v1];
  crd.status = {
    acceptedNames: { ...crd.spec!.names, listKind: 'CronTabList' },
    conditions: [{ type: 'Established', status: 'True' }],
  };
  serving.serve(crd);
  const ours = () =>
    registry
      .all()
      .filter((s) => s.info.group === 'stable.example.com')
      .map((s) => s.info.version);
  assert.deepEqual(ours(), ['v1', 'v1beta1']);
  assert.ok(serving.owns('stable.example.com', 'crontabs'));
  crd.spec!.versions[0]!.served = false;
  serving.serve(crd);
  assert.deepEqual(ours(), ['v1']);
  serving.unserve(crd.metadata.name!);
  assert.deepEqual(ours(), []);
  assert.ok(!serving.owns('stable.example.com', 'crontabs'));
  await backend.close();
});
