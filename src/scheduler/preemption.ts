/**
 * The preemption evaluator (upstream's framework/preemption/preemption.go, 1.32): candidate
 * nodes are those a filter found Unschedulable (not unresolvable); each is dry-run on a copy,
 * the best is picked by upstream's tie-break chain, its victims deleted, the pod nominated.
 */
import type { KubeObject } from '../api/object.ts';
import {
  type CycleState,
  fitErrorMessage,
  type Handle,
  NodeToStatus,
  newDiagnosis,
  type PostFilterResult,
  type Result,
  Status,
} from './framework.ts';
import type { NodeInfo } from './node-info.ts';
import type { Victims } from './plugins/default-preemption.ts';
import type { PodInfo } from './pod-info.ts';

export const notHelpfulMessage = 'Preemption is not helpful for scheduling';
const minCandidateNodesPercentage = 10;
const minCandidateNodesAbsolute = 100;

export interface Candidate {
  name: string;
  victims: Victims;
}

export interface PreemptionInterface {
  selectVictimsOnNode(state: CycleState, pod: PodInfo, node: NodeInfo, pdbs: readonly KubeObject[]): Victims;
  eligible(pod: PodInfo, nominatedStatus: Status): [boolean, string];
}

export function numCandidates(numNodes: number): number {
  const n = Math.max(Math.trunc((numNodes * minCandidateNodesPercentage) / 100), minCandidateNodesAbsolute);
  return Math.min(n, numNodes);
}

const earliestStart = (pods: readonly PodInfo[]) => {
  const top = pods[0]?.priority;
  const times = pods
    .filter((p) => p.priority === top)
    .map((p) => (typeof p.status.startTime === 'string' ? Date.parse(p.status.startTime) : Date.now()));
  return times.length > 0 ? Math.min(...times) : Number.MIN_SAFE_INTEGER;
};

/**
 * pickOneNodeForPreemption: fewest PDB violations, then the lowest highest-priority victim,
 * the smallest priority sum, the fewest victims, the latest start among the top victims,
 * then the first.
 */
export function pickOneNodeForPreemption(candidates: readonly Candidate[]): Candidate | undefined {
  const offset = 2147483648;
  const scoreFuncs: ((c: Candidate) => number)[] = [
    (c) => -c.victims.numPDBViolations,
    (c) => -(c.victims.pods[0]?.priority ?? 0),
    (c) => -c.victims.pods.reduce((sum, p) => sum + p.priority + offset, 0),
    (c) => -c.victims.pods.length,
    (c) => earliestStart(c.victims.pods),
  ];
  let remaining = [...candidates];
  for (const f of scoreFuncs) {
    if (remaining.length <= 1) break;
    const best = Math.max(...remaining.map(f));
    remaining = remaining.filter((c) => f(c) === best);
  }
  return remaining[0];
}

export class Evaluator {
  private readonly h: Handle;
  private readonly impl: PreemptionInterface;

  constructor(h: Handle, impl: PreemptionInterface) {
    this.h = h;
    this.impl = impl;
  }

  async preempt(state: CycleState, pod: PodInfo, m: NodeToStatus): Promise<PostFilterResult> {
    const [eligible, why] = this.impl.eligible(pod, m.get(pod.nominatedNodeName));
    if (!eligible) return { status: new Status('Unschedulable', why) };
    const allNodes = this.h.snapshot.list();
    if (allNodes.length === 0) return { status: Status.error('no nodes available') };
    const { candidates, statuses } = this.findCandidates(state, pod, allNodes, m);
    if (candidates.length === 0) {
      const d = newDiagnosis();
      d.nodeToStatus = statuses;
      statuses.absent = new Status('UnschedulableAndUnresolvable', notHelpfulMessage);
      return {
        nominatedNodeName: '',
        status: new Status('Unschedulable', fitErrorMessage(allNodes.length, d)),
      };
    }
    const best = pickOneNodeForPreemption(candidates);
    if (!best) return { status: new Status('Unschedulable', 'no candidate node for preemption') };
    try {
      await this.prepareCandidate(best, pod);
    } catch (e) {
      return { status: Status.error(e) };
    }
    return { nominatedNodeName: best.name, status: new Status('Success') };
  }

  private findCandidates(state: CycleState, pod: PodInfo, allNodes: NodeInfo[], m: NodeToStatus) {
    const potential = m.nodesWithCode(allNodes, 'Unschedulable');
    // Nowhere to preempt: the empty nomination this returns clears any the pod had.
    if (potential.length === 0) return { candidates: [] as Candidate[], statuses: new NodeToStatus() };
    const pdbs = this.h.cluster.podDisruptionBudgets();
    const offset = Math.floor(Math.random() * potential.length);
    return this.dryRunPreemption(state, pod, potential, pdbs, offset, numCandidates(potential.length));
  }

  /** Simulates preemption on copies of the nodes; candidates without PDB violations first. */
  dryRunPreemption(
    state: CycleState,
    pod: PodInfo,
    potential: readonly NodeInfo[],
    pdbs: readonly KubeObject[],
    offset: number,
    wanted: number,
  ): { candidates: Candidate[]; statuses: NodeToStatus } {
    const nonViolating: Candidate[] = [];
    const violating: Candidate[] = [];
    const statuses = new NodeToStatus();
    for (let i = 0; i < potential.length; i++) {
      const node = potential[(offset + i) % potential.length]!.clone();
      const victims = this.impl.selectVictimsOnNode(state.clone(), pod, node, pdbs);
      let status: Result = victims.status;
      if ((status === undefined || status.isSuccess()) && victims.pods.length > 0) {
        (victims.numPDBViolations === 0 ? nonViolating : violating).push({ name: node.name, victims });
        if (nonViolating.length > 0 && nonViolating.length + violating.length >= wanted) break;
        continue;
      }
      if (status === undefined || status.isSuccess())
        status = Status.error(`expected at least one victim pod on node "${node.name}"`);
      statuses.set(node.name, status);
    }
    return { candidates: [...nonViolating, ...violating], statuses };
  }

  /** Deletes the victims, then drops lower-priority nominations to the node. */
  private async prepareCandidate(c: Candidate, pod: PodInfo): Promise<void> {
    await Promise.all(c.victims.pods.map((v) => this.h.cluster.preemptVictim(v, pod, c.name)));
    const lower = this.h.nominatedPodsForNode(c.name).filter((p) => p.priority < pod.priority);
    if (lower.length > 0) await this.h.cluster.clearNominatedNodeName(lower).catch(() => {});
  }
}
