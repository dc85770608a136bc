import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type KubeObject, timestamp } from '../../api/object.ts';
import { eventually, setPodStatus, silent, testPod, testRegistry } from '../endpoints/testing.ts';
import { NodeLifecycleController } from './controller.ts';
import { TaintEvictionController } from './taint-eviction.ts';

type Taint = { key: string; effect: string; timeAdded?: string };
const micro = () => new Date().toISOString().replace('Z', '000Z');
const readyNode = (name: string): KubeObject => ({
  metadata: { name },
  status: {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        lastHeartbeatTime: timestamp(),
        lastTransitionTime: timestamp(),
      },
    ],
  },
});

test('a node that stops renewing its Lease goes Unknown, is tainted, and its pods are evicted', async () => {
  const registry = await testRegistry(['default', 'kube-node-lease']);
  const nodes = registry.byResource('', 'nodes')!;
  const leases = registry.byResource('coordination.k8s.io', 'leases')!;
  const pods = registry.byResource('', 'pods')!;
  for (const name of ['alive', 'dead']) {
    await nodes.create(undefined, readyNode(name));
    await leases.create('kube-node-lease', {
      metadata: { name },
      spec: { holderIdentity: name, renewTime: micro() },
    });
  }
  const renew = (name: string) =>
    leases.guaranteedUpdate('kube-node-lease', name, (cur) => ({
      ...cur!,
      spec: { ...(cur!.spec as object), renewTime: micro() },
    }));
  let reviving = false;
  const heart = setInterval(() => {
    void renew('alive');
    if (reviving) void renew('dead');
  }, 50);
  const tolerate = (seconds: number) => ({
    tolerations: [
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: seconds,
      },
    ],
  });
  await pods.create('default', testPod('short', {}, { nodeName: 'dead', ...tolerate(1) }));
  await pods.create('default', testPod('default-300', {}, { nodeName: 'dead' }));
  await pods.create(
    'default',
    testPod('forever', {}, { nodeName: 'dead', tolerations: [{ operator: 'Exists' }] }),
  );
  await pods.create('default', testPod('elsewhere', {}, { nodeName: 'alive', ...tolerate(1) }));
  await setPodStatus(registry, 'default', 'default-300', '10.42.0.9', true);

  const lifecycle = new NodeLifecycleController(registry, silent, {
    monitorPeriodMs: 50,
    gracePeriodMs: 400,
    evictionQps: 100,
    taintPeriodMs: 20,
  });
  const eviction = new TaintEvictionController(registry, silent);
  await lifecycle.start();
  await eviction.start();

  const dead = await eventually(async () => {
    const n = await nodes.get(undefined, 'dead');
    const taints = ((n.spec as { taints?: Taint[] } | undefined)?.taints ?? []).map(
      (t) => `${t.key}:${t.effect}`,
    );
    return taints.includes('node.kubernetes.io/unreachable:NoExecute') &&
      taints.includes('node.kubernetes.io/unreachable:NoSchedule')
      ? n
      : undefined;
  }, 5000);
  const ready = (dead.status as { conditions: Record<string, string>[] }).conditions.find(
    (c) => c.type === 'Ready',
  )!;
  assert.equal(ready.status, 'Unknown');
  assert.equal(ready.reason, 'NodeStatusUnknown');
  assert.equal(ready.message, 'Kubelet stopped posting node status.');
  assert.ok((dead.spec as { taints: Taint[] }).taints.every((t) => t.timeAdded));
  assert.equal((await nodes.get(undefined, 'alive')).spec, undefined, 'the live node is untouched');

  // Pods on it are not ready any more; the one tolerating 1 s goes after that second.
  await eventually(async () => {
    const p = await pods.get('default', 'default-300');
    return (
      (p.status as { conditions: Record<string, string>[] }).conditions.find((c) => c.type === 'Ready')
        ?.status === 'False'
    );
  });
  const short = await eventually(async () => {
    const p = await pods.get('default', 'short');
    return p.metadata.deletionTimestamp ? p : undefined;
  }, 5000);
  const cond = (short.status as { conditions: Record<string, string>[] }).conditions.find(
    (c) => c.type === 'DisruptionTarget',
  );
  assert.equal(cond?.reason, 'DeletionByTaintManager');
  for (const name of ['default-300', 'forever', 'elsewhere'])
    assert.equal((await pods.get('default', name)).metadata.deletionTimestamp, undefined, name);
  assert.ok(eviction.scheduled().has('default/default-300'));
  assert.ok(!eviction.scheduled().has('default/forever'));

  // The kubelet comes back: the taints go and the pending eviction is cancelled.
  reviving = true;
  await nodes.guaranteedUpdate(undefined, 'dead', (cur) => ({ ...cur!, status: readyNode('dead').status }), {
    subresource: 'status',
  });
  await eventually(async () => {
    const n = await nodes.get(undefined, 'dead');
    return ((n.spec as { taints?: Taint[] } | undefined)?.taints ?? []).length === 0;
  }, 5000);
  await eventually(() => !eviction.scheduled().has('default/default-300'));
  clearInterval(heart);
  lifecycle.stop();
  eviction.stop();
  await registry.backend.close();
});

