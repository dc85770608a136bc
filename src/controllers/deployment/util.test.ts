import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, ReplicaSet } from '../util/types.ts';
import { deploymentTimedOut, newCondition, setCondition } from './conditions.ts';
import { findActiveOrLatest } from './replicasets.ts';
import { lastRevision } from './rollback.ts';
import {
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  replicaSetProportion,
  resolveFenceposts,
  scaledValue,
  setNewReplicaSetAnnotations,
} from './util.ts';

function deployment(
  replicas: number,
  maxSurgeV: number | string = '25%',
  maxUnavailableV: number | string = '25%',
): Deployment {
  return {
    metadata: {
      name: 'd',
      annotations: { 'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '9' },
    },
    spec: {
      replicas,
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: maxSurgeV, maxUnavailable: maxUnavailableV },
      },
    },
  };
}

function rs(
  name: string,
  replicas: number,
  annotations: Record<string, string> = {},
  created = 0,
): ReplicaSet {
  return {
    metadata: { name, uid: name, annotations, creationTimestamp: new Date(created * 1000).toISOString() },
    spec: { replicas },
  };
}

test('int-or-percent scales round surge up and unavailability down', () => {
  assert.equal(scaledValue('25%', 10, true), 3);
  assert.equal(scaledValue('25%', 10, false), 2);
  assert.equal(scaledValue(4, 10, false), 4);
  assert.throws(() => scaledValue('25', 10, true), /not a percentage/);
  assert.deepEqual(resolveFenceposts(deployment(1, '0%', '25%')), [0, 1]);
  assert.deepEqual(resolveFenceposts(deployment(3)), [1, 0]);
  assert.equal(maxSurge(deployment(3)), 1);
  assert.equal(maxUnavailable(deployment(3, 1, 5)), 3);
  assert.equal(maxUnavailable(deployment(0, 1, 1)), 0);
  assert.equal(maxSurge({ ...deployment(3), spec: { replicas: 3, strategy: { type: 'Recreate' } } }), 0);
});

test('the new ReplicaSet grows only into the surge room', () => {
  const d = deployment(3, 1, 0);
  const old = rs('old', 3);
  const fresh = rs('new', 0);
  assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 1);
  assert.equal(newRSNewReplicas(d, [rs('old', 2), rs('new', 2)], rs('new', 2)), 2);
  assert.equal(newRSNewReplicas(d, [rs('old', 0), rs('new', 1)], rs('new', 1)), 3);
});

test('proportional scaling shares the added replicas by size', () => {
  const d = deployment(20, 2, 0);
  d.status = { replicas: 12 };
  const big = rs('big', 8, { 'deployment.kubernetes.io/max-replicas': '12' });
  // 8 * 22 / 12 = 14.67 → 15: seven more.
  assert.equal(replicaSetProportion(d, big, 10, 0), 7);
  assert.equal(replicaSetProportion(d, big, 10, 5), 5);
  assert.equal(replicaSetProportion(d, rs('empty', 0), 10, 0), 0);
  const down = deployment(0, 1, 0);
  assert.equal(replicaSetProportion(down, big, -8, 0), -8);
});

test('the new ReplicaSet takes the Deployment annotations and a higher revision, remembering the old one', () => {
  const d = deployment(3);
  const r = rs('r', 3, {
    'deployment.kubernetes.io/revision': '2',
    'deployment.kubernetes.io/revision-history': '1',
  });
  assert.equal(setNewReplicaSetAnnotations(d, r, 5, true), true);
  assert.deepEqual(r.metadata.annotations, {
    'deployment.kubernetes.io/revision': '5',
    'deployment.kubernetes.io/revision-history': '1,2',
    'kubernetes.io/change-cause': 'v2',
  });
  assert.equal(setNewReplicaSetAnnotations(d, r, 5, true), false);
  const created = rs('c', 0);
  setNewReplicaSetAnnotations(d, created, 1, false);
  assert.equal(created.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '3');
  assert.equal(created.metadata.annotations!['deployment.kubernetes.io/max-replicas'], '4');
  assert.equal(created.metadata.annotations!['deployment.kubernetes.io/revision-history'], undefined);
});

test('active or latest: the only active ReplicaSet, else the newest, none during a rollout', () => {
  assert.equal(findActiveOrLatest(rs('n', 0), [rs('a', 0, {}, 1), rs('b', 0, {}, 2)])!.metadata.name, 'n');
  assert.equal(findActiveOrLatest(undefined, [rs('a', 0, {}, 1), rs('b', 0, {}, 2)])!.metadata.name, 'b');
  assert.equal(findActiveOrLatest(rs('n', 0), [rs('a', 2)])!.metadata.name, 'a');
  assert.equal(findActiveOrLatest(rs('n', 1), [rs('a', 2)]), undefined);
  assert.equal(
    lastRevision([
      rs('a', 0, { 'deployment.kubernetes.io/revision': '3' }),
      rs('b', 0, { 'deployment.kubernetes.io/revision': '7' }),
    ]),
    3,
  );
});

test('conditions keep their transition time while the status holds; the deadline counts from the last update', () => {
  const status = {};
  const t0 = new Date('2024-01-01T00:00:00Z');
  setCondition(status, newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'a', t0));
  setCondition(
    status,
    newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'b', new Date('2024-01-01T00:05:00Z')),
  );
  const [c] = (status as { conditions: { lastTransitionTime: string; lastUpdateTime: string }[] }).conditions;
  assert.equal(c!.lastTransitionTime, '2024-01-01T00:00:00Z');
  assert.equal(c!.lastUpdateTime, '2024-01-01T00:05:00Z');
  const d = { ...deployment(1), spec: { ...deployment(1).spec, progressDeadlineSeconds: 600 } };
  assert.equal(deploymentTimedOut(d, status, Date.parse('2024-01-01T00:14:00Z')), false);
  assert.equal(deploymentTimedOut(d, status, Date.parse('2024-01-01T00:15:01Z')), true);
});
