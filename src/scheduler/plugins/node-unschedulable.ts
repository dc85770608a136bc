/**
 * NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods that tolerate the
 * node.kubernetes.io/unschedulable:NoSchedule taint (plugins/nodeunschedulable).
 */
import { type FilterPlugin, type PluginFactory, Status } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';
import { podTolerations, tolerationsTolerateTaint } from '../taints.ts';

export const nodeUnschedulableName = 'NodeUnschedulable';
export const errReasonUnschedulable = 'node(s) were unschedulable';
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function fitsUnschedulable(pod: PodInfo, node: NodeInfo): boolean {
  return !node.unschedulable || tolerationsTolerateTaint(podTolerations(pod.pod), unschedulableTaint);
}

export const nodeUnschedulable: PluginFactory = (): FilterPlugin => ({
  name: nodeUnschedulableName,
  events: ['NodeAdd', 'NodeUpdate'],
  filter: (_state, pod, node) =>
    fitsUnschedulable(pod, node)
      ? undefined
      : new Status('UnschedulableAndUnresolvable', errReasonUnschedulable),
});
