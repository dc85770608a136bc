import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchedulerCache } from './cache.ts';
import { makeNode, makePod, podInfo } from './testing.ts';

const bound = (pod: ReturnType<typeof makePod>, node: string) =>
  podInfo({ ...pod, spec: { ...(pod.spec as object), nodeName: node } });

test('assumed pods count on their node until confirmed, forgotten, or expired', () => {
  const now = { t: 0 };
  const cache = new SchedulerCache({ assumedTTLMs: 30_000, now: () => now.t });
  cache.addNode(makeNode('n1', { cpu: '4' }));
  const pod = makePod('p', { cpu: '1' });
  cache.assumePod(bound(pod, 'n1'));
  assert.equal(cache.get('n1')!.requested.milliCPU, 1000);
  assert.ok(cache.isAssumed(pod.metadata.uid!));
  // Not expired before the binding finished, however long it takes.
  now.t = 60_000;
  assert.deepEqual(cache.cleanupExpiredAssumedPods(), []);
  cache.finishBinding(bound(pod, 'n1'));
  now.t += 29_999;
  assert.deepEqual(cache.cleanupExpiredAssumedPods(), []);
  now.t += 1;
  assert.equal(cache.cleanupExpiredAssumedPods().length, 1);
  assert.equal(cache.get('n1')!.requested.milliCPU, 0);
});

test('the informer confirms an assumed pod once; forgetting releases it', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('n1'));
  const pod = makePod('p', { cpu: '1', labels: { a: 'b' } });
  cache.assumePod(bound(pod, 'n1'));
  cache.addPod(bound(pod, 'n1'));
  assert.ok(!cache.isAssumed(pod.metadata.uid!));
  assert.equal(cache.get('n1')!.pods.length, 1);
  assert.equal(cache.get('n1')!.requested.milliCPU, 1000);
  const other = makePod('q', { cpu: '2' });
  cache.assumePod(bound(other, 'n1'));
  cache.forgetPod(bound(other, 'n1'));
  assert.equal(cache.get('n1')!.requested.milliCPU, 1000);
});

test('pods may arrive before their node; a deleted node with pods lingers but is not listed', () => {
  const cache = new SchedulerCache();
  cache.addPod(bound(makePod('early', { cpu: '1' }), 'n1'));
  assert.equal(cache.list().length, 0);
  cache.addNode(makeNode('n1'));
  assert.equal(cache.get('n1')!.requested.milliCPU, 1000);
  cache.removeNode(makeNode('n1'));
  assert.equal(cache.get('n1'), undefined);
  cache.addNode(makeNode('n1'));
  assert.equal(cache.get('n1')!.pods.length, 1);
});

test('host ports and affinity lists follow the pods', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('n1'));
  const pod = makePod('p', {
    spec: {
      containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }],
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {}, topologyKey: 'zone' }],
        },
      },
    },
  });
  cache.addPod(bound(pod, 'n1'));
  assert.equal(cache.get('n1')!.usedPorts.size, 1);
  assert.equal(cache.havePodsWithRequiredAntiAffinity().length, 1);
  cache.removePod(pod.metadata.uid!);
  assert.equal(cache.get('n1')!.usedPorts.size, 0);
  assert.equal(cache.havePodsWithAffinity().length, 0);
});
