/**
 * InterPodAffinity filtering (plugins/interpodaffinity/filtering.go, 1.32): required pod
 * affinity needs a matching pod in the node's topology domain (or, for the first of a group
 * that selects itself, none anywhere); required anti-affinity, the pod's own and that of pods
 * already placed, keeps it out of domains with matching pods.
 */
import {
  type CycleState,
  type FilterPlugin,
  type Handle,
  type PluginFactory,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type StateData,
  Status,
} from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import {
  type AffinityTerm,
  type NamespaceLabels,
  type PodInfo,
  podMatchesAllTerms,
  termMatchesPod,
} from '../pod-info.ts';
import { interPodAffinityScoring } from './inter-pod-affinity-scoring.ts';

export const interPodAffinityName = 'InterPodAffinity';
export const errReasonExistingAntiAffinity = "node(s) didn't satisfy existing pods anti-affinity rules";
export const errReasonAffinity = "node(s) didn't match pod affinity rules";
export const errReasonAntiAffinity = "node(s) didn't match pod anti-affinity rules";
const stateKey = `PreFilter${interPodAffinityName}`;

/** Matching-pod counts per topology pair (`key\0value`). */
export class TopologyCounts extends Map<string, number> {
  bump(node: NodeInfo, topologyKey: string, by: number): void {
    const value = node.labels[topologyKey];
    if (value === undefined) return;
    const pair = `${topologyKey}\0${value}`;
    const n = (this.get(pair) ?? 0) + by;
    if (n === 0) this.delete(pair);
    else this.set(pair, n);
  }

  at(topologyKey: string, value: string): number {
    return this.get(`${topologyKey}\0${value}`) ?? 0;
  }

  copy(): TopologyCounts {
    return new TopologyCounts(this);
  }
}

export class AffinityState implements StateData {
  readonly pod: PodInfo;
  readonly ns: NamespaceLabels;
  existingAntiAffinityCounts = new TopologyCounts();
  affinityCounts = new TopologyCounts();
  antiAffinityCounts = new TopologyCounts();

  constructor(pod: PodInfo, ns: NamespaceLabels) {
    this.pod = pod;
    this.ns = ns;
  }

  /** Accounts for a pod added (1) to or removed (-1) from a node, as preemption does. */
  updateWithPod(other: PodInfo, node: NodeInfo, by: 1 | -1): void {
    for (const t of other.requiredAntiAffinityTerms)
      if (termMatchesPod(t, this.pod.pod, this.ns))
        this.existingAntiAffinityCounts.bump(node, t.topologyKey, by);
    const affinity = this.pod.requiredAffinityTerms;
    if (podMatchesAllTerms(affinity, other.pod, this.ns))
      for (const t of affinity) this.affinityCounts.bump(node, t.topologyKey, by);
    for (const t of this.pod.requiredAntiAffinityTerms)
      if (termMatchesPod(t, other.pod, this.ns)) this.antiAffinityCounts.bump(node, t.topologyKey, by);
  }

  clone(): StateData {
    const c = new AffinityState(this.pod, this.ns);
    c.existingAntiAffinityCounts = this.existingAntiAffinityCounts.copy();
    c.affinityCounts = this.affinityCounts.copy();
    c.antiAffinityCounts = this.antiAffinityCounts.copy();
    return c;
  }
}

/** PreFilter's counts over the cluster, or undefined when there is nothing to check. */
export function computeAffinityState(pod: PodInfo, h: Pick<Handle, 'snapshot' | 'namespaceLabels'>) {
  const s = new AffinityState(pod, h.namespaceLabels);
  for (const node of h.snapshot.havePodsWithRequiredAntiAffinity()) {
    for (const existing of node.podsWithRequiredAntiAffinity) {
      for (const t of existing.requiredAntiAffinityTerms)
        if (termMatchesPod(t, pod.pod, s.ns)) s.existingAntiAffinityCounts.bump(node, t.topologyKey, 1);
    }
  }
  if (pod.requiredAffinityTerms.length > 0 || pod.requiredAntiAffinityTerms.length > 0) {
    for (const node of h.snapshot.list()) {
      for (const existing of node.pods) {
        if (podMatchesAllTerms(pod.requiredAffinityTerms, existing.pod, s.ns))
          for (const t of pod.requiredAffinityTerms) s.affinityCounts.bump(node, t.topologyKey, 1);
        for (const t of pod.requiredAntiAffinityTerms)
          if (termMatchesPod(t, existing.pod, s.ns)) s.antiAffinityCounts.bump(node, t.topologyKey, 1);
      }
    }
  }
  const nothing =
    s.existingAntiAffinityCounts.size === 0 &&
    pod.requiredAffinityTerms.length === 0 &&
    pod.requiredAntiAffinityTerms.length === 0;
  return nothing ? undefined : s;
}

function satisfiesAffinity(s: AffinityState, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of s.pod.requiredAffinityTerms) {
    const value = node.labels[t.topologyKey];
    if (value === undefined) return false;
    if (s.affinityCounts.at(t.topologyKey, value) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself may go anywhere that has the topology.
  return s.affinityCounts.size === 0 && podMatchesAllTerms(s.pod.requiredAffinityTerms, s.pod.pod, s.ns);
}

const satisfiesAntiAffinity = (terms: readonly AffinityTerm[], counts: TopologyCounts, node: NodeInfo) =>
  counts.size === 0 ||
  !terms.some(
    (t) =>
      node.labels[t.topologyKey] !== undefined && counts.at(t.topologyKey, node.labels[t.topologyKey]!) > 0,
  );

function satisfiesExistingAntiAffinity(s: AffinityState, node: NodeInfo): boolean {
  if (s.existingAntiAffinityCounts.size === 0) return true;
  return !Object.entries(node.labels).some(([k, v]) => s.existingAntiAffinityCounts.at(k, v) > 0);
}

/** Filter's verdict for a node given the prefilter state (pure, for tests). */
export function affinityFilter(s: AffinityState, node: NodeInfo): Status | undefined {
  if (!satisfiesAffinity(s, node)) return new Status('UnschedulableAndUnresolvable', errReasonAffinity);
  if (!satisfiesAntiAffinity(s.pod.requiredAntiAffinityTerms, s.antiAffinityCounts, node))
    return new Status('Unschedulable', errReasonAntiAffinity);
  if (!satisfiesExistingAntiAffinity(s, node))
    return new Status('Unschedulable', errReasonExistingAntiAffinity);
  return undefined;
}

export const interPodAffinity: PluginFactory = (h: Handle) => {
  const scoring = interPodAffinityScoring(h);
  const plugin: PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin = {
    name: interPodAffinityName,
    events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'],
    preFilter(state: CycleState, pod: PodInfo) {
      if (pod.parseError)
        return { status: new Status('UnschedulableAndUnresolvable', `parsing pod: ${pod.parseError}`) };
      const s = computeAffinityState(pod, h);
      if (!s) return { status: new Status('Skip') };
      state.write(stateKey, s);
      return undefined;
    },
    addPod(state, _pod, added, node) {
      state.read<AffinityState>(stateKey)?.updateWithPod(added, node, 1);
      return undefined;
    },
    removePod(state, _pod, removed, node) {
      state.read<AffinityState>(stateKey)?.updateWithPod(removed, node, -1);
      return undefined;
    },
    filter(state, _pod, node) {
      const s = state.read<AffinityState>(stateKey);
      return s ? affinityFilter(s, node) : undefined;
    },
    preScore: scoring.preScore,
    score: scoring.score,
    normalizeScore: scoring.normalizeScore,
  };
  return plugin;
};
