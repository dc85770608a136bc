/**
 * One pod's placement (upstream's schedule_one.go schedulePod, findNodesThatFitPod,
 * prioritizeNodes, selectHost): prefilter, filter (the nominated node first), score, and the
 * highest total wins with ties broken at random.
 */
import {
  type CycleState,
  type Diagnosis,
  fitErrorMessage,
  type NodeScore,
  newDiagnosis,
  Status,
} from './framework.ts';
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';
import type { Framework } from './runtime.ts';

export const noNodesAvailableMessage = 'no nodes available to schedule pods';
const minFeasibleNodesToFind = 100;
const minFeasibleNodesPercentageToFind = 5;

export class NoNodesAvailableError extends Error {
  constructor() {
    super(noNodesAvailableMessage);
  }
}

/** No node fits: the message is FitError.Error(), with the PostFilter message once known. */
export class FitError extends Error {
  readonly numAllNodes: number;
  readonly diagnosis: Diagnosis;

  constructor(numAllNodes: number, diagnosis: Diagnosis) {
    // No message argument: the getter below computes it, so the PostFilter part shows once set.
    super();
    this.numAllNodes = numAllNodes;
    this.diagnosis = diagnosis;
  }

  override get message(): string {
    return fitErrorMessage(this.numAllNodes, this.diagnosis);
  }
}

export interface ScheduleResult {
  suggestedHost: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

/** How many feasible nodes to look for: all below 100 nodes, else an adaptive share. */
export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  const percentage = Math.max(50 - Math.trunc(numAllNodes / 125), minFeasibleNodesPercentageToFind);
  return Math.max(Math.trunc((numAllNodes * percentage) / 100), minFeasibleNodesToFind);
}

/** The node with the highest total; among equals, one at random. */
export function selectHost(scores: readonly NodeScore[], random: () => number = Math.random): string {
  if (scores.length === 0) throw new Error('empty priorityList');
  const max = Math.max(...scores.map((s) => s.score));
  const best = scores.filter((s) => s.score === max);
  return best[Math.min(best.length - 1, Math.floor(random() * best.length))]!.name;
}

export class GenericScheduler {
  private readonly fwk: Framework;
  private readonly random: () => number;
  private nextStartNodeIndex = 0;

  constructor(fwk: Framework, random: () => number = Math.random) {
    this.fwk = fwk;
    this.random = random;
  }

  /** Throws NoNodesAvailableError, FitError, or an Error for a plugin failure. */
  schedulePod(state: CycleState, pod: PodInfo): ScheduleResult {
    const allNodes = this.fwk.snapshot.list();
    if (allNodes.length === 0) throw new NoNodesAvailableError();
    const { feasible, diagnosis } = this.findNodesThatFitPod(state, pod, allNodes);
    if (feasible.length === 0) throw new FitError(allNodes.length, diagnosis);
    const evaluated = feasible.length + diagnosis.nodeToStatus.size;
    if (feasible.length === 1)
      return { suggestedHost: feasible[0]!.name, evaluatedNodes: evaluated, feasibleNodes: 1 };
    const scores = this.prioritizeNodes(state, pod, feasible);
    return {
      suggestedHost: selectHost(scores, this.random),
      evaluatedNodes: evaluated,
      feasibleNodes: feasible.length,
    };
  }

  findNodesThatFitPod(state: CycleState, pod: PodInfo, allNodes: NodeInfo[]) {
    const diagnosis = newDiagnosis();
    const pre = this.fwk.runPreFilterPlugins(state, pod, allNodes);
    diagnosis.unschedulablePlugins = pre.unschedulablePlugins;
    if (pre.status && !pre.status.isSuccess()) {
      if (!pre.status.isRejected()) throw new Error(pre.status.message());
      diagnosis.nodeToStatus.absent = pre.status;
      diagnosis.preFilterMsg = pre.status.message();
      return { feasible: [] as NodeInfo[], diagnosis };
    }
    const nominated = pod.nominatedNodeName;
    if (nominated !== '') {
      const node = this.fwk.snapshot.get(nominated);
      if (node) {
        const feasible = this.findNodesThatPassFilters(state, pod, diagnosis, [node]);
        if (feasible.length > 0) return { feasible, diagnosis };
      }
    }
    let nodes = allNodes;
    if (pre.nodeNames) {
      const names = pre.nodeNames;
      nodes = allNodes.filter((n) => names.has(n.name));
      const plugins = [...pre.unschedulablePlugins].sort();
      diagnosis.nodeToStatus.absent = new Status(
        'UnschedulableAndUnresolvable',
        `node(s) didn't satisfy plugin(s) [${plugins.join(' ')}]`,
      );
    }
    return { feasible: this.findNodesThatPassFilters(state, pod, diagnosis, nodes), diagnosis };
  }

  private findNodesThatPassFilters(
    state: CycleState,
    pod: PodInfo,
    diagnosis: Diagnosis,
    nodes: readonly NodeInfo[],
  ): NodeInfo[] {
    if (nodes.length === 0) return [];
    const wanted = numFeasibleNodesToFind(nodes.length);
    const feasible: NodeInfo[] = [];
    let processed = 0;
    for (let i = 0; i < nodes.length && feasible.length < wanted; i++) {
      const node = nodes[(this.nextStartNodeIndex + i) % nodes.length]!;
      processed++;
      const s = this.fwk.runFilterPluginsWithNominatedPods(state, pod, node);
      if (s === undefined || s.isSuccess()) feasible.push(node);
      else if (s.isRejected()) {
        diagnosis.nodeToStatus.set(node.name, s);
        diagnosis.unschedulablePlugins.add(s.plugin);
      } else throw new Error(s.message());
    }
    this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % nodes.length;
    return feasible;
  }

  prioritizeNodes(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): NodeScore[] {
    const pre = this.fwk.runPreScorePlugins(state, pod, nodes);
    if (pre && !pre.isSuccess()) throw new Error(pre.message());
    return this.fwk.runScorePlugins(state, pod, nodes);
  }
}
