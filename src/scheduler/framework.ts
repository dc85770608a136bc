/**
 * The scheduling framework's vocabulary (upstream's pkg/scheduler/framework interface.go and
 * types.go): statuses, the cycle state plugins share, the extension points a plugin may
 * implement, and the FitError message every FailedScheduling event carries.
 */
import type { KubeObject } from '../api/object.ts';
import { compareCodePoints } from '../api/selectors/errors.ts';
import type { NodeInfo } from './node-info.ts';
import type { NamespaceLabels, PodInfo } from './pod-info.ts';

export type Code = 'Success' | 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Skip';

export const maxNodeScore = 100;

export class Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that returned it, set by the framework. */
  plugin = '';

  constructor(code: Code, ...reasons: string[]) {
    this.code = code;
    this.reasons = reasons;
  }

  static error(e: unknown): Status {
    return new Status('Error', e instanceof Error ? e.message : String(e));
  }

  isSuccess(): boolean {
    return this.code === 'Success';
  }

  /** Unschedulable or UnschedulableAndUnresolvable: a plugin said no, nothing broke. */
  isRejected(): boolean {
    return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable';
  }

  message(): string {
    return this.reasons.join(', ');
  }

  withPlugin(name: string): Status {
    this.plugin = name;
    return this;
  }
}

/** A plugin's result: undefined is success, as a nil *Status is upstream. */
export type Result = Status | undefined;

export const isSuccess = (s: Result) => s === undefined || s.isSuccess();

export interface StateData {
  clone(): StateData;
}

/** Data plugins pass between extension points within one scheduling cycle. */
export class CycleState {
  private readonly data = new Map<string, StateData>();
  readonly skipFilterPlugins = new Set<string>();
  readonly skipScorePlugins = new Set<string>();

  read<T extends StateData>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: StateData): void {
    this.data.set(key, value);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, v.clone());
    for (const p of this.skipFilterPlugins) c.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) c.skipScorePlugins.add(p);
    return c;
  }
}

/** Kinds of cluster change that can make an unschedulable pod schedulable. */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeUpdate'
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  | 'AssignedPodDelete'
  | 'UnschedulableTimeout';

export interface Plugin {
  readonly name: string;
  /** Events after which pods this plugin rejected are worth retrying. */
  readonly events?: readonly ClusterEvent[];
}

export interface PreFilterResult {
  /** Only these nodes can pass; undefined means all. */
  nodeNames?: Set<string>;
  status?: Status;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterResult | undefined;
  /** PreFilterExtensions: keep the prefilter state right when preemption adds or removes pods. */
  addPod?(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Result;
  removePod?(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Result;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Result;
}

export interface PostFilterResult {
  /** Set: nominate the pod to this node ('' clears a nomination). */
  nominatedNodeName?: string;
  status: Status;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus): Promise<PostFilterResult>;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Result;
}

export interface NodeScore {
  name: string;
  score: number;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): void;
}

/** Read access to the cluster as of this cycle (upstream's SharedLister). */
export interface SnapshotLister {
  list(): NodeInfo[];
  get(name: string): NodeInfo | undefined;
  havePodsWithAffinity(): NodeInfo[];
  havePodsWithRequiredAntiAffinity(): NodeInfo[];
}

/** What plugins may reach beyond their arguments (upstream's framework.Handle). */
export interface Handle {
  readonly snapshot: SnapshotLister;
  readonly namespaceLabels: NamespaceLabels;
  readonly schedulerName: string;
  nominatedPodsForNode(nodeName: string): PodInfo[];
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Result;
  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Result;
  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Result;
  /** The API writes preemption makes. */
  readonly cluster: ClusterActions;
}

export interface ClusterActions {
  podDisruptionBudgets(): KubeObject[];
  /** Marks the victim DisruptionTarget, deletes it and records the Preempted event. */
  preemptVictim(victim: PodInfo, preemptor: PodInfo, nodeName: string): Promise<void>;
  clearNominatedNodeName(pods: readonly PodInfo[]): Promise<void>;
}

export type PluginFactory = (handle: Handle) => Plugin;

/** Per-node filter statuses, with one status standing for every node not listed. */
export class NodeToStatus {
  private readonly statuses = new Map<string, Status>();
  absent: Status = new Status('UnschedulableAndUnresolvable');

  get(name: string): Status {
    return this.statuses.get(name) ?? this.absent;
  }

  set(name: string, status: Status): void {
    this.statuses.set(name, status);
  }

  get size(): number {
    return this.statuses.size;
  }

  entries(): IterableIterator<[string, Status]> {
    return this.statuses.entries();
  }

  /** The nodes whose status has this code. */
  nodesWithCode(nodes: readonly NodeInfo[], code: Code): NodeInfo[] {
    return nodes.filter((n) => this.get(n.name).code === code);
  }
}

export interface Diagnosis {
  nodeToStatus: NodeToStatus;
  unschedulablePlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

export const newDiagnosis = (): Diagnosis => ({
  nodeToStatus: new NodeToStatus(),
  unschedulablePlugins: new Set(),
  preFilterMsg: '',
  postFilterMsg: '',
});

export const noNodeAvailableMsg = (n: number) => `0/${n} nodes are available`;

/**
 * FitError.Error(): "0/N nodes are available: <PreFilterMsg>." or the sorted histogram of
 * filter reasons ("<count> <reason>", byte order, joined by ", ") then ".", then
 * " <PostFilterMsg>." when a PostFilter plugin said something.
 */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `${noNodeAvailableMsg(numAllNodes)}:`;
  if (d.preFilterMsg !== '') msg += ` ${d.preFilterMsg}.`;
  else {
    const counts = new Map<string, number>();
    for (const [, s] of d.nodeToStatus.entries())
      for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const absent = numAllNodes - d.nodeToStatus.size;
    if (absent > 0)
      for (const r of d.nodeToStatus.absent.reasons) counts.set(r, (counts.get(r) ?? 0) + absent);
    const histogram = [...counts].map(([r, n]) => `${n} ${r}`).sort(compareCodePoints);
    if (histogram.length > 0) msg += ` ${histogram.join(', ')}.`;
  }
  if (d.postFilterMsg !== '') msg += ` ${d.postFilterMsg}.`;
  return msg;
}

/** Upstream's DefaultNormalizeScore: scale to 0..maxNodeScore by the highest, maybe reversed. */
export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean): void {
  const max = Math.max(0, ...scores.map((s) => s.score));
  if (max === 0) {
    if (reverse) for (const s of scores) s.score = maxNodeScore;
    return;
  }
  for (const s of scores) {
    const v = Math.trunc((maxNodeScore * s.score) / max);
    s.score = reverse ? maxNodeScore - v : v;
  }
}
