import type { Logger } from 'pino';
import { isObject, type KubeObject, timestamp } from '../../api/object.ts';
import { indexByNodeName, onNode } from '../../client/indexes.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import { EventRecorder } from '../events.ts';
import { runWorkers } from '../run-workers.ts';
import { computeZoneState, type NodeHealth, tryUpdateNodeHealth, type ZoneState, zoneKey } from './health.ts';
import { markPodsNotReady } from './pods.ts';
import {
  matchTaint,
  type NodeCondition,
  noScheduleTaintDiff,
  notReadyNoExecute,
  readyCondition,
  swapTaints,
  type Taint,
  taintsOf,
  unreachableNoExecute,
} from './taints.ts';
import { ZoneTainter } from './zone-tainter.ts';

export interface NodeLifecycleOptions {
  /** How often node health is checked (--node-monitor-period). */
  readonly monitorPeriodMs?: number;
  /** Silence after which a node is Unknown (--node-monitor-grace-period, 50 s in 1.32). */
  readonly gracePeriodMs?: number;
  /** The same for a node that never posted status (--node-startup-grace-period). */
  readonly startupGracePeriodMs?: number;
  /** NoExecute taints per second per healthy zone (--node-eviction-rate). */
  readonly evictionQps?: number;
  /** The same in a partially disrupted large zone (--secondary-node-eviction-rate). */
  readonly secondaryEvictionQps?: number;
  readonly largeClusterSizeThreshold?: number;
  readonly unhealthyZoneThreshold?: number;
  /** How often the NoExecute taint queues are worked (upstream's nodeEvictionPeriod). */
  readonly taintPeriodMs?: number;
  readonly now?: () => number;
}

const excludeDisruption = 'node.kubernetes.io/exclude-disruption';
const podNode = (p: KubeObject) =>
  isObject(p.spec) && typeof p.spec.nodeName === 'string' ? p.spec.nodeName : '';

/**
 * upstream's node lifecycle controller: nodes whose kubelet stops posting status and
 * renewing its Lease turn Unknown after the grace period; condition taints (NoSchedule, plus
 * unschedulable) follow the conditions; not-ready and unreachable nodes get NoExecute taints,
 * rate limited per zone and held back when every node is down; pods on not-ready nodes are
 * marked not ready. Eviction itself is the taint eviction controller's.
 */
export class NodeLifecycleController {
  readonly nodes: InformerHandle;
  readonly pods: InformerHandle;
  readonly leases: InformerHandle;
  private readonly registry: Registry;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly o: Required<Omit<NodeLifecycleOptions, 'now'>>;
  private readonly now: () => number;
  private readonly health = new Map<string, NodeHealth>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly tainters = new Map<string, ZoneTainter>();
  private readonly nodeQueue = new WorkQueue<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private monitoring = false;
  private tainting = false;

  constructor(registry: Registry, log: Logger, options: NodeLifecycleOptions = {}) {
    this.registry = registry;
    this.log = log.child({ controller: 'node-lifecycle' });
    this.recorder = new EventRecorder(registry, 'node-controller', this.log);
    this.now = options.now ?? Date.now;
    this.o = {
      monitorPeriodMs: options.monitorPeriodMs ?? 5_000,
      gracePeriodMs: options.gracePeriodMs ?? 50_000,
      startupGracePeriodMs: options.startupGracePeriodMs ?? 60_000,
      evictionQps: options.evictionQps ?? 0.1,
      secondaryEvictionQps: options.secondaryEvictionQps ?? 0.01,
      largeClusterSizeThreshold: options.largeClusterSizeThreshold ?? 50,
      unhealthyZoneThreshold: options.unhealthyZoneThreshold ?? 0.55,
      taintPeriodMs: options.taintPeriodMs ?? 100,
    };
    this.nodes = sharedInformers(registry).forStore(registry.byResource('', 'nodes')!);
    this.pods = sharedInformers(registry).forStore(registry.byResource('', 'pods')!);
    indexByNodeName(this.pods);
    this.leases = sharedInformers(registry).forStore(
      registry.byResource('coordination.k8s.io', 'leases')!,
      'kube-node-lease',
    );
    const nodeChanged = (n: KubeObject) => {
      this.tainterFor(zoneKey(n));
      this.nodeQueue.add(n.metadata.name!);
    };
    this.nodes.addHandler({ add: nodeChanged, update: (_o, n) => nodeChanged(n) });
    this.pods.addHandler({ add: (p) => void this.podChanged(p), update: (_o, p) => void this.podChanged(p) });
  }

