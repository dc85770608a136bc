/**
 * The scoring both resource plugins share (plugins/noderesources resource_allocation.go,
 * least_allocated.go, balanced_allocation.go): per-resource requested vs allocatable, pure.
 */
import { maxNodeScore } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';
import { isScalarResource, nonZeroDefaults, podRequests, type ResourceList } from '../resources.ts';

/** The default scoring resources: cpu and memory, weight 1 each. */
export const defaultScoringResources = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
] as const;

/**
 * The pod's request for one resource; without `useRequested`, a container that leaves cpu or
 * memory out counts as 100m / 200Mi so empty pods still spread.
 */
export function podRequestFor(pod: PodInfo, resource: string, useRequested: boolean): number {
  let lists = requestCache.get(pod);
  if (!lists) {
    lists = { requested: podRequests(pod.pod), nonZero: podRequests(pod.pod, nonZeroDefaults) };
    requestCache.set(pod, lists);
  }
  return (useRequested ? lists.requested : lists.nonZero)[resource] ?? 0;
}

const requestCache = new WeakMap<PodInfo, { requested: ResourceList; nonZero: ResourceList }>();

/** [allocatable, requested with the pod] for one resource on a node. */
export function allocatableAndRequested(
  node: NodeInfo,
  resource: string,
  podRequest: number,
  useRequested: boolean,
): [number, number] {
  const requested = useRequested ? node.requested : node.nonZeroRequested;
  if (podRequest === 0 && isScalarResource(resource)) return [0, 0];
  switch (resource) {
    case 'cpu':
      return [node.allocatable.milliCPU, requested.milliCPU + podRequest];
    case 'memory':
      return [node.allocatable.memory, requested.memory + podRequest];
    case 'ephemeral-storage':
      return [node.allocatable.ephemeralStorage, node.requested.ephemeralStorage + podRequest];
    default:
      return [node.allocatable.scalar[resource] ?? 0, (node.requested.scalar[resource] ?? 0) + podRequest];
  }
}

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * maxNodeScore) / capacity);
}

/** LeastAllocated: the weighted mean of each resource's free share, 0..100. */
export function leastAllocatedScore(requested: number[], allocatable: number[], weights: number[]): number {
  let score = 0;
  let weightSum = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    score += leastRequestedScore(requested[i]!, allocatable[i]!) * weights[i]!;
    weightSum += weights[i]!;
  }
  return weightSum === 0 ? 0 : Math.trunc(score / weightSum);
}

/** BalancedAllocation: 100 × (1 − the standard deviation of the requested fractions). */
export function balancedAllocationScore(requested: number[], allocatable: number[]): number {
  const fractions: number[] = [];
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    fractions.push(Math.min(requested[i]! / allocatable[i]!, 1));
  }
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
  }
  return Math.trunc((1 - std) * maxNodeScore);
}

/** Runs a scorer over the default resources for one node. */
export function scoreNode(
  pod: PodInfo,
  node: NodeInfo,
  useRequested: boolean,
  scorer: (requested: number[], allocatable: number[], weights: number[]) => number,
): number {
  const requested: number[] = [];
  const allocatable: number[] = [];
  const weights: number[] = [];
  for (const r of defaultScoringResources) {
    const [alloc, req] = allocatableAndRequested(
      node,
      r.name,
      podRequestFor(pod, r.name, useRequested),
      useRequested,
    );
    requested.push(alloc === 0 ? 0 : req);
    allocatable.push(alloc);
    weights.push(r.weight);
  }
  return scorer(requested, allocatable, weights);
}
