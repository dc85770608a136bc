/**
 * Registers the agent's Node (or takes over the one that exists), renews its Lease every 10 s
 * and posts its status when something worth telling changed, or every minute, as the kubelet
 * does with node leases. Also waits for the podCIDR the node IPAM controller assigns.
 */
import { CoordinationV1Api, CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import type pino from 'pino';
import { errorCode, mergePatch } from '../../sim/api.ts';
import type { HostFacts } from './host.ts';
import { leaseNamespace, leaseObject, leaseSpec } from './lease.ts';
import { type NodeState, nodeLabels, nodeStatus, statusDigest } from './status.ts';

export interface RegistrationOptions {
  kc: KubeConfig;
  host: HostFacts;
  /** Registers the control-plane role labels (an agent embedded in `skiff server`). */
  server: boolean;
  /** Extra labels and taints asked for on the command line. */
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  state(): NodeState;
  log: pino.Logger;
  leaseEveryMs?: number;
  statusCheckEveryMs?: number;
}

const statusAtLeastEveryMs = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class NodeRegistration {
  private readonly o: RegistrationOptions;
  private readonly core: CoreV1Api;
  private readonly coord: CoordinationV1Api;
  private latest: V1Node | undefined;
  private posted = '';
  private postedAt = 0;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(options: RegistrationOptions) {
    this.o = options;
    this.core = options.kc.makeApiClient(CoreV1Api);
    this.coord = options.kc.makeApiClient(CoordinationV1Api);
  }

  get name(): string {
    return this.o.state().name;
  }

  node(): V1Node | undefined {
    return this.latest;
  }

  /** Creates or updates the Node and its Lease; retries until the API answers. */
  async register(): Promise<V1Node> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.registerOnce();
      } catch (e) {
        if (this.stopped) throw e;
        this.o.log.warn({ err: String(e), attempt }, 'registering the node failed; retrying');
        await sleep(Math.min(5000, 250 * 2 ** attempt));
      }
    }
  }

  private async registerOnce(): Promise<V1Node> {
    const state = this.o.state();
    const labels = { ...nodeLabels(this.o.host, state.name, this.o.server), ...this.o.labels };
    const status = nodeStatus(this.o.host, state);
    const body = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: state.name,
        labels,
        annotations: {
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        },
      },
      spec: this.o.taints?.length ? { taints: this.o.taints } : {},
      status,
    };
    try {
      this.latest = await this.core.createNode({ body: body as V1Node });
      this.o.log.info({ node: state.name }, 'node registered');
    } catch (e) {
      if (errorCode(e) !== 409) throw e;
      const existing = await this.core.readNode({ name: state.name });
      await this.core.patchNode({ name: state.name, body: { metadata: { labels } } }, mergePatch);
      this.latest = await this.core.patchNodeStatus(
        { name: state.name, body: { status: nodeStatus(this.o.host, state, existing) } },
        mergePatch,
      );
      this.o.log.info({ node: state.name }, 'node already registered; updated');
    }
    this.remember(status);
    await this.renewLease(true);
    return this.latest;
  }

  /** Starts the Lease and status loops. */
  start(): void {
    const lease = setInterval(() => void this.renewLease(false), this.o.leaseEveryMs ?? 10_000);
    const status = setInterval(() => void this.postStatus(false), this.o.statusCheckEveryMs ?? 10_000);
    this.timers.push(lease, status);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Posts the status now if it changed (or `force`); returns the node as the API answered. */
  async postStatus(force: boolean): Promise<void> {
    if (this.stopped) return;
    const status = nodeStatus(this.o.host, this.o.state(), this.latest);
    const due = Date.now() - this.postedAt >= statusAtLeastEveryMs;
    if (!force && !due && statusDigest(status) === this.posted && this.readyAsPosted()) return;
    try {
      this.latest = await this.core.patchNodeStatus({ name: this.name, body: { status } }, mergePatch);
      this.remember(status);
    } catch (e) {
      if (errorCode(e) === 404) {
        this.o.log.warn({ node: this.name }, 'node object was deleted; registering again');
        await this.register().catch(() => {});
        return;
      }
      this.o.log.warn({ err: String(e) }, 'posting node status failed');
    }
  }

  /** Someone else (the lifecycle controller) may have marked the node not Ready: correct it. */
  private readyAsPosted(): boolean {
    const ready = this.latest?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    return ready === undefined || this.posted.includes(`"Ready=${ready}"`);
  }

  private remember(status: Record<string, unknown>): void {
    this.posted = statusDigest(status);
    this.postedAt = Date.now();
  }

  private async renewLease(create: boolean): Promise<void> {
    if (this.stopped) return;
    const name = this.name;
    const patch = () =>
      this.coord.patchNamespacedLease(
        { name, namespace: leaseNamespace, body: { spec: leaseSpec(name) } },
        mergePatch,
      );
    const make = () =>
      this.coord.createNamespacedLease({
        namespace: leaseNamespace,
        body: leaseObject(name, this.latest?.metadata?.uid) as never,
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
    } catch (e) {
      this.o.log.warn({ err: String(e) }, 'renewing the node lease failed');
    }
  }

  /** The node's podCIDR, once the node IPAM controller has assigned one. */
  async podCidr(): Promise<string> {
    for (;;) {
      const cidr = this.latest?.spec?.podCIDR;
      if (cidr) return cidr;
      if (this.stopped) throw new Error('stopped before a podCIDR was assigned');
      await sleep(500);
      try {
        this.latest = await this.core.readNode({ name: this.name });
      } catch (e) {
        this.o.log.debug({ err: String(e) }, 'reading the node failed');
      }
    }
  }
}
