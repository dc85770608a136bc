/**
 * What the Service REST storage allocates (upstream's pkg/registry/core/service/storage/
 * alloc.go, single-stack IPv4): ClusterIPs from the service CIDR, NodePorts for NodePort and
 * LoadBalancer Services, and the health-check NodePort of a LoadBalancer with
 * externalTrafficPolicy Local. Requested values are checked; errors read as upstream's.
 * Allocation is synchronous, so concurrent creates in this process never share a value.
 */
import { type FieldError, field, invalidError } from '../../api/field-errors.ts';
import { isObject, type KubeObject } from '../../api/object.ts';
import { type StatusError, statusErrors } from '../../api/status.ts';
import { objectKeyOf } from '../../client/informer.ts';
import { AllocatorError, NodePortRange, ServiceIPRange } from './ranges.ts';

type Obj = Record<string, unknown>;
const specOf = (o: KubeObject): Obj => {
  if (!isObject(o.spec)) o.spec = {};
  return o.spec as Obj;
};
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const strs = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
const portsOf = (s: Obj): Obj[] => (Array.isArray(s.ports) ? s.ports.filter(isObject) : []);
const goStrings = (v: unknown) =>
  `[]string{${strs(v)
    .map((x) => JSON.stringify(x))
    .join(', ')}}`;
const shown = (text: string) => Object.assign(() => text, { toString: () => text });

export const needsNodePorts = (s: Obj) => s.type === 'NodePort' || s.type === 'LoadBalancer';
const shouldAllocateNodePorts = (s: Obj) =>
  s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);
const needsHealthCheck = (s: Obj) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
const isHeadless = (s: Obj) => strs(s.clusterIPs)[0] === 'None' || s.clusterIP === 'None';

/** The ClusterIPs a stored Service holds. */
export function clusterIPsOf(svc: KubeObject): string[] {
  const s = isObject(svc.spec) ? svc.spec : {};
  if (s.type === 'ExternalName') return [];
  return [...new Set([...strs(s.clusterIPs), str(s.clusterIP)])].filter((ip) => ip && ip !== 'None');
}

/** The NodePorts (and health-check NodePort) a stored Service holds. */
export function nodePortsOf(svc: KubeObject): number[] {
  const s = isObject(svc.spec) ? svc.spec : {};
  const ports = portsOf(s)
    .map((p) => num(p.nodePort))
    .filter((n) => n > 0);
  if (num(s.healthCheckNodePort) > 0) ports.push(num(s.healthCheckNodePort));
  return ports;
}

export interface ServiceAllocatorOptions {
  readonly serviceCidr: string;
  /** Addresses random allocation never hands out (the API and DNS Service IPs). */
  readonly reservedIPs?: readonly string[];
  readonly nodePortRange?: string;
  readonly claimTtlMs?: number;
  readonly random?: (n: number) => number;
}

/** Undo steps of one admission, run when a later step fails. */
type Undo = (() => void)[];

export class ServiceAllocator {
  readonly ips: ServiceIPRange;
  readonly ports: NodePortRange;

  constructor(options: ServiceAllocatorOptions) {
    const extra = {
      ...(options.claimTtlMs !== undefined ? { claimTtlMs: options.claimTtlMs } : {}),
      ...(options.random ? { random: options.random } : {}),
    };
    this.ips = new ServiceIPRange(options.serviceCidr, options.reservedIPs ?? [], extra);
    this.ports = new NodePortRange(options.nodePortRange, extra);
  }

  /** Keeps the ranges in step with a stored Service; undefined when it was deleted. */
  observe(key: string, svc: KubeObject | undefined): void {
    this.ips.setHeld(key, svc ? clusterIPsOf(svc) : []);
    this.ports.setHeld(key, svc ? nodePortsOf(svc) : []);
  }

  /** Fills what a new Service needs (upstream's allocateCreate); throws 422/500 as upstream. */
  allocateCreate(svc: KubeObject): void {
    const s = specOf(svc);
    this.transaction(svc, (key, undo) => {
      this.checkFamilies(svc, s);
      if (s.type !== 'ExternalName') this.allocClusterIPs(svc, s, key, undo);
      if (needsNodePorts(s)) this.initNodePorts(svc, s, key, undo);
      if (needsHealthCheck(s)) this.allocHealthCheck(s, key, undo);
    });
  }

  /** An update allocates only what it newly needs; what it drops goes once it is stored. */
  allocateUpdate(svc: KubeObject, old: KubeObject): void {
    const s = specOf(svc);
    const o = isObject(old.spec) ? old.spec : {};
    this.transaction(svc, (key, undo) => {
      if (o.type === 'ExternalName' && s.type !== 'ExternalName') {
        this.checkFamilies(svc, s);
        this.allocClusterIPs(svc, s, key, undo);
      }
      if (needsNodePorts(s)) this.updateNodePorts(svc, s, o, key, undo);
      if (needsHealthCheck(s) && !needsHealthCheck(o)) this.allocHealthCheck(s, key, undo);
    });
  }

  private transaction(svc: KubeObject, fn: (key: string, undo: Undo) => void): void {
    const undo: Undo = [];
    try {
      fn(objectKeyOf(svc), undo);
    } catch (e) {
      for (const u of undo.reverse()) u();
      throw e;
    }
  }

