/**
 * TaintToleration: NoSchedule/NoExecute taints a pod does not tolerate keep it off a node;
 * untolerated PreferNoSchedule taints lower the node's score (plugins/tainttoleration).
 */
import {
  defaultNormalizeScore,
  type FilterPlugin,
  type PluginFactory,
  type ScorePlugin,
  Status,
} from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';
import {
  doNotScheduleTaint,
  findUntoleratedTaint,
  podTolerations,
  type Taint,
  tolerationsTolerateTaint,
} from '../taints.ts';

export const taintTolerationName = 'TaintToleration';

export const untoleratedTaintReason = (t: Taint) =>
  `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;

/** How many PreferNoSchedule taints the pod's (PreferNoSchedule or any-effect) tolerations miss. */
export function intolerablePreferNoSchedule(pod: PodInfo, node: NodeInfo): number {
  const tolerations = podTolerations(pod.pod).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  return node.taints.filter(
    (t) => t.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, t),
  ).length;
}

export const taintToleration: PluginFactory = (): FilterPlugin & ScorePlugin => ({
  name: taintTolerationName,
  events: ['NodeAdd', 'NodeUpdate'],
  filter(_state, pod, node) {
    const taint = findUntoleratedTaint(node.taints, podTolerations(pod.pod), doNotScheduleTaint);
    return taint ? new Status('UnschedulableAndUnresolvable', untoleratedTaintReason(taint)) : undefined;
  },
  score: (_state, pod, node) => intolerablePreferNoSchedule(pod, node),
  normalizeScore: (_state, _pod, scores) => defaultNormalizeScore(scores, true),
});
