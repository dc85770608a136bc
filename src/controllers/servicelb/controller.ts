import type { Logger } from 'pino';
import { isObject, type KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { objectKeyOf } from '../../client/informer.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { loadBalancerIngress } from '../../network/proxy/service-ports.ts';
import type { Registry } from '../../registry/registry.ts';
import { runWorkers } from '../run-workers.ts';

type Ingress = { ip: string; ipMode: 'VIP' }[];

const specOf = (o: KubeObject): Record<string, unknown> => (isObject(o.spec) ? o.spec : {});

/** The Node's Ready condition is True. */
export function nodeReady(node: KubeObject): boolean {
  const status = isObject(node.status) ? node.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True');
}

/** The InternalIP addresses a Node reports. */
export function internalIps(node: KubeObject): string[] {
  const status = isObject(node.status) ? node.status : {};
  const addresses = Array.isArray(status.addresses) ? status.addresses : [];
  return addresses
    .filter((a) => isObject(a) && a.type === 'InternalIP' && typeof a.address === 'string')
    .map((a) => String((a as { address: string }).address));
}

/** The ingress ServiceLB publishes for the given Nodes: InternalIPs of the Ready ones, sorted, once each. */
export function ingressFor(nodes: KubeObject[]): Ingress {
  const ips = new Set<string>();
  for (const n of nodes) if (nodeReady(n)) for (const ip of internalIps(n)) ips.add(ip);
  return loadBalancerIngress([...ips].sort());
}

/** True for the Services ServiceLB owns: type LoadBalancer, no spec.loadBalancerClass. */
export function isServiceLb(svc: KubeObject): boolean {
  const spec = specOf(svc);
  return spec.type === 'LoadBalancer' && !spec.loadBalancerClass;
}

const currentIngress = (svc: KubeObject): unknown => {
  const status = isObject(svc.status) ? svc.status : {};
  const lb = isObject(status.loadBalancer) ? status.loadBalancer : {};
  return lb.ingress;
};

const sameIngress = (a: unknown, b: Ingress): boolean => {
  const list = Array.isArray(a) ? a : [];
  if (list.length !== b.length) return false;
  return list.every((e, i) => {
    if (!isObject(e)) return false;
    const keys = Object.keys(e).filter((k) => e[k] !== undefined);
    return keys.length === 2 && e.ip === b[i]!.ip && e.ipMode === b[i]!.ipMode;
  });
};

/** What status.loadBalancer.ingress should be for a Service; undefined when ServiceLB leaves it alone. */
export function wantedIngress(svc: KubeObject, ingress: Ingress): Ingress | undefined {
  if (isServiceLb(svc)) return ingress;
  // Another load balancer owns it.
  if (specOf(svc).loadBalancerClass) return undefined;
  // No longer a LoadBalancer: what ServiceLB published goes.
  return [];
}

/**
 * k3s's ServiceLB without its per-Service DaemonSet (the node agent's proxy already accepts
 * LoadBalancer traffic on every node IP): every Service of type LoadBalancer without
 * spec.loadBalancerClass gets status.loadBalancer.ingress = the InternalIPs of the Ready Nodes
 * (ipMode VIP), kept in step as Nodes come, go, and change readiness or addresses. A Service
 * that stops being a LoadBalancer loses that ingress; one with a loadBalancerClass is never
 * touched.
 */
export class ServiceLbController {
  readonly services: InformerHandle;
  readonly nodes: InformerHandle;
  private readonly queue = new WorkQueue<string>();
  private readonly registry: Registry;
  private readonly log: Logger;
  private current: Ingress = [];
  /** `current` as JSON, to compare. */
  private lastIngress = '[]';

  constructor(registry: Registry, log: Logger) {
    this.registry = registry;
    this.log = log.child({ controller: 'servicelb' });
    this.services = sharedInformers(registry).forStore(registry.byResource('', 'services')!);
    this.nodes = sharedInformers(registry).forStore(registry.byResource('', 'nodes')!);
    const service = (s: KubeObject) => {
      if (this.nodes.hasSynced && this.needsSync(s)) this.queue.add(objectKeyOf(s));
    };
    this.services.addHandler({ add: service, update: (_o, n) => service(n) });
    const node = () => {
      if (!this.nodes.hasSynced) return;
      if (!this.refresh()) return;
      for (const s of this.services.list()) if (this.needsSync(s)) this.queue.add(objectKeyOf(s));
    };
    // Heartbeats change neither readiness nor addresses: only those make a recompute.
    const relevant = (n: KubeObject) => `${nodeReady(n)} ${internalIps(n).join(',')}`;
    this.nodes.addHandler({
      add: node,
      update: (o, n) => relevant(o) !== relevant(n) && node(),
      delete: node,
    });
  }

  /** The ingress every ServiceLB Service should carry now (recomputed when a Node changes). */
  ingress(): Ingress {
    return this.current;
  }

  /** Recomputes the ingress from the cached Nodes; true when it changed. */
  private refresh(): boolean {
    const next = ingressFor(this.nodes.list());
    const json = JSON.stringify(next);
    if (json === this.lastIngress) return false;
    this.current = next;
    this.lastIngress = json;
    return true;
  }

  private needsSync(svc: KubeObject): boolean {
    const want = wantedIngress(svc, this.ingress());
    if (!want) return false;
    const cur = currentIngress(svc);
    if (want.length === 0) return Array.isArray(cur) && cur.length > 0;
    return !sameIngress(cur, want);
  }

  async start(): Promise<void> {
    await this.nodes.start();
    this.refresh();
    await this.services.start();
    for (const s of this.services.list()) if (this.needsSync(s)) this.queue.add(objectKeyOf(s));
    void runWorkers(this.queue, (key) => this.sync(key), 2, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    this.services.stop();
    this.nodes.stop();
  }

  async sync(key: string): Promise<void> {
    const cached = this.services.get(key);
    if (!cached || !this.needsSync(cached)) return;
    const ingress = this.ingress();
    try {
      await this.registry.byResource('', 'services')!.guaranteedUpdate(
        cached.metadata.namespace,
        cached.metadata.name!,
        (cur) => {
          if (!cur || cur.metadata.uid !== cached.metadata.uid) throw new Error(`service ${key} is gone`);
          const want = wantedIngress(cur, ingress);
          if (!want) return cur;
          const status = isObject(cur.status) ? cur.status : {};
          const lb = isObject(status.loadBalancer) ? status.loadBalancer : {};
          const { ingress: _old, ...rest } = lb;
          const loadBalancer = want.length > 0 ? { ...rest, ingress: want } : rest;
          return { ...cur, status: { ...status, loadBalancer } };
        },
        { subresource: 'status' },
      );
      this.log.debug({ service: key, ingress }, 'load balancer ingress updated');
    } catch (e) {
      if (isStatusError(e) && e.code === 404) return;
      throw e;
    }
  }
}
