import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from './framework.ts';
import {
  FitError,
  GenericScheduler,
  NoNodesAvailableError,
  numFeasibleNodesToFind,
  selectHost,
} from './schedule-one.ts';
import { makeNode, makePod, podInfo, setup } from './testing.ts';

const controlPlane = makeNode('cp', {
  cpu: '8',
  taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
});

/** Schedules and, when nothing fits, runs PostFilter as the scheduler does; returns host or message. */
async function attempt(env: ReturnType<typeof setup>, pod: ReturnType<typeof makePod>) {
  const state = new CycleState();
  const pi = podInfo(pod);
  try {
    return new GenericScheduler(env.fwk, () => 0).schedulePod(state, pi).suggestedHost;
  } catch (e) {
    if (!(e instanceof FitError)) throw e;
    const post = await env.fwk.runPostFilterPlugins(state, pi, e.diagnosis.nodeToStatus);
    e.diagnosis.postFilterMsg = post.status.message();
    return e.message;
  }
}

test('the FailedScheduling message for taints and cpu, with the preemption part', async () => {
  const env = setup(
    [controlPlane, makeNode('w1', { cpu: '1' }), makeNode('w2', { cpu: '1' })],
    [makePod('a', { cpu: '800m', nodeName: 'w1' }), makePod('b', { cpu: '800m', nodeName: 'w2' })],
  );
  assert.equal(
    await attempt(env, makePod('big', { cpu: '500m' })),
    '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. ' +
      'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..',
  );
});

test('preemption not helpful anywhere; preemptionPolicy Never', async () => {
  const env = setup([makeNode('n1', { labels: { zone: 'a' } })]);
  assert.equal(
    await attempt(env, makePod('p', { spec: { nodeSelector: { zone: 'b' } } })),
    "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..",
  );
  const full = setup([makeNode('n1', { cpu: '1' })], [makePod('a', { cpu: '1', nodeName: 'n1' })]);
  assert.equal(
    await attempt(full, makePod('p', { cpu: '1', priority: 10, spec: { preemptionPolicy: 'Never' } })),
    '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never..',
  );
});

test('preemption picks the node with the least important victims and evicts only what is needed', async () => {
  const env = setup(
    [makeNode('n1', { cpu: '2' }), makeNode('n2', { cpu: '2' })],
    [
      makePod('low1', { cpu: '1', nodeName: 'n1', priority: 1 }),
      makePod('low2', { cpu: '1', nodeName: 'n1', priority: 1 }),
      makePod('mid', { cpu: '1', nodeName: 'n2', priority: 5 }),
      makePod('high', { cpu: '1', nodeName: 'n2', priority: 100 }),
    ],
  );
  const msg = await attempt(env, makePod('p', { cpu: '1', priority: 50 }));
  assert.equal(msg, '0/2 nodes are available: 2 Insufficient cpu.');
  assert.equal(env.cluster.preempted.length, 1);
  assert.ok(env.cluster.preempted[0]!.startsWith('low'));
});

test('no nodes; a nodeName that matches nothing; a single feasible node skips scoring', async () => {
  const empty = setup([]);
  assert.throws(
    () => new GenericScheduler(empty.fwk).schedulePod(new CycleState(), podInfo(makePod('p'))),
    NoNodesAvailableError,
  );
  const env = setup([makeNode('n1'), makeNode('n2')]);
  assert.equal(
    await attempt(env, makePod('p', { spec: { nodeSelector: { 'kubernetes.io/hostname': 'n2' } } })),
    'n2',
  );
  const named = makePod('q', {
    spec: {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n9'] }] }],
          },
        },
      },
    },
  });
  assert.equal(
    await attempt(env, named),
    "0/2 nodes are available: 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..",
  );
});

test('resources: the emptier node wins; nominated pods hold their room', () => {
  const env = setup(
    [makeNode('n1', { cpu: '4', memory: '8Gi' }), makeNode('n2', { cpu: '4', memory: '8Gi' })],
    [makePod('a', { cpu: '3', memory: '4Gi', nodeName: 'n1' })],
  );
  const algo = new GenericScheduler(env.fwk, () => 0);
  assert.equal(
    algo.schedulePod(new CycleState(), podInfo(makePod('p', { cpu: '500m' }))).suggestedHost,
    'n2',
  );
  env.nominator.add(podInfo(makePod('nom', { cpu: '4', priority: 10 })), 'n2');
  assert.throws(() => algo.schedulePod(new CycleState(), podInfo(makePod('q', { cpu: '2' }))), FitError);
  assert.equal(algo.schedulePod(new CycleState(), podInfo(makePod('r', { cpu: '1' }))).suggestedHost, 'n1');
});

test('ties are broken at random; large clusters look at fewer nodes', () => {
  const scores = [
    { name: 'a', score: 5 },
    { name: 'b', score: 9 },
    { name: 'c', score: 9 },
  ];
  assert.equal(
    selectHost(scores, () => 0),
    'b',
  );
  assert.equal(
    selectHost(scores, () => 0.99),
    'c',
  );
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(1000), 420);
  assert.equal(numFeasibleNodesToFind(6000), 300);
});
