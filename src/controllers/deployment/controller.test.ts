import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { KubeObject } from '../../api/object.ts';
import type { Registry } from '../../registry/registry.ts';
import type { Backend } from '../../storage/types.ts';
import { ReplicaSetController } from '../replicaset/controller.ts';
import { isPodReady } from '../util/pods.ts';
import { eventually, FakeKubelet, testRegistry } from '../util/testing.ts';
import type { Deployment, Pod, ReplicaSet } from '../util/types.ts';
import { DeploymentController } from './controller.ts';

let registry: Registry;
let backend: Backend;
let rsc: ReplicaSetController;
let dc: DeploymentController;
let kubelet: FakeKubelet;

before(async () => {
  ({ registry, backend } = await testRegistry());
  const log = pino({ level: 'silent' });
  rsc = new ReplicaSetController(registry, log);
  dc = new DeploymentController(registry, log);
  kubelet = new FakeKubelet(registry);
  await Promise.all([rsc.start(), dc.start(), kubelet.start()]);
});
after(async () => {
  kubelet.stop();
  dc.stop();
  rsc.stop();
  await backend.close();
});

const deployments = () => registry.byResource('apps', 'deployments')!;
const replicaSets = () => registry.byResource('apps', 'replicasets')!;
const pods = () => registry.byResource('', 'pods')!;

function deployment(name: string, spec: Record<string, unknown> = {}, image = 'nginx:1'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
      ...spec,
    },
  };
}

const get = async (name: string) => (await deployments().get('default', name)) as Deployment;

/** kubectl rollout status's test for a finished rollout. */
async function rolledOut(name: string, ms = 10_000): Promise<Deployment> {
  return eventually(async () => {
    const d = await get(name);
    const s = d.status ?? {};
    const want = d.spec.replicas ?? 1;
    const cond = s.conditions?.find((c) => c.type === 'Progressing');
    return (
      (d.metadata.generation ?? 0) <= (s.observedGeneration ?? 0) &&
      cond?.reason !== 'ProgressDeadlineExceeded' &&
      (s.updatedReplicas ?? 0) >= want &&
      (s.replicas ?? 0) <= (s.updatedReplicas ?? 0) &&
      (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0) &&
      d
    );
  }, ms);
}

async function ownedReplicaSets(name: string): Promise<ReplicaSet[]> {
  const d = await get(name);
  const { items } = await replicaSets().list('default');
  return (items as ReplicaSet[]).filter((rs) => rs.metadata.ownerReferences?.[0]?.uid === d.metadata.uid);
}

async function setImage(name: string, image: string): Promise<void> {
  await deployments().guaranteedUpdate('default', name, (cur) => {
    const d = cur as Deployment;
    (d.spec.template!.spec!.containers as { image: string }[])[0]!.image = image;
    return d;
  });
}

async function eventMessages(reason: string): Promise<string[]> {
  const { items } = await registry.byResource('', 'events')!.list('default');
  return items.filter((e) => e.reason === reason).map((e) => e.message as string);
}

