import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultNormalizeScore, fitErrorMessage, newDiagnosis, Status } from './framework.ts';

test('FitError: reasons counted per node, sorted as strings, joined with commas', () => {
  const d = newDiagnosis();
  d.nodeToStatus.set(
    'cp',
    new Status(
      'UnschedulableAndUnresolvable',
      'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
    ),
  );
  d.nodeToStatus.set('a', new Status('Unschedulable', 'Insufficient cpu', 'Insufficient memory'));
  d.nodeToStatus.set('b', new Status('Unschedulable', 'Insufficient cpu'));
  assert.equal(
    fitErrorMessage(3, d),
    '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.',
  );
});

test('FitError: nodes without a status count with the absent status; PostFilter message follows', () => {
  const d = newDiagnosis();
  d.nodeToStatus.set(
    'a',
    new Status('UnschedulableAndUnresolvable', 'No preemption victims found for incoming pod'),
  );
  d.nodeToStatus.absent = new Status(
    'UnschedulableAndUnresolvable',
    'Preemption is not helpful for scheduling',
  );
  const inner = fitErrorMessage(3, d);
  assert.equal(
    inner,
    '0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
  );
  const outer = newDiagnosis();
  outer.nodeToStatus.set('a', new Status('Unschedulable', 'Insufficient cpu'));
  outer.postFilterMsg = `preemption: ${inner}`;
  // Upstream appends " <msg>." even though the nested message already ends in a period.
  assert.equal(
    fitErrorMessage(1, outer),
    `0/1 nodes are available: 1 Insufficient cpu. preemption: ${inner}.`,
  );
});

test('FitError: a PreFilter rejection replaces the per-node reasons', () => {
  const d = newDiagnosis();
  d.preFilterMsg = 'pod affinity terms conflict';
  d.nodeToStatus.absent = new Status('UnschedulableAndUnresolvable', 'pod affinity terms conflict');
  assert.equal(fitErrorMessage(2, d), '0/2 nodes are available: pod affinity terms conflict.');
});

test('default normalization scales by the maximum, optionally reversed', () => {
  const scores = [
    { name: 'a', score: 2 },
    { name: 'b', score: 4 },
    { name: 'c', score: 0 },
  ];
  defaultNormalizeScore(scores, false);
  assert.deepEqual(
    scores.map((s) => s.score),
    [50, 100, 0],
  );
  const reversed = [
    { name: 'a', score: 1 },
    { name: 'b', score: 0 },
  ];
  defaultNormalizeScore(reversed, true);
  assert.deepEqual(
    reversed.map((s) => s.score),
    [0, 100],
  );
});
