/**
 * InterPodAffinity scoring (plugins/interpodaffinity/scoring.go, 1.32): the incoming pod's
 * preferred (anti-)affinity, the placed pods' preferred terms and required affinity (weight 1)
 * give each topology domain a sum; nodes take their domains' sums, scaled min..max to 0..100.
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
import { type AffinityTerm, type NamespaceLabels, type PodInfo, termMatchesPod } from '../pod-info.ts';

const stateKey = 'PreScoreInterPodAffinity';
const hardPodAffinityWeight = 1;

/** topologyKey → topology value → score. */
export class TopologyScore implements StateData {
  readonly scores = new Map<string, Map<string, number>>();

  add(
    term: AffinityTerm,
    weight: number,
    pod: PodInfo,
    ns: NamespaceLabels,
    node: NodeInfo,
    sign: 1 | -1,
  ): void {
    if (!termMatchesPod(term, pod.pod, ns)) return;
    const value = node.labels[term.topologyKey];
    if (value === undefined) return;
    const byValue = this.scores.get(term.topologyKey) ?? new Map<string, number>();
    byValue.set(value, (byValue.get(value) ?? 0) + weight * sign);
    this.scores.set(term.topologyKey, byValue);
  }

  forNode(node: NodeInfo): number {
    let score = 0;
    for (const [key, byValue] of this.scores) {
      const v = node.labels[key];
      if (v !== undefined) score += byValue.get(v) ?? 0;
    }
    return score;
  }

  clone(): StateData {
    return this;
  }
}

/** What one placed pod contributes to the domains of its node. */
export function processExistingPod(
  t: TopologyScore,
  incoming: PodInfo,
  existing: PodInfo,
  node: NodeInfo,
  ns: NamespaceLabels,
): void {
  if (Object.keys(node.labels).length === 0) return;
  for (const term of incoming.preferredAffinityTerms) t.add(term, term.weight, existing, ns, node, 1);
  for (const term of incoming.preferredAntiAffinityTerms) t.add(term, term.weight, existing, ns, node, -1);
  for (const term of existing.requiredAffinityTerms)
    t.add(term, hardPodAffinityWeight, incoming, ns, node, 1);
  for (const term of existing.preferredAffinityTerms) t.add(term, term.weight, incoming, ns, node, 1);
  for (const term of existing.preferredAntiAffinityTerms) t.add(term, term.weight, incoming, ns, node, -1);
}

/** Scales scores from [min, max] to [0, 100]; all equal → 0. */
export function normalizeMinMax(scores: NodeScore[]): void {
  if (scores.length === 0) return;
  const min = Math.min(...scores.map((s) => s.score));
  const max = Math.max(...scores.map((s) => s.score));
  const diff = max - min;
  for (const s of scores) s.score = diff > 0 ? Math.trunc(maxNodeScore * ((s.score - min) / diff)) : 0;
}

export function interPodAffinityScoring(
  h: Handle,
): Pick<PreScorePlugin & ScorePlugin, 'preScore' | 'score' | 'normalizeScore'> {
  return {
    preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]) {
      if (nodes.length === 0) return undefined;
      const hasConstraints =
        pod.preferredAffinityTerms.length > 0 || pod.preferredAntiAffinityTerms.length > 0;
      const t = new TopologyScore();
      const candidates = hasConstraints ? h.snapshot.list() : h.snapshot.havePodsWithAffinity();
      for (const node of candidates) {
        for (const existing of hasConstraints ? node.pods : node.podsWithAffinity)
          processExistingPod(t, pod, existing, node, h.namespaceLabels);
      }
      if (t.scores.size === 0) return new Status('Skip');
      state.write(stateKey, t);
      return undefined;
    },
    score: (state, _pod, node) => state.read<TopologyScore>(stateKey)?.forNode(node) ?? 0,
    normalizeScore(state, _pod, scores) {
      if (state.read<TopologyScore>(stateKey)?.scores.size) normalizeMinMax(scores);
    },
  };
}