test('a new Deployment gets a ReplicaSet named by its template hash and completes', async () => {
  await deployments().create('default', deployment('web'));
  const d = await rolledOut('web');
  const [rs] = await ownedReplicaSets('web');
  assert.ok(rs);
  const hash = rs.metadata.labels!['pod-template-hash']!;
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.deepEqual(rs.spec.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
  assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
  assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '3');
  assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/max-replicas'], '4');
  assert.deepEqual(
    d.status!.conditions!.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      [
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "web-${hash}" has successfully progressed.`,
      ],
    ],
  );
  assert.equal(d.status!.replicas, 3);
  assert.equal(d.status!.readyReplicas, 3);
  assert.ok(
    (await eventMessages('ScalingReplicaSet')).includes(`Scaled up replica set web-${hash} from 0 to 3`),
  );
});

test('a rolling update with maxUnavailable 0 never has fewer ready pods than desired', async () => {
  await deployments().create(
    'default',
    deployment('api', {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    }),
  );
  await rolledOut('api');
  let minReady = Number.POSITIVE_INFINITY;
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const { items } = await pods().list('default');
      const ready = (items as Pod[]).filter(
        (p) => p.metadata.labels?.app === 'api' && !p.metadata.deletionTimestamp && isPodReady(p),
      ).length;
      minReady = Math.min(minReady, ready);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  await setImage('api', 'nginx:2');
  const d = await rolledOut('api');
  watching = false;
  await watch;
  assert.ok(minReady >= 3, `ready pods dropped to ${minReady}`);
  const rss = await ownedReplicaSets('api');
  assert.equal(rss.length, 2);
  const byRevision = Object.fromEntries(
    rss.map((rs) => [rs.metadata.annotations!['deployment.kubernetes.io/revision'], rs.spec.replicas]),
  );
  assert.deepEqual(byRevision, { '1': 0, '2': 3 });
  assert.equal(d.status!.updatedReplicas, 3);
  assert.equal(d.status!.replicas, 3);
});

test('going back to an old template reuses its ReplicaSet with a new revision', async () => {
  const before = await ownedReplicaSets('api');
  const first = before.find((rs) => rs.metadata.annotations!['deployment.kubernetes.io/revision'] === '1')!;
  await setImage('api', 'nginx:1');
  await rolledOut('api');
  const after = await ownedReplicaSets('api');
  assert.equal(after.length, 2);
  const reused = after.find((rs) => rs.metadata.uid === first.metadata.uid)!;
  assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(reused.spec.replicas, 3);
});

test('scaling changes the one active ReplicaSet', async () => {
  await deployments().guaranteedUpdate('default', 'web', (cur) => {
    (cur as Deployment).spec.replicas = 5;
    return cur!;
  });
  await eventually(async () => (await get('web')).status?.availableReplicas === 5);
  const [rs] = await ownedReplicaSets('web');
  assert.equal(rs!.spec.replicas, 5);
  assert.equal(rs!.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '5');
  assert.ok(
    (await eventMessages('ScalingReplicaSet')).includes(
      `Scaled up replica set ${rs!.metadata.name} from 3 to 5`,
    ),
  );
});

test('a paused Deployment does not roll out until resumed', async () => {
  await deployments().guaranteedUpdate('default', 'web', (cur) => {
    (cur as Deployment).spec.paused = true;
    return cur!;
  });
  await eventually(async () =>
    (await get('web')).status?.conditions?.some(
      (c) => c.reason === 'DeploymentPaused' && c.status === 'Unknown',
    ),
  );
  await setImage('web', 'nginx:2');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await ownedReplicaSets('web')).length, 1);
  await deployments().guaranteedUpdate('default', 'web', (cur) => {
    (cur as Deployment).spec.paused = false;
    return cur!;
  });
  await rolledOut('web');
  assert.equal((await ownedReplicaSets('web')).length, 2);
});

test('Recreate scales the old ReplicaSet to zero before the new one starts', async () => {
  await deployments().create('default', deployment('batch', { replicas: 2, strategy: { type: 'Recreate' } }));
  await rolledOut('batch');
  let overlap = false;
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const { items } = await pods().list('default');
      const images = new Set(
        (items as Pod[])
          .filter((p) => p.metadata.labels?.app === 'batch')
          .map((p) => (p.spec!.containers as { image: string }[])[0]!.image),
      );
      if (images.size > 1) overlap = true;
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  await setImage('batch', 'nginx:2');
  await rolledOut('batch');
  watching = false;
  await watch;
  assert.equal(overlap, false);
});

test('old ReplicaSets beyond revisionHistoryLimit are deleted', async () => {
  await deployments().create('default', deployment('hist', { replicas: 1, revisionHistoryLimit: 1 }));
  await rolledOut('hist');
  for (const image of ['nginx:2', 'nginx:3', 'nginx:4']) {
    await setImage('hist', image);
    await rolledOut('hist');
  }
  await eventually(async () => (await ownedReplicaSets('hist')).length === 2);
  const revisions = (await ownedReplicaSets('hist'))
    .map((rs) => rs.metadata.annotations!['deployment.kubernetes.io/revision'])
    .sort();
  assert.deepEqual(revisions, ['3', '4']);
});

test('a rollout that makes no progress within the deadline is reported', async () => {
  kubelet.hold = (p) => p.metadata.labels?.app === 'slow';
  await deployments().create('default', deployment('slow', { replicas: 1, progressDeadlineSeconds: 1 }));
  const d = await eventually(async () => {
    const cur = await get('slow');
    const c = cur.status?.conditions?.find((x) => x.type === 'Progressing');
    return c?.reason === 'ProgressDeadlineExceeded' && cur;
  }, 8000);
  const c = d.status!.conditions!.find((x) => x.type === 'Progressing')!;
  assert.equal(c.status, 'False');
  assert.match(c.message!, /^ReplicaSet "slow-[a-z0-9]+" has timed out progressing\.$/);
  kubelet.hold = () => false;
  kubelet.release();
  await eventually(async () => (await get('slow')).status?.availableReplicas === 1);
});
