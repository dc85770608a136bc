/**
 * NodeAffinity: spec.nodeSelector and required node affinity filter nodes; preferred terms
 * add their weights to the score (plugins/nodeaffinity).
 */
import {
  type CycleState,
  defaultNormalizeScore,
  type FilterPlugin,
  type PluginFactory,
  type PreFilterPlugin,
  type PreFilterResult,
  type ScorePlugin,
  type StateData,
  Status,
} from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import {
  matchesRequiredNodeAffinity,
  nodeAffinityOf,
  type RequiredNodeAffinity,
  requiredNodeAffinity,
  termMatches,
} from '../node-selector.ts';
import type { PodInfo } from '../pod-info.ts';

export const nodeAffinityName = 'NodeAffinity';
export const errReasonPod = "node(s) didn't match Pod's node affinity/selector";
export const errReasonConflict = 'pod affinity terms conflict';
const stateKey = `PreFilter${nodeAffinityName}`;

class RequiredState implements StateData {
  readonly required: RequiredNodeAffinity;
  constructor(required: RequiredNodeAffinity) {
    this.required = required;
  }
  clone(): StateData {
    return this;
  }
}

/**
 * The nodes the required terms name through matchFields metadata.name In: undefined when some
 * term does not restrict the name (terms are ORed), the union of the named nodes otherwise.
 */
export function nodeNamesFromTerms(required: RequiredNodeAffinity): Set<string> | undefined {
  if (!required.terms || required.terms.length === 0) return undefined;
  let names: Set<string> | undefined;
  for (const t of required.terms) {
    let termNames: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
      const s = new Set(r.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
    }
    if (!termNames) return undefined;
    names = new Set([...(names ?? []), ...termNames]);
  }
  return names;
}

/** The sum of the weights of the preferred terms the node matches. */
export function preferredScore(pod: PodInfo, node: NodeInfo): number {
  if (!node.node) return 0;
  let score = 0;
  for (const p of nodeAffinityOf(pod.pod)?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (p.weight !== 0 && p.preference && termMatches(p.preference, node.node)) score += p.weight;
  }
  return score;
}

export const nodeAffinity: PluginFactory = (): PreFilterPlugin & FilterPlugin & ScorePlugin => ({
  name: nodeAffinityName,
  events: ['NodeAdd', 'NodeUpdate'],
  preFilter(state: CycleState, pod: PodInfo): PreFilterResult | undefined {
    const required = requiredNodeAffinity(pod.pod);
    if (!required.terms && !required.nodeSelector) return { status: new Status('Skip') };
    state.write(stateKey, new RequiredState(required));
    const names = nodeNamesFromTerms(required);
    if (names && names.size === 0)
      return { status: new Status('UnschedulableAndUnresolvable', errReasonConflict) };
    return names ? { nodeNames: names } : undefined;
  },
  filter(state, pod, node) {
    const required = state.read<RequiredState>(stateKey)?.required ?? requiredNodeAffinity(pod.pod);
    if (node.node && matchesRequiredNodeAffinity(required, node.node)) return undefined;
    return new Status('UnschedulableAndUnresolvable', errReasonPod);
  },
  score: (_state, pod, node) => preferredScore(pod, node),
  normalizeScore: (_state, _pod, scores) => defaultNormalizeScore(scores, false),
});
