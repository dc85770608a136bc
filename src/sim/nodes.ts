/**
 * The simulated nodes: registration (or adoption of nodes that already exist), Lease renewal
 * every heartbeat, node status every minute or on change, and silence. One ticker and one
 * bounded write queue serve every node, so hundreds of nodes cost a few requests a second.
 */
import type { CoordinationV1Api, CoreV1Api, V1Node } from '@kubernetes/client-node';
import type pino from 'pino';
import { leaseNamespace, leaseObject, leaseSpec } from '../agent/node/lease.ts';
import { fallbackPodCIDR, nodeIP, PodIPs } from './addresses.ts';
import { nodeSilenced } from './annotations.ts';
import { errorCode, mergePatch } from './api.ts';
import { mergeTaints, nodeAnnotations, nodeLabels, nodeObject, nodeStatus } from './node-object.ts';
import type { SimOptions } from './options.ts';
import { KeyedQueue } from './queue.ts';

const statusEveryMs = 60_000;

export interface SimNode {
  readonly name: string;
  readonly ip: string;
  readonly podIPs: PodIPs;
  uid?: string;
  /** The node as last seen (registration answer or watch event). */
  latest?: V1Node;
  podCIDR?: string;
  silentByControl: boolean;
  silentByAnnotation: boolean;
  /** Deleted by someone else: this process stops posting for it, as a kubelet would. */
  gone: boolean;
  nextLease: number;
  nextStatus: number;
}

export class SimNodes {
  readonly byName = new Map<string, SimNode>();
  private readonly opts: SimOptions;
  private readonly core: CoreV1Api;
  private readonly coord: CoordinationV1Api;
  private readonly log: pino.Logger;
  private readonly queue: KeyedQueue;
  private ticker: NodeJS.Timeout | undefined;
  /** Told when a node speaks again after silence. */
  onResume: (name: string) => void = () => {};

