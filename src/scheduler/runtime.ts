/**
 * The framework runtime (upstream's framework/runtime/framework.go): builds a profile's
 * plugins and runs each extension point over them in order.
 */
import {
  type ClusterActions,
  type ClusterEvent,
  type CycleState,
  type FilterPlugin,
  type Handle,
  type NodeScore,
  type NodeToStatus,
  type Plugin,
  type PluginFactory,
  type PostFilterPlugin,
  type PostFilterResult,
  type PreFilterPlugin,
  type PreScorePlugin,
  type Result,
  type ScorePlugin,
  type SnapshotLister,
  Status,
} from './framework.ts';
import type { NodeInfo } from './node-info.ts';
import type { NamespaceLabels, PodInfo } from './pod-info.ts';
import { inTreeRegistry, type Profile } from './registry.ts';

export interface FrameworkDeps {
  readonly snapshot: SnapshotLister;
  readonly namespaceLabels: NamespaceLabels;
  readonly cluster: ClusterActions;
  nominatedPodsForNode(nodeName: string): PodInfo[];
}

export interface PreFilterOutcome {
  nodeNames?: Set<string>;
  status?: Status;
  unschedulablePlugins: Set<string>;
}

const has = <T extends Plugin>(p: Plugin, method: string): p is T =>
  typeof (p as unknown as Record<string, unknown>)[method] === 'function';

export class Framework implements Handle {
  readonly snapshot: SnapshotLister;
  readonly namespaceLabels: NamespaceLabels;
  readonly cluster: ClusterActions;
  readonly schedulerName: string;
  readonly plugins: Plugin[] = [];
  private readonly deps: FrameworkDeps;
  private readonly preFilters: PreFilterPlugin[];
  private readonly filters: FilterPlugin[];
  private readonly postFilters: PostFilterPlugin[];
  private readonly preScores: PreScorePlugin[];
  private readonly scores: { plugin: ScorePlugin; weight: number }[];

  constructor(
    profile: Profile,
    deps: FrameworkDeps,
    registry: ReadonlyMap<string, PluginFactory> = inTreeRegistry,
  ) {
    this.deps = deps;
    this.snapshot = deps.snapshot;
    this.namespaceLabels = deps.namespaceLabels;
    this.cluster = deps.cluster;
    this.schedulerName = profile.schedulerName;
    for (const name of profile.plugins) {
      const factory = registry.get(name);
      if (!factory) throw new Error(`plugin "${name}" does not exist`);
      this.plugins.push(factory(this));
    }
    this.preFilters = this.plugins.filter((p) => has<PreFilterPlugin>(p, 'preFilter'));
    this.filters = this.plugins.filter((p) => has<FilterPlugin>(p, 'filter'));
    this.postFilters = this.plugins.filter((p) => has<PostFilterPlugin>(p, 'postFilter'));
    this.preScores = this.plugins.filter((p) => has<PreScorePlugin>(p, 'preScore'));
    this.scores = this.plugins
      .filter((p) => has<ScorePlugin>(p, 'score'))
      .map((plugin) => ({ plugin, weight: profile.scoreWeights[plugin.name] ?? 1 }));
  }

  /** Which plugins care about which cluster events (EventsToRegister). */
  eventsByPlugin(): Map<string, ReadonlySet<ClusterEvent>> {
    return new Map(this.plugins.map((p) => [p.name, new Set(p.events ?? [])]));
  }

  nominatedPodsForNode(nodeName: string): PodInfo[] {
    return this.deps.nominatedPodsForNode(nodeName);
  }

  runPreFilterPlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterOutcome {
    let nodeNames: Set<string> | undefined;
    const withNodes: string[] = [];
    let rejected: Status | undefined;
    for (const p of this.preFilters) {
      const r = p.preFilter(state, pod, nodes);
      const s = r?.status;
      if (s?.code === 'Skip') {
        state.skipFilterPlugins.add(p.name);
        continue;
      }
      if (s && !s.isSuccess()) {
        s.withPlugin(p.name);
        if (s.code === 'UnschedulableAndUnresolvable')
          return { status: s, unschedulablePlugins: new Set([p.name]) };
        if (s.code === 'Unschedulable') {
          rejected = s;
          continue;
        }
        return {
          status: Status.error(`running PreFilter plugin "${p.name}": ${s.message()}`),
          unschedulablePlugins: new Set(),
        };
      }
      if (!r?.nodeNames) continue;
      withNodes.push(p.name);
      nodeNames = nodeNames
        ? new Set([...nodeNames].filter((n) => r.nodeNames!.has(n)))
        : new Set(r.nodeNames);
      if (nodeNames.size === 0) {
        const msg =
          withNodes.length === 1
            ? `node(s) didn't satisfy plugin ${withNodes[0]}`
            : `node(s) didn't satisfy plugin(s) [${withNodes.join(' ')}] simultaneously`;
        return {
          nodeNames,
          status: new Status('UnschedulableAndUnresolvable', msg),
          unschedulablePlugins: new Set(withNodes),
        };
      }
    }
    return {
      nodeNames,
      status: rejected,
      unschedulablePlugins: new Set(rejected ? [rejected.plugin] : withNodes),
    };
  }

  /** Runs filters until one says no; that status names its plugin. */
  runFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    for (const p of this.filters) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const s = p.filter(state, pod, node);
      if (s && !s.isSuccess()) {
        const out = s.isRejected() ? s : Status.error(`running "${p.name}" filter plugin: ${s.message()}`);
        return out.withPlugin(p.name);
      }
    }
    return undefined;
  }

  /**
   * Filters twice when higher- or equal-priority pods are nominated to the node: once as if
   * they were there, once without them; the pod must pass both.
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    const nominated = this.deps
      .nominatedPodsForNode(node.name)
      .filter((p) => p.uid !== pod.uid && p.priority >= pod.priority);
    if (nominated.length > 0) {
      const withState = state.clone();
      const withNode = node.clone();
      for (const p of nominated) {
        withNode.addPod(p);
        const s = this.runPreFilterExtensionAddPod(withState, pod, p, withNode);
        if (s && !s.isSuccess()) return s;
      }
      const s = this.runFilterPlugins(withState, pod, withNode);
      if (s && !s.isSuccess()) return s;
    }
    return this.runFilterPlugins(state, pod, node);
  }

  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Result {
    for (const p of this.preFilters) {
      if (state.skipFilterPlugins.has(p.name) || !p.addPod) continue;
      const s = p.addPod(state, pod, added, node);
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return undefined;
  }

  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Result {
    for (const p of this.preFilters) {
      if (state.skipFilterPlugins.has(p.name) || !p.removePod) continue;
      const s = p.removePod(state, pod, removed, node);
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return undefined;
  }

  /** PostFilter plugins in order until one succeeds or fails outright. */
  async runPostFilterPlugins(
    state: CycleState,
    pod: PodInfo,
    statuses: NodeToStatus,
  ): Promise<PostFilterResult> {
    let last: PostFilterResult = { status: new Status('Unschedulable') };
    const messages: string[] = [];
    for (const p of this.postFilters) {
      const r = await p.postFilter(state, pod, statuses);
      if (r.status.isSuccess() || !r.status.isRejected()) return r;
      if (r.status.message()) messages.push(r.status.message());
      last = r;
    }
    return { ...last, status: new Status(last.status.code, ...messages) };
  }

  runPreScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Result {
    for (const p of this.preScores) {
      const s = p.preScore(state, pod, nodes);
      if (s?.code === 'Skip') state.skipScorePlugins.add(p.name);
      else if (s && !s.isSuccess())
        return Status.error(`running PreScore plugin "${p.name}": ${s.message()}`);
    }
    return undefined;
  }

  /** Each node's weighted total over the score plugins (after each plugin's normalization). */
  runScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): NodeScore[] {
    const totals = nodes.map((n) => ({ name: n.name, score: 0 }));
    for (const { plugin, weight } of this.scores) {
      if (state.skipScorePlugins.has(plugin.name)) continue;
      const scores = nodes.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
      plugin.normalizeScore?.(state, pod, scores);
      scores.forEach((s, i) => {
        totals[i]!.score += s.score * weight;
      });
    }
    return totals;
  }
}
