import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { decide, type OwnerState } from './decide.ts';
import { ObjectGraph, toNode } from './graph.ts';

const item = (owners: string[], finalizers?: string[], block = false): KubeObject => ({
  metadata: {
    name: 'x',
    uid: 'x',
    ownerReferences: owners.map((uid) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: uid,
      uid,
      blockOwnerDeletion: block,
    })),
    ...(finalizers ? { finalizers } : {}),
  },
});
const states = (s: Record<string, OwnerState>) => new Map(Object.entries(s));
const noDeps = { any: false, deletingDependents: false };

test('all owners gone: delete in the background, honouring its own finalizers', () => {
  assert.deepEqual(decide(item(['a']), states({ a: 'dangling' }), noDeps), {
    action: 'delete',
    policy: 'Background',
    unblock: [],
  });
  assert.equal(
    (decide(item(['a'], ['orphan']), states({ a: 'dangling' }), noDeps) as { policy: string }).policy,
    'Orphan',
  );
  assert.equal(
    (decide(item(['a'], ['foregroundDeletion']), states({ a: 'dangling' }), noDeps) as { policy: string })
      .policy,
    'Foreground',
  );
});

test('a remaining owner keeps it; references to gone or leaving owners are dropped', () => {
  assert.deepEqual(decide(item(['a', 'b']), states({ a: 'solid', b: 'solid' }), noDeps), { action: 'none' });
  assert.deepEqual(
    decide(item(['a', 'b', 'c']), states({ a: 'solid', b: 'dangling', c: 'waiting' }), noDeps),
    {
      action: 'removeOwnerReferences',
      uids: ['b', 'c'],
    },
  );
});

test('an owner of an unknown kind protects the item', () => {
  assert.deepEqual(decide(item(['a', 'b']), states({ a: 'unknown', b: 'dangling' }), noDeps), {
    action: 'none',
  });
});

test('foreground owner: items with dependents go in the foreground, cycles unblocked', () => {
  assert.deepEqual(decide(item(['a']), states({ a: 'waiting' }), noDeps), {
    action: 'delete',
    policy: 'Background',
    unblock: [],
  });
  assert.deepEqual(
    decide(item(['a'], undefined, true), states({ a: 'waiting' }), { any: true, deletingDependents: false }),
    {
      action: 'delete',
      policy: 'Foreground',
      unblock: [],
    },
  );
  assert.deepEqual(
    decide(item(['a'], undefined, true), states({ a: 'waiting' }), { any: true, deletingDependents: true }),
    {
      action: 'delete',
      policy: 'Foreground',
      unblock: ['a'],
    },
  );
});

test('graph: unseen owners, foreground owners and deletions schedule the right checks', () => {
  const g = new ObjectGraph();
  const obj = (uid: string, owners: string[] = [], extra: Record<string, unknown> = {}): KubeObject => ({
    metadata: {
      name: uid,
      namespace: 'default',
      uid,
      ownerReferences: owners.map((o) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: o,
        uid: o,
        blockOwnerDeletion: true,
      })),
      ...extra,
    },
  });
  assert.deepEqual(
    g.upsert(toNode('/configmaps', obj('child', ['parent']))).attemptToDelete,
    ['child'],
    'owner not seen yet',
  );
  assert.deepEqual(g.upsert(toNode('/configmaps', obj('parent'))).attemptToDelete, []);
  assert.deepEqual(
    g.dependentsOf('parent').map((n) => n.uid),
    ['child'],
  );
  const fg = g.upsert(
    toNode(
      '/configmaps',
      obj('parent', [], { deletionTimestamp: 'now', finalizers: ['foregroundDeletion'] }),
    ),
  );
  assert.deepEqual(fg.attemptToDelete, ['child', 'parent']);
  assert.deepEqual(
    g.blockingDependentsOf('parent').map((n) => n.uid),
    ['child'],
  );
  assert.deepEqual(g.remove('child').attemptToDelete, ['parent'], 'the waiting owner is rechecked');
  const orphan = g.upsert(
    toNode('/configmaps', obj('o', [], { deletionTimestamp: 'now', finalizers: ['orphan'] })),
  );
  assert.deepEqual(orphan.attemptToOrphan, ['o']);
  g.upsert(toNode('/configmaps', obj('d', ['o'])));
  assert.deepEqual(g.remove('o').attemptToDelete, ['d'], 'dependents of a deleted owner are checked');
});
