import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError } from '../../api/status.ts';
import { openBackend } from '../../storage/index.ts';
import { Registry } from '../registry.ts';

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...extra },
});

test('pods take the value of the PriorityClass they name, or of the global default', async () => {
  const registry = new Registry(openBackend('memory:', { compactIntervalMs: 0 }));
  await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'default' } });
  const classes = registry.byResource('scheduling.k8s.io', 'priorityclasses')!;
  const pods = registry.byResource('', 'pods')!;
  await classes.create(undefined, { metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'Never' });
  const high = await pods.create('default', pod('a', { priorityClassName: 'high' }));
  assert.equal((high.spec as { priority: number }).priority, 1000);
  assert.equal((high.spec as { preemptionPolicy: string }).preemptionPolicy, 'Never');
  await assert.rejects(pods.create('default', pod('b', { priorityClassName: 'nosuch' })), (e) => {
    assert.ok(isStatusError(e) && e.code === 403);
    assert.match(e.message, /no PriorityClass with name nosuch was found/);
    return true;
  });
  await assert.rejects(
    pods.create('default', pod('c', { priorityClassName: 'high', priority: 5 })),
    (e) => isStatusError(e) && e.code === 403,
  );
  assert.equal(((await pods.create('default', pod('d'))).spec as { priority: number }).priority, 0);
  await classes.create(undefined, { metadata: { name: 'everyone' }, value: 7, globalDefault: true });
  const defaulted = (await pods.create('default', pod('e'))).spec as {
    priority: number;
    priorityClassName: string;
  };
  assert.equal(defaulted.priority, 7);
  assert.equal(defaulted.priorityClassName, 'everyone');
});
