/**
 * PodTopologySpread scoring (plugins/podtopologyspread/scoring.go, 1.32): ScheduleAnyway
 * constraints make nodes in crowded domains score lower. Each constraint adds
 * count × log(domains + 2) + (maxSkew − 1); normalizing then inverts the sum.
 */
import {
  type CycleState,
  type Handle,
  maxNodeScore,
  type NodeScore,
  type PreScorePlugin,
  type ScorePlugin,
  type StateData,
  Status,
} from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import { requiredNodeAffinity } from '../node-selector.ts';
import type { PodInfo } from '../pod-info.ts';
import {
  countMatching,
  matchesInclusionPolicies,
  nodeHasAllKeys,
  type SpreadConstraint,
  spreadConstraints,
} from './pod-topology-spread.ts';

const stateKey = 'PreScorePodTopologySpread';
const hostnameKey = 'kubernetes.io/hostname';

export class SpreadScoreState implements StateData {
  readonly constraints: SpreadConstraint[];
  readonly ignoredNodes = new Set<string>();
  /** `key\0value` → matching pods, for domains that hold a candidate node. */
  readonly pairCounts = new Map<string, number>();
  readonly weights: number[] = [];

  constructor(constraints: SpreadConstraint[]) {
    this.constraints = constraints;
  }

  clone(): StateData {
    return this;
  }
}

export const scoreForCount = (count: number, maxSkew: number, weight: number) =>
  count * weight + (maxSkew - 1);

export function computeSpreadScoreState(
  pod: PodInfo,
  filtered: readonly NodeInfo[],
  all: readonly NodeInfo[],
): SpreadScoreState | undefined {
  const s = new SpreadScoreState(spreadConstraints(pod.pod, 'ScheduleAnyway'));
  if (s.constraints.length === 0) return undefined;
  const sizes = s.constraints.map(() => 0);
  for (const node of filtered) {
    if (!nodeHasAllKeys(node, s.constraints)) {
      s.ignoredNodes.add(node.name);
      continue;
    }
    s.constraints.forEach((c, i) => {
      if (c.topologyKey === hostnameKey) return;
      const pair = `${c.topologyKey}\0${node.labels[c.topologyKey]}`;
      if (!s.pairCounts.has(pair)) {
        s.pairCounts.set(pair, 0);
        sizes[i]!++;
      }
    });
  }
  s.constraints.forEach((c, i) => {
    const size = c.topologyKey === hostnameKey ? filtered.length - s.ignoredNodes.size : sizes[i]!;
    s.weights.push(Math.log(size + 2));
  });
  const required = requiredNodeAffinity(pod.pod);
  for (const node of all) {
    if (!nodeHasAllKeys(node, s.constraints)) continue;
    for (const c of s.constraints) {
      if (!matchesInclusionPolicies(c, pod, node, required)) continue;
      const pair = `${c.topologyKey}\0${node.labels[c.topologyKey]}`;
      const current = s.pairCounts.get(pair);
      if (current === undefined) continue;
      s.pairCounts.set(pair, current + countMatching(node.pods, c.selector, pod.namespace));
    }
  }
  return s;
}

export function spreadScore(s: SpreadScoreState, pod: PodInfo, node: NodeInfo): number {
  if (s.ignoredNodes.has(node.name)) return 0;
  let score = 0;
  s.constraints.forEach((c, i) => {
    const value = node.labels[c.topologyKey];
    if (value === undefined) return;
    const count =
      c.topologyKey === hostnameKey
        ? countMatching(node.pods, c.selector, pod.namespace)
        : (s.pairCounts.get(`${c.topologyKey}\0${value}`) ?? 0);
    score += scoreForCount(count, c.maxSkew, s.weights[i]!);
  });
  return Math.round(score);
}

/** Fewer matching pods → higher score: 100 × (max + min − score) / max; ignored nodes get 0. */
export function normalizeSpreadScores(s: SpreadScoreState, scores: NodeScore[]): void {
  let min = Number.MAX_SAFE_INTEGER;
  let max = 0;
  for (const sc of scores) {
    if (s.ignoredNodes.has(sc.name)) continue;
    min = Math.min(min, sc.score);
    max = Math.max(max, sc.score);
  }
  for (const sc of scores) {
    if (s.ignoredNodes.has(sc.name)) sc.score = 0;
    else if (max === 0) sc.score = maxNodeScore;
    else sc.score = Math.trunc((maxNodeScore * (max + min - sc.score)) / max);
  }
}

export function topologySpreadScoring(
  h: Handle,
): Pick<PreScorePlugin & ScorePlugin, 'preScore' | 'score' | 'normalizeScore'> {
  return {
    preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]) {
      const all = h.snapshot.list();
      if (nodes.length === 0 || all.length === 0) return new Status('Skip');
      const s = computeSpreadScoreState(pod, nodes, all);
      if (!s) return new Status('Skip');
      state.write(stateKey, s);
      return undefined;
    },
    score(state, pod, node) {
      const s = state.read<SpreadScoreState>(stateKey);
      return s ? spreadScore(s, pod, node) : 0;
    },
    normalizeScore(state, _pod, scores) {
      const s = state.read<SpreadScoreState>(stateKey);
      if (s) normalizeSpreadScores(s, scores);
    },
  };
}
