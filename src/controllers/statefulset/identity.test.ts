import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../util/types.ts';
import { fnv32, goJson, hashRevision, revisionName, templateOf, templatePatch } from './history.ts';
import {
  identityMatches,
  newStatefulSetPod,
  parentAndOrdinal,
  type StatefulSet,
  storageMatches,
} from './identity.ts';
import { type SetOps, type SetStatus, updateStatefulSet } from './update.ts';

test('fnv32 is FNV-1 (Go hash/fnv New32), not FNV-1a', () => {
  assert.equal(fnv32(new TextEncoder().encode('')), 0x811c9dc5);
  assert.equal(fnv32(new TextEncoder().encode('a')), 0x050c5d7e);
  assert.match(hashRevision('{}'), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.notEqual(hashRevision('{}', 1), hashRevision('{}'));
  assert.equal(revisionName('web', 'abc'), 'web-abc');
});

test('the revision patch is sorted, HTML-escaped JSON that gives the template back', () => {
  const template = {
    spec: { containers: [{ name: 'c', image: 'a<b' }] },
    metadata: { labels: { z: '1', a: '2' } },
  };
  const raw = templatePatch(template);
  assert.equal(
    raw,
    '{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"a":"2","z":"1"}},"spec":{"containers":[{"image":"a\\u003cb","name":"c"}]}}}}',
  );
  assert.deepEqual(templateOf({ metadata: {}, revision: 1, data: JSON.parse(raw) }), template);
  assert.equal(goJson({ b: [{ d: 1, c: 2 }], a: null }), '{"a":null,"b":[{"c":2,"d":1}]}');
});

const set: StatefulSet = {
  metadata: { name: 'web', namespace: 'default', uid: 'u1' },
  spec: {
    replicas: 3,
    serviceName: 'svc',
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }],
  },
};
const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true };

test('a new pod has its identity and storage; ordinals parse from names', () => {
  const pod = newStatefulSetPod(set, ref, 2, 'web-rev');
  assert.equal(pod.metadata.name, 'web-2');
  assert.equal(pod.spec?.hostname, 'web-2');
  assert.equal(pod.spec?.subdomain, 'svc');
  assert.equal(pod.metadata.labels?.['controller-revision-hash'], 'web-rev');
  assert.ok(identityMatches(set, pod) && storageMatches(set, pod));
  assert.deepEqual(parentAndOrdinal(pod), { parent: 'web', ordinal: 2 });
  assert.deepEqual(parentAndOrdinal({ metadata: { name: 'web' } }), { parent: '', ordinal: -1 });
  assert.ok(!storageMatches(set, { ...pod, spec: { ...pod.spec, volumes: [] } }));
});

function recorder() {
  const log: string[] = [];
  const ops: SetOps = {
    newPod: (o) => newStatefulSetPod(set, ref, o, 'r2'),
    create: async (p) => void log.push(`create ${p.metadata.name}`),
    fix: async (p) => void log.push(`fix ${p.metadata.name}`),
    delete: async (p) => void log.push(`delete ${p.metadata.name}`),
  };
  return { log, ops };
}
const status = (): SetStatus => ({
  observedGeneration: 1,
  replicas: 0,
  readyReplicas: 0,
  currentReplicas: 0,
  updatedReplicas: 0,
  availableReplicas: 0,
  currentRevision: 'r1',
  updateRevision: 'r2',
  collisionCount: 0,
});
const running = (ordinal: number, revision: string, ready = true): Pod => {
  const pod = newStatefulSetPod(set, ref, ordinal, revision);
  pod.metadata.uid = `p${ordinal}`;
  pod.status = { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  return pod;
};

test('one pass: OrderedReady creates the lowest missing ordinal and stops', async () => {
  const { log, ops } = recorder();
  const s = await updateStatefulSet(set, [running(0, 'r2')], status(), ops);
  assert.deepEqual(log, ['create web-1']);
  assert.equal(s.replicas, 2);
});

test('one pass: an unready pod blocks OrderedReady, not Parallel', async () => {
  const { log, ops } = recorder();
  await updateStatefulSet(set, [running(0, 'r2', false)], status(), ops);
  assert.deepEqual(log, []);
  const par = recorder();
  await updateStatefulSet(
    { ...set, spec: { ...set.spec, podManagementPolicy: 'Parallel' } },
    [running(0, 'r2', false)],
    status(),
    par.ops,
  );
  assert.deepEqual(par.log, ['create web-1', 'create web-2']);
});

test('one pass: condemned pods go from the highest ordinal; updates from the top down to the partition', async () => {
  const { log, ops } = recorder();
  const pods = [0, 1, 2, 3, 4].map((o) => running(o, 'r2'));
  await updateStatefulSet(set, pods, status(), ops);
  assert.deepEqual(log, ['delete web-4']);
  const upd = recorder();
  const partitioned = {
    ...set,
    spec: { ...set.spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } },
  };
  await updateStatefulSet(
    partitioned,
    [running(0, 'r1'), running(1, 'r1'), running(2, 'r2')],
    status(),
    upd.ops,
  );
  assert.deepEqual(upd.log, ['delete web-1']);
  const onDelete = recorder();
  const od = { ...set, spec: { ...set.spec, updateStrategy: { type: 'OnDelete' } } };
  await updateStatefulSet(od, [running(0, 'r1'), running(1, 'r1'), running(2, 'r1')], status(), onDelete.ops);
  assert.deepEqual(onDelete.log, []);
});