  constructor(opts: SimOptions, core: CoreV1Api, coord: CoordinationV1Api, log: pino.Logger) {
    this.opts = opts;
    this.core = core;
    this.coord = coord;
    this.log = log;
    this.queue = new KeyedQueue(8, (key) => this.work(key));
    for (let i = 0; i < opts.nodes; i++) {
      const name = `${opts.namePrefix}${i}`;
      this.byName.set(name, {
        name,
        ip: nodeIP(i),
        podIPs: new PodIPs(fallbackPodCIDR(i)),
        silentByControl: false,
        silentByAnnotation: false,
        gone: false,
        nextLease: 0,
        nextStatus: Date.now() + statusEveryMs,
      });
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  silent(name: string): boolean {
    const n = this.byName.get(name);
    return n === undefined || n.gone || n.silentByControl || n.silentByAnnotation;
  }

  /** Registers every node (16 at a time) and creates their Leases, then starts heartbeating. */
  async register(): Promise<void> {
    const nodes = [...this.byName.values()];
    const next = () => nodes.shift();
    const worker = async () => {
      for (let n = next(); n; n = next()) await this.registerOne(n);
    };
    await Promise.all(Array.from({ length: Math.min(16, nodes.length) }, worker));
    this.ticker = setInterval(() => this.tick(), Math.min(250, this.opts.heartbeatMs / 4));
  }

  stop(): void {
    clearInterval(this.ticker);
    this.queue.stop();
  }

  /** A node event from the watch: silence by annotation, an assigned podCIDR, the latest object. */
  seen(node: V1Node): void {
    const n = this.byName.get(node.metadata?.name ?? '');
    if (!n) return;
    n.latest = node;
    n.uid = node.metadata?.uid;
    const cidr = node.spec?.podCIDR;
    if (cidr && cidr !== n.podCIDR) {
      n.podCIDR = cidr;
      n.podIPs.setCIDR(cidr);
    }
    const wasSilent = this.silent(n.name);
    n.silentByAnnotation = nodeSilenced(node.metadata?.annotations);
    n.gone = false;
    this.changed(n, wasSilent);
    // Someone else (the node lifecycle controller) says the node is not Ready: correct it soon.
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    if (!this.silent(n.name) && ready && ready.status !== 'True')
      n.nextStatus = Math.min(n.nextStatus, Date.now() + 1000);
  }

  forgotten(name: string): void {
    const n = this.byName.get(name);
    if (!n || n.gone) return;
    n.gone = true;
    this.log.warn({ node: name }, 'node was deleted; no longer posting for it');
  }

  /** Silence or resume a node from the control endpoint; false for an unknown node. */
  setSilent(name: string, silent: boolean): boolean {
    const n = this.byName.get(name);
    if (!n) return false;
    const wasSilent = this.silent(name);
    n.silentByControl = silent;
    this.changed(n, wasSilent);
    return true;
  }

  private changed(n: SimNode, wasSilent: boolean): void {
    const silent = this.silent(n.name);
    if (silent === wasSilent) return;
    this.log.info({ node: n.name, silent }, silent ? 'node is silent' : 'node speaks again');
    if (silent) return;
    n.nextLease = 0;
    n.nextStatus = 0;
    this.onResume(n.name);
  }

  private async registerOne(n: SimNode): Promise<void> {
    const body = nodeObject(this.opts, n.name, n.ip);
    try {
      n.latest = await this.core.createNode({ body: body as V1Node });
      this.log.info({ node: n.name }, 'node registered');
    } catch (e) {
      if (errorCode(e) !== 409) throw e;
      const existing = await this.core.readNode({ name: n.name });
      const patch = {
        metadata: { labels: nodeLabels(this.opts, n.name), annotations: nodeAnnotations },
        spec: { taints: mergeTaints(existing.spec?.taints, this.opts.taints) },
      };
      await this.core.patchNode({ name: n.name, body: patch }, mergePatch);
      const status = nodeStatus(this.opts, n.name, n.ip, existing);
      n.latest = await this.core.patchNodeStatus({ name: n.name, body: { status } }, mergePatch);
      this.log.info({ node: n.name }, 'node already registered; updated');
    }
    n.uid = n.latest.metadata?.uid;
    n.nextStatus = Date.now() + statusEveryMs;
    n.silentByAnnotation = nodeSilenced(n.latest.metadata?.annotations);
    if (!this.silent(n.name)) await this.renewLease(n, true);
    // Spread the nodes' later heartbeats over the interval.
    n.nextLease = Date.now() + Math.floor(Math.random() * this.opts.heartbeatMs);
  }

  private tick(): void {
    const now = Date.now();
    for (const n of this.byName.values()) {
      if (this.silent(n.name)) continue;
      if (now >= n.nextLease) this.queue.add(`lease/${n.name}`);
      if (now >= n.nextStatus) this.queue.add(`status/${n.name}`);
    }
  }

  private async work(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const n = this.byName.get(key.slice(slash + 1));
    if (!n || this.silent(n.name)) return;
    if (key.startsWith('lease/')) {
      if (Date.now() >= n.nextLease) await this.renewLease(n);
      return;
    }
    if (Date.now() < n.nextStatus) return;
    try {
      const status = nodeStatus(this.opts, n.name, n.ip, n.latest);
      n.latest = await this.core.patchNodeStatus({ name: n.name, body: { status } }, mergePatch);
      n.nextStatus = Date.now() + statusEveryMs;
    } catch (e) {
      if (errorCode(e) === 404) return this.forgotten(n.name);
      this.log.warn({ node: n.name, err: String(e) }, 'posting node status failed');
      n.nextStatus = Date.now() + 1000;
    }
  }

  /** Renews the node's Lease, creating it when missing (first, when `create` says it likely is). */
  private async renewLease(n: SimNode, create = false): Promise<void> {
    const patch = () =>
      this.coord.patchNamespacedLease(
        { name: n.name, namespace: leaseNamespace, body: { spec: leaseSpec(n.name) } },
        mergePatch,
      );
    const make = () =>
      this.coord.createNamespacedLease({
        namespace: leaseNamespace,
        body: leaseObject(n.name, n.uid) as never,
      });
    try {
      try {
        await (create ? make() : patch());
      } catch (e) {
        const code = errorCode(e);
        if (create && code === 409) await patch();
        else if (!create && code === 404) await make();
        else throw e;
      }
      n.nextLease = Date.now() + this.opts.heartbeatMs;
    } catch (e) {
      this.log.warn({ node: n.name, err: String(e) }, 'renewing the lease failed');
      n.nextLease = Date.now() + Math.min(1000, this.opts.heartbeatMs);
    }
  }
}
