import type { Logger } from 'pino';
import { isObject, type KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import { EventRecorder } from '../events.ts';
import { runWorkers } from '../run-workers.ts';
import { CidrSet } from './cidr-set.ts';

const podCIDRs = (node: KubeObject): string[] => {
  const spec = isObject(node.spec) ? node.spec : {};
  const list = Array.isArray(spec.podCIDRs) ? spec.podCIDRs.map(String) : [];
  if (list.length > 0) return list;
  return typeof spec.podCIDR === 'string' && spec.podCIDR ? [spec.podCIDR] : [];
};

/**
 * upstream's node IPAM range allocator: every Node gets spec.podCIDR and spec.podCIDRs, a
 * /24 of the cluster CIDR no other Node has; a deleted Node's subnet is free again. What is
 * taken is rebuilt from the Nodes at start, before anything is handed out.
 */
export class NodeIpamController {
  readonly cidrs: CidrSet;
  readonly nodes: InformerHandle;
  private readonly queue = new WorkQueue<string>();
  private readonly registry: Registry;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  /** The subnets each node name holds. */
  private readonly held = new Map<string, string[]>();

  constructor(
    registry: Registry,
    log: Logger,
    options: { clusterCidr?: string; nodeCidrMaskSize?: number } = {},
  ) {
    this.registry = registry;
    this.log = log.child({ controller: 'node-ipam' });
    this.recorder = new EventRecorder(registry, 'cidrAllocator', this.log);
    this.cidrs = new CidrSet(options.clusterCidr ?? '10.42.0.0/16', options.nodeCidrMaskSize ?? 24);
    this.nodes = sharedInformers(registry).forStore(registry.byResource('', 'nodes')!);
    const enqueue = (n: KubeObject) => this.queue.add(n.metadata.name!);
    this.nodes.addHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
  }

  async start(): Promise<void> {
    await this.nodes.start();
    // Occupy what existing Nodes hold before any allocation.
    for (const node of this.nodes.list()) this.occupy(node);
    void runWorkers(this.queue, (name) => this.sync(name), 1, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    this.nodes.stop();
  }

  private occupy(node: KubeObject): void {
    const name = node.metadata.name!;
    const cidrs = podCIDRs(node);
    for (const c of this.held.get(name) ?? []) if (!cidrs.includes(c)) this.cidrs.release(c);
    for (const c of cidrs) {
      if (!this.cidrs.occupy(c))
        this.log.warn({ node: name, podCIDR: c }, 'node podCIDR is outside the cluster CIDR');
    }
    this.held.set(name, cidrs);
  }

  private release(name: string): void {
    for (const c of this.held.get(name) ?? []) this.cidrs.release(c);
    this.held.delete(name);
  }

  async sync(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node) {
      this.release(name);
      // A subnet came free: nodes still waiting for one try again now.
      for (const n of this.nodes.list()) if (podCIDRs(n).length === 0) this.queue.add(n.metadata.name!);
      return;
    }
    if (podCIDRs(node).length > 0) return this.occupy(node);
    // A node of this name that was deleted and made again: its old subnet is free.
    this.release(name);
    const cidr = this.cidrs.allocateNext();
    if (!cidr) {
      await this.recorder.record(
        node,
        'Normal',
        'CIDRNotAvailable',
        `Node ${name} status is now: CIDRNotAvailable`,
      );
      throw new Error(`no pod CIDR left in ${this.cidrs.clusterCidr} for node ${name}`);
    }
    this.held.set(name, [cidr]);
    try {
      await this.registry.byResource('', 'nodes')!.guaranteedUpdate(undefined, name, (cur) => {
        if (!cur || cur.metadata.uid !== node.metadata.uid) throw new Error(`node ${name} changed`);
        const spec = isObject(cur.spec) ? cur.spec : {};
        if (podCIDRs(cur).length > 0) return cur;
        cur.spec = { ...spec, podCIDR: cidr, podCIDRs: [cidr] };
        return cur;
      });
      this.log.info({ node: name, podCIDR: cidr }, 'allocated a pod CIDR');
    } catch (e) {
      this.release(name);
      if (isStatusError(e) && e.code === 404) return;
      throw e;
    }
  }
}
