import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState, type NodeScore } from '../framework.ts';
import { GenericScheduler } from '../schedule-one.ts';
import { makeNode, makePod, podInfo, setup } from '../testing.ts';
import { affinityFilter, computeAffinityState } from './inter-pod-affinity.ts';
import { normalizeMinMax, processExistingPod, TopologyScore } from './inter-pod-affinity-scoring.ts';

const zoneNodes = () => [
  makeNode('a1', { labels: { zone: 'a' } }),
  makeNode('a2', { labels: { zone: 'a' } }),
  makeNode('b1', { labels: { zone: 'b' } }),
];
const term = (labels: Record<string, string>, topologyKey: string) => ({
  labelSelector: { matchLabels: labels },
  topologyKey,
});
const withAffinity = (name: string, labels: Record<string, string>, affinity: Record<string, unknown>) =>
  makePod(name, { labels, spec: { affinity } });

function verdicts(pod: ReturnType<typeof makePod>, placed: ReturnType<typeof makePod>[]) {
  const { cache, fwk } = setup(zoneNodes(), placed);
  const s = computeAffinityState(podInfo(pod), fwk);
  return Object.fromEntries(
    cache.list().map((n) => [n.name, s ? (affinityFilter(s, n)?.reasons[0] ?? 'ok') : 'ok']),
  );
}

test('required affinity: only the zone that holds a matching pod', () => {
  const pod = withAffinity(
    'p',
    {},
    { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'zone')] } },
  );
  assert.deepEqual(verdicts(pod, [makePod('db', { labels: { app: 'db' }, nodeName: 'b1' })]), {
    a1: "node(s) didn't match pod affinity rules",
    a2: "node(s) didn't match pod affinity rules",
    b1: 'ok',
  });
});

test('required affinity to itself: the first pod of the group goes anywhere with the topology key', () => {
  const pod = withAffinity(
    'p',
    { app: 'web' },
    { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'zone')] } },
  );
  assert.deepEqual(verdicts(pod, []), { a1: 'ok', a2: 'ok', b1: 'ok' });
  const other = withAffinity(
    'q',
    { app: 'web' },
    { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'rack')] } },
  );
  assert.equal(verdicts(other, []).a1, "node(s) didn't match pod affinity rules");
});

test("required anti-affinity: the pod's own, and that of pods already placed", () => {
  const spread = {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'kubernetes.io/hostname')],
    },
  };
  const placed = withAffinity('w1', { app: 'web' }, spread);
  placed.spec = { ...(placed.spec as object), nodeName: 'a1' };
  assert.deepEqual(verdicts(withAffinity('w2', { app: 'web' }, spread), [placed]), {
    a1: "node(s) didn't match pod anti-affinity rules",
    a2: 'ok',
    b1: 'ok',
  });
  assert.deepEqual(verdicts(makePod('plain', { labels: { app: 'web' } }), [placed]), {
    a1: "node(s) didn't satisfy existing pods anti-affinity rules",
    a2: 'ok',
    b1: 'ok',
  });
  assert.deepEqual(verdicts(makePod('other', { labels: { app: 'db' } }), [placed]), {
    a1: 'ok',
    a2: 'ok',
    b1: 'ok',
  });
});

test("namespaces: terms select the pod's own namespace unless they name others", () => {
  const pod = withAffinity(
    'p',
    {},
    { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'zone')] } },
  );
  const elsewhere = makePod('db', { labels: { app: 'db' }, nodeName: 'b1', namespace: 'other' });
  assert.equal(verdicts(pod, [elsewhere]).b1, "node(s) didn't match pod affinity rules");
  const named = withAffinity(
    'p',
    {},
    {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { ...term({ app: 'db' }, 'zone'), namespaces: ['other'] },
        ],
      },
    },
  );
  assert.equal(verdicts(named, [elsewhere]).b1, 'ok');
});

test('preferred terms: placed pods pull (affinity) or push (anti-affinity) their whole domain', () => {
  const nodes = zoneNodes();
  const { cache } = setup(nodes, [makePod('db', { labels: { app: 'db' }, nodeName: 'a1' })]);
  const pod = podInfo(
    withAffinity(
      'p',
      {},
      {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 10, podAffinityTerm: term({ app: 'db' }, 'zone') },
          ],
        },
      },
    ),
  );
  const t = new TopologyScore();
  for (const n of cache.list()) for (const e of n.pods) processExistingPod(t, pod, e, n, () => undefined);
  const scores: NodeScore[] = cache.list().map((n) => ({ name: n.name, score: t.forNode(n) }));
  assert.deepEqual(
    scores.map((s) => s.score),
    [-10, -10, 0],
  );
  normalizeMinMax(scores);
  assert.deepEqual(
    scores.map((s) => s.score),
    [0, 0, 100],
  );
});

test('scheduling with preferred anti-affinity spreads replicas across zones', () => {
  const { cache, fwk } = setup(zoneNodes());
  const algo = new GenericScheduler(fwk, () => 0);
  const zones: string[] = [];
  for (const name of ['r1', 'r2']) {
    const pod = podInfo(
      withAffinity(
        name,
        { app: 'web' },
        {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 100, podAffinityTerm: term({ app: 'web' }, 'zone') },
            ],
          },
        },
      ),
    );
    const host = algo.schedulePod(new CycleState(), pod).suggestedHost;
    zones.push(cache.get(host)!.labels.zone!);
    cache.addPod(podInfo({ ...pod.pod, spec: { ...pod.spec, nodeName: host } }));
  }
  assert.notEqual(zones[0], zones[1]);
});
