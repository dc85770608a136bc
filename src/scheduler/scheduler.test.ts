import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { isObject, type KubeObject } from '../api/object.ts';
import { Registry } from '../registry/registry.ts';
import { openBackend } from '../storage/index.ts';
import { Scheduler } from './scheduler.ts';
import { makeNode, makePod, type PodSpecOptions } from './testing.ts';

const backend = openBackend('memory:', { compactIntervalMs: 0 });
const registry = new Registry(backend);
const pods = registry.byResource('', 'pods')!;
const scheduler = new Scheduler(registry, pino({ level: 'silent' }));

const controlPlaneTaint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

before(async () => {
  await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'default' } });
  const nodes = registry.byResource('', 'nodes')!;
  await nodes.create(
    undefined,
    makeNode('cp', { cpu: '4', labels: { zone: 'a' }, taints: [controlPlaneTaint] }),
  );
  await nodes.create(undefined, makeNode('w1', { cpu: '2', labels: { zone: 'a', disk: 'ssd' } }));
  await nodes.create(undefined, makeNode('w2', { cpu: '2', labels: { zone: 'b' } }));
  await scheduler.start();
});

after(async () => {
  scheduler.stop();
  await backend.close();
});

async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function createPod(name: string, o: PodSpecOptions = {}): Promise<void> {
  const pod = makePod(name, o);
  delete pod.metadata.uid;
  delete pod.status;
  await pods.create('default', pod);
}

const nodeOf = (p: KubeObject) =>
  isObject(p.spec) && typeof p.spec.nodeName === 'string' ? p.spec.nodeName : '';

const boundNode = (name: string) =>
  waitFor(`${name} to be bound`, async () => {
    const node = nodeOf(await pods.get('default', name));
    return node === '' ? undefined : node;
  });

const deletePod = (name: string) => pods.delete('default', name, { gracePeriodSeconds: 0 });

test('binds by resources, away from the tainted control plane', async () => {
  await createPod('big', { cpu: '1500m' });
  await createPod('big2', { cpu: '1500m' });
  const nodes = [await boundNode('big'), await boundNode('big2')].sort();
  assert.deepEqual(nodes, ['w1', 'w2']);
  const pod = await pods.get('default', 'big');
  const cond = (pod.status as { conditions: { type: string; status: string }[] }).conditions.find(
    (c) => c.type === 'PodScheduled',
  );
  assert.equal(cond?.status, 'True');
  const events = (await registry.byResource('', 'events')!.list('default')).items;
  assert.ok(
    events.some(
      (e) => e.reason === 'Scheduled' && e.message === `Successfully assigned default/big to ${nodeOf(pod)}`,
    ),
  );
  await deletePod('big');
  await deletePod('big2');
});

test("an unschedulable pod gets FailedScheduling with upstream's message and PodScheduled=False", async () => {
  await createPod('huge', { cpu: '3' });
  const message =
    '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. ' +
    'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..';
  const event = await waitFor('FailedScheduling', async () =>
    (await registry.byResource('', 'events')!.list('default')).items.find(
      (e) => e.reason === 'FailedScheduling' && (e.involvedObject as { name: string }).name === 'huge',
    ),
  );
  assert.equal(event.message, message);
  assert.equal(event.type, 'Warning');
  assert.deepEqual(event.source, { component: 'default-scheduler' });
  const cond = await waitFor('PodScheduled=False', async () => {
    const p = await pods.get('default', 'huge');
    return ((p.status as { conditions?: Record<string, unknown>[] }).conditions ?? []).find(
      (c) => c.type === 'PodScheduled' && c.status === 'False',
    );
  });
  assert.equal(cond.reason, 'Unschedulable');
  assert.equal(cond.message, message);
  await deletePod('huge');
});

