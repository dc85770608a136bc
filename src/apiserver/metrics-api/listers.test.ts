import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from '../../registry/registry.ts';
import { openBackend } from '../../storage/index.ts';
import { registryListers } from './listers.ts';

test('registry listers read nodes and pods, one namespace or all', async () => {
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  try {
    const registry = new Registry(backend);
    for (const ns of ['default', 'other'])
      await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: ns } });
    await registry.byResource('', 'nodes')!.create(undefined, { metadata: { name: 'n1' } });
    const pods = registry.byResource('', 'pods')!;
    const pod = (name: string, namespace: string) => ({
      metadata: { name, namespace },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    await pods.create('default', pod('a', 'default'));
    await pods.create('other', pod('b', 'other'));
    const l = registryListers(registry);
    assert.deepEqual(
      (await l.listNodes()).map((n) => n.metadata?.name),
      ['n1'],
    );
    assert.deepEqual(
      (await l.listPods('default')).map((p) => p.metadata?.name),
      ['a'],
    );
    assert.deepEqual((await l.listPods(undefined)).map((p) => p.metadata?.name).sort(), ['a', 'b']);
  } finally {
    await backend.close();
  }
});
