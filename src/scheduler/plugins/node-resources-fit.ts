/**
 * NodeResourcesFit: a pod fits when its requests (init containers and sidecars counted as
 * upstream's PodRequests does) fit what the node's pods leave of its allocatable, and the node
 * has room for one more pod; nodes score by LeastAllocated (plugins/noderesources/fit.go, 1.32).
 */
import {
  type CycleState,
  type FilterPlugin,
  type PluginFactory,
  type PreFilterPlugin,
  type ScorePlugin,
  type StateData,
  Status,
} from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';
import type { Resource } from '../resources.ts';
import { leastAllocatedScore, scoreNode } from './resource-allocation.ts';

export const nodeResourcesFitName = 'NodeResourcesFit';
const stateKey = `PreFilter${nodeResourcesFitName}`;

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
}

class RequestState implements StateData {
  readonly request: Resource;
  constructor(request: Resource) {
    this.request = request;
  }
  clone(): StateData {
    return this;
  }
}

/** What does not fit (empty when the pod fits), in upstream's order and wording. */
export function fitsRequest(request: Resource, node: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const allowed = node.allocatable.allowedPodNumber;
  if (node.pods.length + 1 > allowed) {
    out.push({
      resourceName: 'pods',
      reason: 'Too many pods',
      requested: 1,
      used: node.pods.length,
      capacity: allowed,
    });
  }
  const scalars = Object.entries(request.scalar).filter(([, v]) => v !== 0);
  if (
    request.milliCPU === 0 &&
    request.memory === 0 &&
    request.ephemeralStorage === 0 &&
    scalars.length === 0
  ) {
    return out;
  }
  const check = (name: string, want: number, used: number, capacity: number) => {
    if (want > 0 && want > capacity - used) {
      out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used, capacity });
    }
  };
  check('cpu', request.milliCPU, node.requested.milliCPU, node.allocatable.milliCPU);
  check('memory', request.memory, node.requested.memory, node.allocatable.memory);
  check(
    'ephemeral-storage',
    request.ephemeralStorage,
    node.requested.ephemeralStorage,
    node.allocatable.ephemeralStorage,
  );
  for (const [name, want] of scalars.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    check(name, want, node.requested.scalar[name] ?? 0, node.allocatable.scalar[name] ?? 0);
  }
  return out;
}

/** Whether the pod fits the node by resources alone (upstream's exported Fits). */
export const fits = (pod: PodInfo, node: NodeInfo) => fitsRequest(pod.requests, node).length === 0;

export const nodeResourcesFit: PluginFactory = (): PreFilterPlugin & FilterPlugin & ScorePlugin => ({
  name: nodeResourcesFitName,
  events: ['NodeAdd', 'NodeUpdate', 'AssignedPodDelete'],
  preFilter(state: CycleState, pod: PodInfo) {
    state.write(stateKey, new RequestState(pod.requests));
    return undefined;
  },
  filter(state, pod, node) {
    const request = state.read<RequestState>(stateKey)?.request ?? pod.requests;
    const insufficient = fitsRequest(request, node);
    if (insufficient.length === 0) return undefined;
    return new Status('Unschedulable', ...insufficient.map((r) => r.reason));
  },
  score: (_state, pod, node) => scoreNode(pod, node, false, leastAllocatedScore),
});
