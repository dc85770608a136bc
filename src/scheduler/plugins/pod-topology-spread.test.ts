import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../framework.ts';
import { GenericScheduler } from '../schedule-one.ts';
import { makeNode, makePod, podInfo, setup } from '../testing.ts';
import { computeSpreadState, spreadFilter } from './pod-topology-spread.ts';
import {
  computeSpreadScoreState,
  normalizeSpreadScores,
  spreadScore,
} from './pod-topology-spread-scoring.ts';

const nodes = () => [
  makeNode('a1', { labels: { zone: 'a' } }),
  makeNode('a2', { labels: { zone: 'a' } }),
  makeNode('b1', { labels: { zone: 'b' } }),
  makeNode('nolabel'),
];
const constrained = (name: string, when: string, extra: Record<string, unknown> = {}) =>
  makePod(name, {
    labels: { app: 'web' },
    spec: {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'zone',
          whenUnsatisfiable: when,
          labelSelector: { matchLabels: { app: 'web' } },
          ...extra,
        },
      ],
    },
  });
const web = (name: string, nodeName: string) => makePod(name, { labels: { app: 'web' }, nodeName });

test('DoNotSchedule: skew over maxSkew is refused; nodes without the key are unresolvable', () => {
  const { cache } = setup(nodes(), [web('w1', 'a1'), web('w2', 'a2')]);
  const pod = podInfo(constrained('p', 'DoNotSchedule'));
  const s = computeSpreadState(pod, cache.list());
  const verdict = (n: string) => spreadFilter(s, pod, cache.get(n)!)?.reasons[0] ?? 'ok';
  assert.equal(verdict('a1'), "node(s) didn't match pod topology spread constraints");
  assert.equal(verdict('b1'), 'ok');
  assert.equal(
    verdict('nolabel'),
    "node(s) didn't match pod topology spread constraints (missing required label)",
  );
});

test('DoNotSchedule: minDomains above the domain count makes the global minimum 0', () => {
  const { cache } = setup(nodes(), [web('w1', 'b1')]);
  const pod = podInfo(constrained('p', 'DoNotSchedule', { minDomains: 3 }));
  const s = computeSpreadState(pod, cache.list());
  assert.equal(spreadFilter(s, pod, cache.get('b1')!)?.code, 'Unschedulable');
  assert.equal(spreadFilter(s, pod, cache.get('a1')!), undefined);
});

test('ScheduleAnyway: crowded domains score lower; nodes without the key get 0', () => {
  const { cache } = setup(nodes(), [web('w1', 'a1'), web('w2', 'a2')]);
  const pod = podInfo(constrained('p', 'ScheduleAnyway'));
  const list = cache.list();
  const s = computeSpreadScoreState(pod, list, list)!;
  const scores = list.map((n) => ({ name: n.name, score: spreadScore(s, pod, n) }));
  normalizeSpreadScores(s, scores);
  const by = Object.fromEntries(scores.map((x) => [x.name, x.score]));
  assert.ok(by.b1! > by.a1!);
  assert.equal(by.a1, by.a2);
  assert.equal(by.nolabel, 0);
});

test('scheduling replicas with DoNotSchedule keeps zones within maxSkew', () => {
  const { cache, fwk } = setup(nodes().slice(0, 3));
  const algo = new GenericScheduler(fwk, () => 0);
  const perZone: Record<string, number> = { a: 0, b: 0 };
  for (let i = 0; i < 6; i++) {
    const pod = podInfo(constrained(`r${i}`, 'DoNotSchedule'));
    const host = algo.schedulePod(new CycleState(), pod).suggestedHost;
    perZone[cache.get(host)!.labels.zone!]!++;
    cache.addPod(podInfo({ ...pod.pod, spec: { ...pod.spec, nodeName: host } }));
    assert.ok(Math.abs(perZone.a! - perZone.b!) <= 1, JSON.stringify(perZone));
  }
});
