import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeInfo } from '../node-info.ts';
import { makeNode, makePod, podInfo } from '../testing.ts';
import { fitsRequest } from './node-resources-fit.ts';
import { balancedAllocationScore, leastAllocatedScore, scoreNode } from './resource-allocation.ts';

const nodeWith = (spec: Parameters<typeof makeNode>[1], ...pods: ReturnType<typeof makePod>[]) => {
  const n = new NodeInfo('n', makeNode('n', spec));
  for (const p of pods) n.addPod(podInfo(p));
  return n;
};

test('fits: requests against what the node has left', () => {
  const node = nodeWith({ cpu: '2', memory: '4Gi' }, makePod('a', { cpu: '1500m', memory: '1Gi' }));
  assert.deepEqual(fitsRequest(podInfo(makePod('p', { cpu: '500m' })).requests, node), []);
  const over = fitsRequest(podInfo(makePod('p', { cpu: '600m', memory: '4Gi' })).requests, node);
  assert.deepEqual(
    over.map((r) => r.reason),
    ['Insufficient cpu', 'Insufficient memory'],
  );
});

test('fits: pod count from allocatable.pods, checked even for pods that request nothing', () => {
  const node = nodeWith({ pods: '1' }, makePod('a'));
  assert.deepEqual(
    fitsRequest(podInfo(makePod('p')).requests, node).map((r) => r.reason),
    ['Too many pods'],
  );
});

test('fits: zero requests fit an overcommitted node; extended resources are checked by name', () => {
  const node = nodeWith({ cpu: '1', extra: { 'example.com/gpu': '1' } }, makePod('a', { cpu: '2' }));
  assert.deepEqual(fitsRequest(podInfo(makePod('p')).requests, node), []);
  const gpu = (n: string) =>
    makePod('g', {
      spec: { containers: [{ name: 'c', resources: { requests: { 'example.com/gpu': n } } }] },
    });
  assert.deepEqual(fitsRequest(podInfo(gpu('1')).requests, node), []);
  assert.deepEqual(
    fitsRequest(podInfo(gpu('2')).requests, node).map((r) => r.reason),
    ['Insufficient example.com/gpu'],
  );
});

test('least allocated and balanced allocation: upstream example values', () => {
  // pod 3000m / 5000, nodes 4000m/10000 and 6000m/10000 (least_allocated_test.go).
  assert.equal(leastAllocatedScore([3000, 5000], [4000, 10000], [1, 1]), 37);
  assert.equal(leastAllocatedScore([3000, 5000], [6000, 10000], [1, 1]), 50);
  assert.equal(balancedAllocationScore([3000, 5000], [4000, 10000]), 87);
  assert.equal(balancedAllocationScore([3000, 5000], [6000, 10000]), 100);
  assert.equal(leastAllocatedScore([5000, 0], [4000, 0], [1, 1]), 0);
});

test('scoring counts empty pods as 100m / 200Mi for least allocated only', () => {
  const node = nodeWith({ cpu: '1', memory: '1000Mi' });
  const empty = podInfo(makePod('p'));
  // cpu (1000-100)/1000 → 90, memory (1000-200)/1000 → 80: mean 85.
  assert.equal(scoreNode(empty, node, false, leastAllocatedScore), 85);
  assert.equal(
    scoreNode(empty, node, true, (r, a) => balancedAllocationScore(r, a)),
    100,
  );
});
