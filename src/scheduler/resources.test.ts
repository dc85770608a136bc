import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nonZeroDefaults, podRequests, toResource } from './resources.ts';
import { makePod } from './testing.ts';

const container = (name: string, cpu: string, memory: string, restartPolicy?: string) => ({
  name,
  image: 'x',
  resources: { requests: { cpu, memory } },
  ...(restartPolicy ? { restartPolicy } : {}),
});

test('containers add up, an init container needs at least its own size', () => {
  const pod = makePod('p', {
    spec: {
      initContainers: [container('i1', '2', '1G'), container('i2', '2', '3G')],
      containers: [container('c1', '2', '1G'), container('c2', '1', '1G')],
    },
  });
  assert.deepEqual(podRequests(pod), { cpu: 3000, memory: 3_000_000_000 });
});

test('sidecars run beside later init containers and the app (KEP-753 rules)', () => {
  const pod = makePod('p', {
    spec: {
      initContainers: [container('sidecar', '1', '1Gi', 'Always'), container('init', '3', '1Gi')],
      containers: [container('app', '1', '1Gi')],
    },
  });
  // init runs with the sidecar: 4 cpu; afterwards app + sidecar: 2 cpu.
  assert.equal(podRequests(pod).cpu, 4000);
  assert.equal(podRequests(pod).memory, 2 * 1024 ** 3);
});

test('overhead is added; defaults fill only requests a container leaves out', () => {
  const pod = makePod('p', { cpu: '250m', spec: { overhead: { cpu: '100m' } } });
  assert.equal(podRequests(pod).cpu, 350);
  assert.equal(podRequests(pod).memory, undefined);
  const nz = podRequests(pod, nonZeroDefaults);
  assert.equal(nz.cpu, 350);
  assert.equal(nz.memory, 200 * 1024 * 1024);
});

test('extended resources land in scalar, fractions of a unit round up', () => {
  const r = toResource({ cpu: 1500, memory: 1, 'example.com/gpu': 2, 'hugepages-2Mi': 4, pods: 10, foo: 1 });
  assert.deepEqual(r.scalar, { 'example.com/gpu': 2, 'hugepages-2Mi': 4 });
  assert.equal(r.allowedPodNumber, 10);
  assert.equal(podRequests(makePod('p', { memory: '0.5' })).memory, 1);
});
