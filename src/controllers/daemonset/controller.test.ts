import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { KubeObject } from '../../api/object.ts';
import type { Registry } from '../../registry/registry.ts';
import { Scheduler } from '../../scheduler/index.ts';
import type { Backend } from '../../storage/types.ts';
import { eventually, FakeKubelet, testRegistry } from '../util/testing.ts';
import { DaemonSetController } from './controller.ts';
import type { DaemonSet } from './daemon-pods.ts';

let registry: Registry;
let backend: Backend;
let controller: DaemonSetController;
let scheduler: Scheduler;
let kubelet: FakeKubelet;

function node(name: string, extra: { labels?: Record<string, string>; taints?: unknown[] } = {}): KubeObject {
  const allocatable = { cpu: '4', memory: '8Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...extra.labels } },
    spec: extra.taints ? { taints: extra.taints } : {},
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

before(async () => {
  ({ registry, backend } = await testRegistry());
  const log = pino({ level: 'silent' });
  for (const n of [
    node('n1'),
    node('n2'),
    node('tainted', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
  ]) {
    await registry.byResource('', 'nodes')!.create(undefined, n);
  }
  controller = new DaemonSetController(registry, log);
  scheduler = new Scheduler(registry, log);
  kubelet = new FakeKubelet(registry, 10);
  await Promise.all([controller.start(), scheduler.start(), kubelet.start()]);
});
after(async () => {
  kubelet.stop();
  scheduler.stop();
  controller.stop();
  await backend.close();
});

const pods = () => registry.byResource('', 'pods')!;
const daemonSets = () => registry.byResource('apps', 'daemonsets')!;

function dsObject(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'agent:1' }], ...spec },
      },
    },
  };
}

async function podsOf(name: string, live = true): Promise<KubeObject[]> {
  const { items } = await pods().list('default');
  return items.filter(
    (p) =>
      p.metadata.ownerReferences?.some((r) => r.name === name && r.kind === 'DaemonSet') &&
      (!live || !p.metadata.deletionTimestamp),
  );
}
const nodeOf = (p: KubeObject) => (p.spec as { nodeName?: string }).nodeName;
const getDs = async (name: string) => (await daemonSets().get('default', name)) as DaemonSet;

test('runs one pod on every node whose taints it tolerates, and on a node added later', async () => {
  await daemonSets().create('default', dsObject('agent'));
  const scheduled = await eventually(async () => {
    const p = await podsOf('agent');
    return p.length === 2 && p.every(nodeOf) && p;
  });
  assert.deepEqual(scheduled.map(nodeOf).sort(), ['n1', 'n2']);
  const pod = scheduled[0]!;
  const spec = pod.spec as { tolerations: { key: string; effect: string }[]; affinity: unknown };
  assert.deepEqual(
    spec.tolerations.map((t) => `${t.key}:${t.effect}`),
    [
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ],
  );
  assert.deepEqual(spec.affinity, {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeOf(pod)] }] },
        ],
      },
    },
  });
  assert.equal(pod.metadata.labels?.['pod-template-generation'], '1');
  assert.match(pod.metadata.labels?.['controller-revision-hash'] ?? '', /^[a-z0-9]+$/);
  await registry.byResource('', 'nodes')!.create(undefined, node('n3'));
  await eventually(async () => (await podsOf('agent')).filter(nodeOf).length === 3);
  const ds = await eventually(async () => {
    const d = await getDs('agent');
    return d.status?.numberAvailable === 3 && d;
  });
  assert.deepEqual(ds.status, {
    observedGeneration: 1,
    currentNumberScheduled: 3,
    numberMisscheduled: 0,
    desiredNumberScheduled: 3,
    numberReady: 3,
    updatedNumberScheduled: 3,
    numberAvailable: 3,
  });
});

test('a toleration lets the pod onto the tainted node; a nodeSelector keeps it off others', async () => {
  await daemonSets().create(
    'default',
    dsObject('db-agent', {
      nodeSelector: { role: 'db' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }],
    }),
  );
  await registry.byResource('', 'nodes')!.guaranteedUpdate(undefined, 'tainted', (cur) => ({
    ...cur!,
    metadata: { ...cur!.metadata, labels: { ...cur!.metadata.labels, role: 'db' } },
  }));
  const [p] = await eventually(async () => {
    const ps = await podsOf('db-agent');
    return ps.length === 1 && !!nodeOf(ps[0]!) && ps;
  });
  assert.equal(nodeOf(p!), 'tainted');
  // The node stops matching: its pod goes.
  await registry.byResource('', 'nodes')!.guaranteedUpdate(undefined, 'tainted', (cur) => ({
    ...cur!,
    metadata: { ...cur!.metadata, labels: { 'kubernetes.io/hostname': 'tainted' } },
  }));
  await eventually(async () => (await podsOf('db-agent')).length === 0);
  await eventually(async () => (await getDs('db-agent')).status?.desiredNumberScheduled === 0);
});

test('a template change rolls the pods onto a new revision', async () => {
  const before = (await getDs('agent')).metadata.annotations;
  assert.equal(before?.['deprecated.daemonset.template.generation'], '1');
  await daemonSets().guaranteedUpdate('default', 'agent', (cur) => {
    const spec = structuredClone(cur!.spec) as DaemonSet['spec'];
    (spec.template!.spec!.containers as { image: string }[])[0]!.image = 'agent:2';
    return { ...cur!, spec };
  });
  // Old pods are deleted (they stay terminating without a real kubelet): finish them off.
  const finisher = setInterval(async () => {
    for (const p of await podsOf('agent', false)) {
      if (p.metadata.deletionTimestamp)
        await pods()
          .delete('default', p.metadata.name!, { gracePeriodSeconds: 0 })
          .catch(() => {});
    }
  }, 20);
  try {
    const ds = await eventually(async () => {
      const d = await getDs('agent');
      const s = d.status;
      return s?.observedGeneration === 2 && s.updatedNumberScheduled === 3 && s.numberAvailable === 3 && d;
    }, 15000);
    assert.equal(ds.status?.observedGeneration, 2);
  } finally {
    clearInterval(finisher);
  }
  const images = (await podsOf('agent')).map(
    (p) => (p.spec as { containers: { image: string }[] }).containers[0]!.image,
  );
  assert.deepEqual(images, ['agent:2', 'agent:2', 'agent:2']);
  const revs = await registry.byResource('apps', 'controllerrevisions')!.list('default');
  const mine = revs.items.filter((r) => r.metadata.ownerReferences?.[0]?.name === 'agent') as (KubeObject & {
    revision: number;
  })[];
  assert.deepEqual(mine.map((r) => r.revision).sort(), [1, 2]);
});