test('untolerated NoExecute taints evict at once; unschedulable nodes get their taint', async () => {
  const registry = await testRegistry();
  const nodes = registry.byResource('', 'nodes')!;
  const pods = registry.byResource('', 'pods')!;
  await nodes.create(undefined, readyNode('n1'));
  await pods.create('default', testPod('victim', {}, { nodeName: 'n1' }));
  await pods.create(
    'default',
    testPod(
      'tolerant',
      {},
      { nodeName: 'n1', tolerations: [{ key: 'example.com/maint', operator: 'Exists' }] },
    ),
  );
  const lifecycle = new NodeLifecycleController(registry, silent, { monitorPeriodMs: 50 });
  const eviction = new TaintEvictionController(registry, silent);
  await lifecycle.start();
  await eviction.start();
  await nodes.guaranteedUpdate(undefined, 'n1', (cur) => ({
    ...cur!,
    spec: { unschedulable: true, taints: [{ key: 'example.com/maint', effect: 'NoExecute' }] },
  }));
  await eventually(
    async () => (await pods.get('default', 'victim')).metadata.deletionTimestamp !== undefined,
  );
  await eventually(async () =>
    ((await nodes.get(undefined, 'n1')).spec as { taints: Taint[] }).taints.some(
      (t) => t.key === 'node.kubernetes.io/unschedulable',
    ),
  );
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await pods.get('default', 'tolerant')).metadata.deletionTimestamp, undefined);
  lifecycle.stop();
  eviction.stop();
  await registry.backend.close();
});

test('when every node is down, no NoExecute taint is added', async () => {
  const registry = await testRegistry(['default', 'kube-node-lease']);
  const nodes = registry.byResource('', 'nodes')!;
  await nodes.create(undefined, readyNode('only'));
  const lifecycle = new NodeLifecycleController(registry, silent, {
    monitorPeriodMs: 50,
    gracePeriodMs: 200,
    evictionQps: 100,
    taintPeriodMs: 20,
  });
  await lifecycle.start();
  await eventually(async () => {
    const n = await nodes.get(undefined, 'only');
    return ((n.spec as { taints?: Taint[] } | undefined)?.taints ?? []).some(
      (t) => t.key === 'node.kubernetes.io/unreachable',
    );
  });
  await new Promise((r) => setTimeout(r, 300));
  const taints = ((await nodes.get(undefined, 'only')).spec as { taints: Taint[] }).taints.map(
    (t) => `${t.key}:${t.effect}`,
  );
  assert.deepEqual(taints, ['node.kubernetes.io/unreachable:NoSchedule']);
  lifecycle.stop();
  await registry.backend.close();
});