  async start(): Promise<void> {
    await Promise.all([this.nodes.start(), this.pods.start(), this.leases.start()]);
    void runWorkers(this.nodeQueue, (name) => this.syncNoScheduleTaints(name), 4, this.log);
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(
        () => void fn().catch((err) => this.log.warn({ err }, 'node lifecycle pass failed')),
        ms,
      );
      t.unref();
      this.timers.push(t);
    };
    every(this.o.monitorPeriodMs, () => this.monitorNodeHealth());
    every(this.o.taintPeriodMs, () => this.noExecuteTaintingPass());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.nodeQueue.shutDown();
    for (const i of [this.nodes, this.pods, this.leases]) i.stop();
  }

  private tainterFor(zone: string): ZoneTainter {
    let t = this.tainters.get(zone);
    if (!t) {
      t = new ZoneTainter(this.o.evictionQps, this.now);
      this.tainters.set(zone, t);
      this.zoneStates.set(zone, 'Initial');
    }
    return t;
  }

  /** Adds and removes taints on the stored node (upstream's SwapNodeControllerTaint). */
  private async swap(name: string, add: readonly Taint[], remove: readonly Taint[]): Promise<boolean> {
    if (add.length === 0 && remove.length === 0) return true;
    try {
      await this.registry.byResource('', 'nodes')!.guaranteedUpdate(undefined, name, (cur) => {
        if (!cur) throw new Error(`node ${name} is gone`);
        swapTaints(cur, add, remove, timestamp(new Date(this.now())));
        return cur;
      });
      return true;
    } catch (err) {
      this.log.warn({ err, node: name }, 'could not change node taints');
      return false;
    }
  }

  /** upstream's doNoScheduleTaintingPass, on every node change. */
  async syncNoScheduleTaints(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node) return;
    const { add, remove } = noScheduleTaintDiff(node);
    if (!(await this.swap(name, add, remove))) throw new Error(`failed to swap taints of node ${name}`);
  }

  /** upstream's monitorNodeHealth, every monitor period. */
  async monitorNodeHealth(): Promise<void> {
    if (this.monitoring) return;
    this.monitoring = true;
    try {
      const nodes = this.nodes.list();
      const names = new Set(nodes.map((n) => n.metadata.name!));
      for (const name of this.health.keys()) if (!names.has(name)) this.health.delete(name);
      const zones = new Map<string, (NodeCondition | undefined)[]>();
      for (const node of nodes) {
        const name = node.metadata.name!;
        const lease = this.leases.get(`kube-node-lease/${name}`);
        const r = tryUpdateNodeHealth(node, this.health.get(name), lease, this.now(), this.o);
        const current = r.current;
        if (r.updated) {
          try {
            await this.registry
              .byResource('', 'nodes')!
              .guaranteedUpdate(undefined, name, () => r.updated!, { subresource: 'status' });
          } catch (err) {
            // Changed meanwhile (or gone): the next pass looks again.
            this.log.warn({ err, node: name }, 'could not update node status');
            continue;
          }
        }
        this.health.set(name, r.health);
        const zone = zoneKey(node);
        this.tainterFor(zone);
        if (node.metadata.labels?.[excludeDisruption] === undefined)
          zones.set(zone, [...(zones.get(zone) ?? []), current]);
        if (!current) continue;
        await this.processTaintBasedEviction(node, r.observed);
        if (current.status !== 'True' && r.observed.status === 'True') {
          await this.recorder.record(
            node,
            'Normal',
            'NodeNotReady',
            `Node ${name} status is now: NodeNotReady`,
          );
          await markPodsNotReady(this.registry, this.recorder, onNode(this.pods, name));
        }
      }
      await this.handleDisruption(zones, nodes);
    } finally {
      this.monitoring = false;
    }
  }

  private async processTaintBasedEviction(node: KubeObject, observed: NodeCondition): Promise<void> {
    const name = node.metadata.name!;
    const has = (t: Taint) => taintsOf(node).some((x) => matchTaint(x, t));
    if (observed.status === 'False') {
      if (has(unreachableNoExecute)) await this.swap(name, [notReadyNoExecute], [unreachableNoExecute]);
      else this.tainterFor(zoneKey(node)).add(name);
    } else if (observed.status === 'Unknown') {
      if (has(notReadyNoExecute)) await this.swap(name, [unreachableNoExecute], [notReadyNoExecute]);
      else this.tainterFor(zoneKey(node)).add(name);
    } else if (observed.status === 'True') {
      await this.markNodeAsReachable(node);
    }
  }

  private async markNodeAsReachable(node: KubeObject): Promise<void> {
    const name = node.metadata.name!;
    this.tainterFor(zoneKey(node)).remove(name);
    const remove = [unreachableNoExecute, notReadyNoExecute].filter((t) =>
      taintsOf(node).some((x) => matchTaint(x, t)),
    );
    if (remove.length > 0) await this.swap(name, [], remove);
  }

  /** upstream's doNoExecuteTaintingPass: taints queued nodes as their zone's rate allows. */
  async noExecuteTaintingPass(): Promise<void> {
    if (this.tainting) return;
    this.tainting = true;
    try {
      for (const tainter of this.tainters.values()) {
        await tainter.try(async (name) => {
          const node = this.nodes.get(name);
          if (!node) return true;
          const status = readyCondition(node)?.status;
          if (status === 'False') return this.swap(name, [notReadyNoExecute], [unreachableNoExecute]);
          if (status === 'Unknown') return this.swap(name, [unreachableNoExecute], [notReadyNoExecute]);
          return true;
        });
      }
    } finally {
      this.tainting = false;
    }
  }

  private zoneQps(size: number, state: ZoneState): number {
    if (state === 'PartialDisruption')
      return size > this.o.largeClusterSizeThreshold ? this.o.secondaryEvictionQps : 0;
    return this.o.evictionQps;
  }

  /** upstream's handleDisruption: zone states, their taint rates, and the all-down mode. */
  private async handleDisruption(zones: Map<string, (NodeCondition | undefined)[]>, nodes: KubeObject[]) {
    const next = new Map<string, ZoneState>();
    let allAre = true;
    for (const [zone, conditions] of zones) {
      const { state } = computeZoneState(conditions, this.o.unhealthyZoneThreshold);
      if (state !== 'FullDisruption') allAre = false;
      next.set(zone, state);
      if (!this.zoneStates.has(zone)) this.zoneStates.set(zone, 'Initial');
    }
    let allWere = true;
    for (const [zone, state] of [...this.zoneStates]) {
      if (!zones.has(zone)) {
        this.zoneStates.delete(zone);
        continue;
      }
      if (state !== 'FullDisruption') {
        allWere = false;
        break;
      }
    }
    if (allAre && allWere) return;
    if (allAre) {
      this.log.info('every node is not ready: NoExecute taints are held back');
      for (const node of nodes) await this.markNodeAsReachable(node);
      for (const zone of this.zoneStates.keys()) {
        this.tainterFor(zone).swapLimiter(0);
        this.zoneStates.set(zone, 'FullDisruption');
      }
      return;
    }
    if (allWere) {
      this.log.info('some nodes are ready again: NoExecute tainting resumes');
      const now = this.now();
      for (const [name, h] of this.health)
        this.health.set(name, { ...h, probeTimestamp: now, readyTransitionTimestamp: now });
    }
    for (const [zone, state] of this.zoneStates) {
      const wanted = next.get(zone) ?? state;
      if (!allWere && state === wanted) continue;
      this.tainterFor(zone).swapLimiter(this.zoneQps(zones.get(zone)?.length ?? 0, wanted));
      this.zoneStates.set(zone, wanted);
    }
  }

  /** upstream's processPod: a pod turning up on a node that is not ready is not ready either. */
  private async podChanged(pod: KubeObject): Promise<void> {
    const name = podNode(pod);
    if (!name || !this.health.has(name)) return;
    const node = this.nodes.get(name);
    const ready = node && readyCondition(node);
    if (ready && ready.status !== 'True')
      await markPodsNotReady(this.registry, this.recorder, [pod]).catch(() => {});
  }
}