test('node affinity, tolerations, other schedulers and scheduling gates', async () => {
  await createPod('ssd', { spec: { nodeSelector: { disk: 'ssd' } } });
  assert.equal(await boundNode('ssd'), 'w1');
  await createPod('tolerant', {
    spec: {
      tolerations: [
        { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
      ],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['cp'] }] }],
          },
        },
      },
    },
  });
  assert.equal(await boundNode('tolerant'), 'cp');
  await createPod('mine', { spec: { schedulerName: 'someone-else' } });
  await createPod('gated', { spec: { schedulingGates: [{ name: 'example.com/hold' }] } });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(nodeOf(await pods.get('default', 'mine')), '');
  assert.equal(nodeOf(await pods.get('default', 'gated')), '');
  await pods.guaranteedUpdate('default', 'gated', (p) => ({
    ...p!,
    spec: { ...(p!.spec as object), schedulingGates: [] },
  }));
  assert.notEqual(await boundNode('gated'), '');
  for (const n of ['ssd', 'tolerant', 'mine', 'gated']) await deletePod(n);
});

test('required anti-affinity and topology spread put replicas apart', async () => {
  const anti = {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' },
      ],
    },
  };
  await createPod('db1', { labels: { app: 'db' }, spec: { affinity: anti } });
  await createPod('db2', { labels: { app: 'db' }, spec: { affinity: anti } });
  assert.notEqual(await boundNode('db1'), await boundNode('db2'));
  const spread = {
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'zone',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { app: 'web' } },
      },
    ],
  };
  const zones: Record<string, number> = { w1: 0, w2: 0 };
  for (const n of ['web1', 'web2', 'web3', 'web4']) {
    await createPod(n, { labels: { app: 'web' }, spec: spread });
    zones[await boundNode(n)]!++;
  }
  assert.deepEqual(zones, { w1: 2, w2: 2 });
  for (const n of ['db1', 'db2', 'web1', 'web2', 'web3', 'web4']) await deletePod(n);
});

test('a high-priority pod preempts a low-priority one through PriorityClasses', async () => {
  const classes = registry.byResource('scheduling.k8s.io', 'priorityclasses')!;
  await classes.create(undefined, { metadata: { name: 'low' }, value: 10 });
  await classes.create(undefined, { metadata: { name: 'high' }, value: 1000 });
  await createPod('low-a', { cpu: '1500m', spec: { priorityClassName: 'low' } });
  await createPod('low-b', { cpu: '1500m', spec: { priorityClassName: 'low' } });
  await boundNode('low-a');
  await boundNode('low-b');
  await createPod('vip', { cpu: '1500m', spec: { priorityClassName: 'high' } });
  const victim = await waitFor('a victim', async () => {
    for (const n of ['low-a', 'low-b']) {
      const p = await pods.get('default', n);
      if (p.metadata.deletionTimestamp) return p;
    }
    return undefined;
  });
  const disruption = ((victim.status as { conditions?: Record<string, unknown>[] }).conditions ?? []).find(
    (c) => c.type === 'DisruptionTarget',
  );
  assert.equal(disruption?.reason, 'PreemptionByScheduler');
  const nominated = await waitFor('nominatedNodeName', async () => {
    const p = await pods.get('default', 'vip');
    return (
      ((p.status as { nominatedNodeName?: string }).nominatedNodeName as string | undefined) || undefined
    );
  });
  assert.equal(nominated, nodeOf(victim));
  // The kubelet would finish the graceful deletion; do it here.
  await deletePod(victim.metadata.name!);
  assert.equal(await boundNode('vip'), nodeOf(victim));
  const survivor = victim.metadata.name === 'low-a' ? 'low-b' : 'low-a';
  assert.equal((await pods.get('default', survivor)).metadata.deletionTimestamp, undefined);
  const events = (await registry.byResource('', 'events')!.list('default')).items;
  assert.ok(
    events.some(
      (e) => e.reason === 'Preempted' && (e.involvedObject as { name: string }).name === victim.metadata.name,
    ),
  );
});
