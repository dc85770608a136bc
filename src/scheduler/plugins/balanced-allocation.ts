/**
 * NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be used in similar
 * proportions with the pod placed (plugins/noderesources/balanced_allocation.go).
 */
import type { PluginFactory, ScorePlugin } from '../framework.ts';
import { balancedAllocationScore, scoreNode } from './resource-allocation.ts';

export const balancedAllocationName = 'NodeResourcesBalancedAllocation';

export const balancedAllocation: PluginFactory = (): ScorePlugin => ({
  name: balancedAllocationName,
  score: (_state, pod, node) =>
    scoreNode(pod, node, true, (req, alloc) => balancedAllocationScore(req, alloc)),
});