  private invalid(svc: KubeObject, errs: FieldError[]): StatusError {
    return invalidError('Service', '', svc.metadata.name ?? '', errs);
  }

  /** A single-stack IPv4 cluster: asking for IPv6 is refused as upstream's initIPFamilyFields. */
  private checkFamilies(svc: KubeObject, s: Obj): void {
    if (s.type === 'ExternalName' || isHeadless(s)) return;
    const errs = strs(s.ipFamilies).flatMap((family, i) =>
      family === 'IPv4'
        ? []
        : [field.invalid(`spec.ipFamilies[${i}]`, family, 'not configured on this cluster')],
    );
    if (errs.length > 0) throw this.invalid(svc, errs);
  }

  private allocClusterIPs(svc: KubeObject, s: Obj, key: string, undo: Undo): void {
    if (isHeadless(s)) return;
    const requested = strs(s.clusterIPs)[0] ?? str(s.clusterIP);
    if (requested) {
      try {
        this.ips.allocate(requested, key);
      } catch (e) {
        if (!(e instanceof AllocatorError)) throw e;
        throw this.invalid(svc, [
          field.invalid(
            'spec.clusterIPs',
            shown(goStrings(s.clusterIPs)),
            `failed to allocate IP ${requested}: ${e.message}`,
          ),
        ]);
      }
      undo.push(() => this.ips.release(requested, key));
      return;
    }
    let ip: string;
    try {
      ip = this.ips.allocateNext(key);
    } catch (e) {
      throw statusErrors.internal(`failed to allocate a serviceIP: ${(e as Error).message}`);
    }
    undo.push(() => this.ips.release(ip, key));
    s.clusterIP = ip;
    s.clusterIPs = [ip];
  }

  private claimPort(
    svc: KubeObject,
    port: number,
    path: string,
    key: string,
    undo: Undo,
    taken: Set<number>,
  ) {
    try {
      if (taken.has(port)) throw new AllocatorError('Allocated', 'provided port is already allocated');
      this.ports.allocate(port, key);
    } catch (e) {
      if (!(e instanceof AllocatorError)) throw e;
      throw this.invalid(svc, [field.invalid(path, port, e.message)]);
    }
    taken.add(port);
    undo.push(() => this.ports.release(port, key));
  }

  private nextPort(key: string, undo: Undo, taken: Set<number>): number {
    let port: number;
    try {
      port = this.ports.allocateNext(key);
    } catch (e) {
      throw statusErrors.internal(`failed to allocate a nodePort: ${(e as Error).message}`);
    }
    taken.add(port);
    undo.push(() => this.ports.release(port, key));
    return port;
  }

  /** upstream's initNodePorts: ports sharing a port number share the NodePort. */
  private initNodePorts(svc: KubeObject, s: Obj, key: string, undo: Undo): void {
    const ports = portsOf(s);
    const byPort = new Map<number, number>();
    const taken = new Set<number>();
    ports.forEach((p, i) => {
      const path = `spec.ports[${i}].nodePort`;
      const requested = num(p.nodePort);
      if (requested === 0 && !shouldAllocateNodePorts(s)) return;
      const allocated = byPort.get(num(p.port)) ?? 0;
      if (allocated === 0) {
        const wanted = num(ports.find((q) => num(q.port) === num(p.port) && num(q.nodePort) !== 0)?.nodePort);
        if (wanted !== 0) this.claimPort(svc, wanted, path, key, undo, taken);
        const nodePort = wanted !== 0 ? wanted : this.nextPort(key, undo, taken);
        p.nodePort = nodePort;
        byPort.set(num(p.port), nodePort);
      } else if (requested !== allocated) {
        if (requested === 0) p.nodePort = allocated;
        else this.claimPort(svc, requested, path, key, undo, taken);
      }
    });
  }

  /** upstream's updateNodePorts: new requested ports are checked, missing ones allocated. */
  private updateNodePorts(svc: KubeObject, s: Obj, old: Obj, key: string, undo: Undo): void {
    const oldPorts = new Set(portsOf(old).map((p) => num(p.nodePort)));
    const taken = new Set<number>();
    portsOf(s).forEach((p, i) => {
      const requested = num(p.nodePort);
      if (requested === 0 && !shouldAllocateNodePorts(s)) return;
      if (requested === 0) p.nodePort = this.nextPort(key, undo, taken);
      else if (!oldPorts.has(requested) && !taken.has(requested))
        this.claimPort(svc, requested, `spec.ports[${i}].nodePort`, key, undo, taken);
    });
  }

  private allocHealthCheck(s: Obj, key: string, undo: Undo): void {
    const requested = num(s.healthCheckNodePort);
    const taken = new Set<number>();
    if (requested === 0) {
      try {
        s.healthCheckNodePort = this.nextPort(key, undo, taken);
      } catch {
        throw statusErrors.internal('failed to allocate a HealthCheck NodePort 0: range is full');
      }
      return;
    }
    try {
      this.ports.allocate(requested, key);
    } catch (e) {
      throw statusErrors.internal(
        `failed to allocate requested HealthCheck NodePort ${requested}: ${(e as Error).message}`,
      );
    }
    undo.push(() => this.ports.release(requested, key));
  }
}
