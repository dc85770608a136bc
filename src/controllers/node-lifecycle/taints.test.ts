import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { computeZoneState, tryUpdateNodeHealth } from './health.ts';
import {
  matchingTolerations,
  minTolerationMs,
  noScheduleTaintDiff,
  swapTaints,
  toleratesTaint,
} from './taints.ts';
import { TokenBucket, ZoneTainter } from './zone-tainter.ts';

const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };

test('tolerations: operators, effects, and the shortest tolerationSeconds', () => {
  assert.ok(toleratesTaint({ key: unreachable.key, operator: 'Exists', effect: 'NoExecute' }, unreachable));
  assert.ok(toleratesTaint({ operator: 'Exists' }, unreachable));
  assert.ok(!toleratesTaint({ key: unreachable.key, operator: 'Exists', effect: 'NoSchedule' }, unreachable));
  assert.ok(toleratesTaint({ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
  assert.ok(!toleratesTaint({ key: 'k', value: 'w' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
  const ready = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
  const t300 = { key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  const t60 = { key: ready.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 };
  const forever = { operator: 'Exists' };
  assert.deepEqual(matchingTolerations([unreachable, ready], [t300]), { all: false, used: [] });
  assert.equal(minTolerationMs(matchingTolerations([unreachable, ready], [t300, t60]).used), 60_000);
  assert.equal(minTolerationMs(matchingTolerations([unreachable], [forever]).used), -1);
  assert.equal(minTolerationMs([{ ...t60, tolerationSeconds: 0 }]), 0);
  assert.equal(minTolerationMs([]), 0);
});

test('NoSchedule taints follow conditions and spec.unschedulable', () => {
  const node: KubeObject = {
    metadata: { name: 'n' },
    spec: {
      unschedulable: true,
      taints: [
        { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
        { key: 'custom', effect: 'NoSchedule' },
      ],
    },
    status: {
      conditions: [
        { type: 'Ready', status: 'Unknown' },
        { type: 'DiskPressure', status: 'True' },
      ],
    },
  };
  const diff = noScheduleTaintDiff(node);
  assert.deepEqual(diff.add.map((t) => t.key).sort(), [
    'node.kubernetes.io/disk-pressure',
    'node.kubernetes.io/unreachable',
    'node.kubernetes.io/unschedulable',
  ]);
  assert.deepEqual(
    diff.remove.map((t) => t.key),
    ['node.kubernetes.io/not-ready'],
  );
  assert.ok(swapTaints(node, diff.add, diff.remove, '2024-01-01T00:00:00Z'));
  assert.deepEqual(noScheduleTaintDiff(node), { add: [], remove: [] });
  assert.ok(
    (node.spec as { taints: { key: string; timeAdded?: string }[] }).taints.some((t) => t.key === 'custom'),
  );
  assert.ok(!swapTaints(node, diff.add, [], 'later'), 'adding what is there changes nothing');
});

test('node health: a silent node turns Unknown after the grace period; a Lease renewal counts', () => {
  const o = { gracePeriodMs: 40_000, startupGracePeriodMs: 60_000 };
  const node: KubeObject = {
    metadata: { name: 'n', creationTimestamp: '2024-01-01T00:00:00Z' },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          lastHeartbeatTime: '2024-01-01T00:00:10Z',
          lastTransitionTime: '2024-01-01T00:00:10Z',
        },
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: '2024-01-01T00:00:10Z' },
      ],
    },
  };
  const lease = (t: string): KubeObject => ({ metadata: { name: 'n' }, spec: { renewTime: t } });
  let now = 1_000_000;
  let r = tryUpdateNodeHealth(node, undefined, lease('2024-01-01T00:00:10.000000Z'), now, o);
  assert.equal(r.updated, undefined);
  now += 30_000;
  r = tryUpdateNodeHealth(node, r.health, lease('2024-01-01T00:00:40.000000Z'), now, o);
  assert.equal(r.health.probeTimestamp, now, 'renewed lease');
  now += 39_000;
  r = tryUpdateNodeHealth(node, r.health, lease('2024-01-01T00:00:40.000000Z'), now, o);
  assert.equal(r.updated, undefined);
  now += 2_000;
  r = tryUpdateNodeHealth(node, r.health, lease('2024-01-01T00:00:40.000000Z'), now, o);
  const conditions = (r.updated!.status as { conditions: Record<string, string>[] }).conditions;
  const ready = conditions.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'Unknown');
  assert.equal(ready.reason, 'NodeStatusUnknown');
  assert.equal(ready.message, 'Kubelet stopped posting node status.');
  assert.equal(ready.lastHeartbeatTime, '2024-01-01T00:00:10Z');
  assert.equal(conditions.find((c) => c.type === 'MemoryPressure')!.status, 'Unknown');
  const never = conditions.find((c) => c.type === 'DiskPressure')!;
  assert.equal(never.reason, 'NodeStatusNeverUpdated');
  assert.equal(never.message, 'Kubelet never posted node status.');
  assert.equal(r.observed.status, 'True');
  // Once written, the next check changes nothing.
  const again = tryUpdateNodeHealth(r.updated!, r.health, undefined, now + 5_000, o);
  assert.equal(again.updated, undefined);
  assert.equal(again.observed.status, 'Unknown');
});

test('node health: a node that never posted status gets the startup grace from creation', () => {
  const o = { gracePeriodMs: 40_000, startupGracePeriodMs: 60_000 };
  const created = Date.parse('2024-01-01T00:00:00Z');
  const node: KubeObject = { metadata: { name: 'n', creationTimestamp: '2024-01-01T00:00:00Z' } };
  assert.equal(tryUpdateNodeHealth(node, undefined, undefined, created + 59_000, o).updated, undefined);
  const r = tryUpdateNodeHealth(node, undefined, undefined, created + 61_000, o);
  const ready = (r.updated!.status as { conditions: Record<string, string>[] }).conditions[0]!;
  assert.deepEqual([ready.type, ready.status, ready.reason], ['Ready', 'Unknown', 'NodeStatusNeverUpdated']);
});

test('zone states and the taint rate limiter', () => {
  const c = (status: string) => ({ type: 'Ready', status });
  assert.equal(computeZoneState([c('False')]).state, 'FullDisruption');
  assert.equal(computeZoneState([c('True'), c('Unknown')]).state, 'Normal');
  assert.equal(
    computeZoneState([c('True'), c('False'), c('False'), c('Unknown')]).state,
    'PartialDisruption',
  );
  assert.equal(
    computeZoneState([c('True'), c('True'), c('False'), c('False'), c('Unknown'), c('True'), c('True')])
      .state,
    'Normal',
  );
  let now = 0;
  const bucket = new TokenBucket(0.1, 1, () => now);
  assert.ok(bucket.tryAccept());
  assert.ok(!bucket.tryAccept());
  now = 10_000;
  assert.ok(bucket.tryAccept());
  const z = new ZoneTainter(0.1, () => now);
  assert.ok(z.add('a'));
  assert.ok(!z.add('a'), 'once per episode');
  z.remove('a');
  assert.ok(z.add('a'));
});
