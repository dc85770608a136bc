/**
 * PodTopologySpread filtering (plugins/podtopologyspread filtering.go and common.go, 1.32):
 * for each DoNotSchedule constraint, matching pods in the node's domain + the pod itself −
 * the smallest domain's count must not exceed maxSkew. No system default constraints.
 */
import type { KubeObject } from '../../api/object.ts';
import {
  fromLabelSelectorObject,
  type LabelSelector,
  type LabelSelectorObject,
  newRequirement,
} from '../../api/selectors/index.ts';
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
  matchesRequiredNodeAffinity,
  type RequiredNodeAffinity,
  requiredNodeAffinity,
} from '../node-selector.ts';
import type { PodInfo } from '../pod-info.ts';
import { doNotScheduleTaint, findUntoleratedTaint, podTolerations } from '../taints.ts';
import { topologySpreadScoring } from './pod-topology-spread-scoring.ts';

export const podTopologySpreadName = 'PodTopologySpread';
export const errReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const errReasonNodeLabelNotMatch = `${errReasonConstraintsNotMatch} (missing required label)`;
const stateKey = `PreFilter${podTopologySpreadName}`;
const maxInt32 = 2147483647;

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  nodeAffinityPolicy: string;
  nodeTaintsPolicy: string;
}

interface ConstraintObject {
  maxSkew?: number;
  topologyKey?: string;
  whenUnsatisfiable?: string;
  labelSelector?: LabelSelectorObject | null;
  matchLabelKeys?: string[];
  minDomains?: number;
  nodeAffinityPolicy?: string;
  nodeTaintsPolicy?: string;
}

/** The pod's constraints with the given whenUnsatisfiable, matchLabelKeys merged in. */
export function spreadConstraints(pod: KubeObject, action: string): SpreadConstraint[] {
  const spec = (pod.spec ?? {}) as { topologySpreadConstraints?: ConstraintObject[] };
  const labels = pod.metadata.labels ?? {};
  const out: SpreadConstraint[] = [];
  for (const c of spec.topologySpreadConstraints ?? []) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector = fromLabelSelectorObject(c.labelSelector);
    const extra = (c.matchLabelKeys ?? []).filter((k) => labels[k] !== undefined);
    if (extra.length > 0) selector = selector.add(...extra.map((k) => newRequirement(k, 'in', [labels[k]!])));
    out.push({
      maxSkew: c.maxSkew ?? 1,
      topologyKey: c.topologyKey ?? '',
      selector,
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy ?? 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy ?? 'Ignore',
    });
  }
  return out;
}

export const nodeHasAllKeys = (node: NodeInfo, cs: readonly SpreadConstraint[]) =>
  cs.every((c) => node.labels[c.topologyKey] !== undefined);

export function matchesInclusionPolicies(
  c: SpreadConstraint,
  pod: PodInfo,
  node: NodeInfo,
  required: RequiredNodeAffinity,
): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !(node.node && matchesRequiredNodeAffinity(required, node.node)))
    return false;
  if (
    c.nodeTaintsPolicy === 'Honor' &&
    findUntoleratedTaint(node.taints, podTolerations(pod.pod), doNotScheduleTaint)
  )
    return false;
  return true;
}

/** Pods on the node in `namespace`, not terminating, that the selector matches. */
export function countMatching(pods: readonly PodInfo[], selector: LabelSelector, namespace: string): number {
  if (selector.isEverything()) return 0;
  let n = 0;
  for (const p of pods) {
    if (p.pod.metadata.deletionTimestamp || p.namespace !== namespace) continue;
    if (selector.matches(p.labels)) n++;
  }
  return n;
}

export class SpreadState implements StateData {
  readonly constraints: SpreadConstraint[];
  /** Per constraint: topology value → matching pods. */
  counts: Map<string, number>[];

  constructor(constraints: SpreadConstraint[]) {
    this.constraints = constraints;
    this.counts = constraints.map(() => new Map());
  }

  /** The smallest domain's count, 0 when there are fewer domains than minDomains. */
  minMatch(i: number): number {
    const counts = this.counts[i]!;
    if (counts.size < this.constraints[i]!.minDomains) return 0;
    return counts.size === 0 ? maxInt32 : Math.min(...counts.values());
  }

  updateWithPod(pod: PodInfo, other: PodInfo, node: NodeInfo, delta: number): void {
    if (other.namespace !== pod.namespace || !nodeHasAllKeys(node, this.constraints)) return;
    const required = requiredNodeAffinity(pod.pod);
    this.constraints.forEach((c, i) => {
      if (!c.selector.matches(other.labels) || !matchesInclusionPolicies(c, pod, node, required)) return;
      const v = node.labels[c.topologyKey]!;
      this.counts[i]!.set(v, (this.counts[i]!.get(v) ?? 0) + delta);
    });
  }

  clone(): StateData {
    const c = new SpreadState(this.constraints);
    c.counts = this.counts.map((m) => new Map(m));
    return c;
  }
}

/** PreFilter's counts over all nodes for the pod's DoNotSchedule constraints. */
export function computeSpreadState(pod: PodInfo, nodes: readonly NodeInfo[]): SpreadState {
  const s = new SpreadState(spreadConstraints(pod.pod, 'DoNotSchedule'));
  if (s.constraints.length === 0) return s;
  const required = requiredNodeAffinity(pod.pod);
  for (const node of nodes) {
    if (!nodeHasAllKeys(node, s.constraints)) continue;
    s.constraints.forEach((c, i) => {
      if (!matchesInclusionPolicies(c, pod, node, required)) return;
      const v = node.labels[c.topologyKey]!;
      s.counts[i]!.set(v, (s.counts[i]!.get(v) ?? 0) + countMatching(node.pods, c.selector, pod.namespace));
    });
  }
  return s;
}

export function spreadFilter(s: SpreadState, pod: PodInfo, node: NodeInfo): Status | undefined {
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const value = node.labels[c.topologyKey];
    if (value === undefined) return new Status('UnschedulableAndUnresolvable', errReasonNodeLabelNotMatch);
    const self = c.selector.matches(pod.labels) ? 1 : 0;
    const skew = (s.counts[i]!.get(value) ?? 0) + self - s.minMatch(i);
    if (skew > c.maxSkew) return new Status('Unschedulable', errReasonConstraintsNotMatch);
  }
  return undefined;
}

export const podTopologySpread: PluginFactory = (h: Handle) => {
  const scoring = topologySpreadScoring(h);
  const plugin: PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin = {
    name: podTopologySpreadName,
    events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'],
    preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]) {
      const s = computeSpreadState(pod, nodes);
      if (s.constraints.length === 0) return { status: new Status('Skip') };
      state.write(stateKey, s);
      return undefined;
    },
    addPod(state, pod, added, node) {
      state.read<SpreadState>(stateKey)?.updateWithPod(pod, added, node, 1);
      return undefined;
    },
    removePod(state, pod, removed, node) {
      state.read<SpreadState>(stateKey)?.updateWithPod(pod, removed, node, -1);
      return undefined;
    },
    filter(state, pod, node) {
      const s = state.read<SpreadState>(stateKey);
      return s ? spreadFilter(s, pod, node) : undefined;
    },
    preScore: scoring.preScore,
    score: scoring.score,
    normalizeScore: scoring.normalizeScore,
  };
  return plugin;
};
