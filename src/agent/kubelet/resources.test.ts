import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { containerResources, milliCpuToQuota, milliCpuToShares, oomScoreAdj, qosClass } from './resources.ts';

const pod = (resources: Record<string, Record<string, string>>): V1Pod => ({
  spec: { containers: [{ name: 'c', image: 'busybox', resources }] },
});

test('cpu shares and quota follow upstream rounding', () => {
  assert.equal(milliCpuToShares(0), 2);
  assert.equal(milliCpuToShares(1), 2);
  assert.equal(milliCpuToShares(100), 102);
  assert.equal(milliCpuToShares(1000), 1024);
  assert.equal(milliCpuToQuota(0), 0);
  assert.equal(milliCpuToQuota(5), 1000);
  assert.equal(milliCpuToQuota(250), 25_000);
});

test('QoS classes and oom_score_adj', () => {
  const gi = 1024 ** 3;
  assert.equal(qosClass(pod({})), 'BestEffort');
  assert.equal(qosClass(pod({ limits: { cpu: '1', memory: '1Gi' } })), 'Guaranteed');
  assert.equal(qosClass(pod({ requests: { memory: '1Gi' } })), 'Burstable');
  assert.equal(oomScoreAdj('Guaranteed', gi, 4 * gi), -997);
  assert.equal(oomScoreAdj('BestEffort', 0, 4 * gi), 1000);
  assert.equal(oomScoreAdj('Burstable', gi, 4 * gi), 750);
  assert.equal(oomScoreAdj('Burstable', 0, 4 * gi), 999);
  assert.equal(oomScoreAdj('Burstable', 8 * gi, 4 * gi), 3);
});

test('container resources: shares from requests, quota and memory from limits', () => {
  const p = pod({ requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } });
  const r = containerResources(p, p.spec!.containers[0]!, 1024 ** 3);
  assert.deepEqual(r, {
    cpuPeriod: 100_000,
    cpuQuota: 50_000,
    cpuShares: 256,
    memoryLimitInBytes: 128 * 1024 ** 2,
    oomScoreAdj: 938,
  });
  // Requests default to limits.
  const g = pod({ limits: { cpu: '1', memory: '1Gi' } });
  const rg = containerResources(g, g.spec!.containers[0]!, 4 * 1024 ** 3);
  assert.equal(rg.cpuShares, 1024);
  assert.equal(rg.oomScoreAdj, -997);
});
