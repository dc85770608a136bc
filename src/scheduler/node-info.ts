/**
 * What the scheduler knows about one node (upstream's framework.NodeInfo): the node, the pods
 * on it (assumed ones included), what they request and which host ports they hold.
 */
import { isObject, type KubeObject } from '../api/object.ts';
import type { PodInfo } from './pod-info.ts';
import { addResource, cloneResource, emptyResource, nodeAllocatable, type Resource } from './resources.ts';
import { nodeTaints, type Taint } from './taints.ts';

const anyIP = '0.0.0.0';

export interface HostPort {
  hostIP: string;
  protocol: string;
  hostPort: number;
}

/** The host ports a pod's containers ask for (hostPort > 0). */
export function podHostPorts(pod: KubeObject): HostPort[] {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const out: HostPort[] = [];
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) {
    if (!isObject(c) || !Array.isArray(c.ports)) continue;
    for (const p of c.ports) {
      if (!isObject(p) || typeof p.hostPort !== 'number' || p.hostPort <= 0) continue;
      out.push({
        hostIP: typeof p.hostIP === 'string' && p.hostIP ? p.hostIP : anyIP,
        protocol: typeof p.protocol === 'string' && p.protocol ? p.protocol : 'TCP',
        hostPort: p.hostPort,
      });
    }
  }
  return out;
}

/** Host ports in use on a node, by IP (upstream's HostPortInfo), counted so removal is exact. */
export class HostPortInfo {
  private readonly byIP = new Map<string, Map<string, number>>();

  add(p: HostPort, sign: 1 | -1 = 1): void {
    const key = `${p.protocol}/${p.hostPort}`;
    const ports = this.byIP.get(p.hostIP) ?? new Map<string, number>();
    const n = (ports.get(key) ?? 0) + sign;
    if (n > 0) ports.set(key, n);
    else ports.delete(key);
    if (ports.size > 0) this.byIP.set(p.hostIP, ports);
    else this.byIP.delete(p.hostIP);
  }

  /** 0.0.0.0 conflicts with the port on any IP; another IP with itself and 0.0.0.0. */
  conflicts(p: HostPort): boolean {
    const key = `${p.protocol}/${p.hostPort}`;
    if (p.hostIP === anyIP) return [...this.byIP.values()].some((m) => m.has(key));
    return [anyIP, p.hostIP].some((ip) => this.byIP.get(ip)?.has(key) === true);
  }

  get size(): number {
    let n = 0;
    for (const m of this.byIP.values()) n += m.size;
    return n;
  }

  clone(): HostPortInfo {
    const c = new HostPortInfo();
    for (const [ip, m] of this.byIP) c.byIP.set(ip, new Map(m));
    return c;
  }
}

let generations = 0;

export class NodeInfo {
  readonly name: string;
  node: KubeObject | undefined;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  usedPorts = new HostPortInfo();
  /** Sum of the pods' requests, assumed pods included. */
  requested: Resource = emptyResource();
  /** The same with upstream's non-zero cpu/memory defaults, for scoring. */
  nonZeroRequested: Resource = emptyResource();
  allocatable: Resource = emptyResource();
  generation = ++generations;

  constructor(name: string, node?: KubeObject) {
    this.name = name;
    if (node) this.setNode(node);
  }

  setNode(node: KubeObject): void {
    this.node = node;
    this.allocatable = nodeAllocatable(node);
    this.generation = ++generations;
  }

  get labels(): Record<string, string> {
    return this.node?.metadata.labels ?? {};
  }

  get taints(): Taint[] {
    return nodeTaints(this.node);
  }

  get unschedulable(): boolean {
    return isObject(this.node?.spec) && this.node.spec.unschedulable === true;
  }

  addPod(pi: PodInfo): void {
    this.pods.push(pi);
    if (pi.hasAffinity) this.podsWithAffinity.push(pi);
    if (pi.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity.push(pi);
    this.update(pi, 1);
  }

  /** Removes the pod with this uid; false when it is not here. */
  removePod(uid: string): boolean {
    const i = this.pods.findIndex((p) => p.uid === uid);
    if (i < 0) return false;
    const [pi] = this.pods.splice(i, 1);
    this.podsWithAffinity = this.podsWithAffinity.filter((p) => p.uid !== uid);
    this.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.filter((p) => p.uid !== uid);
    this.update(pi!, -1);
    return true;
  }

  private update(pi: PodInfo, sign: 1 | -1): void {
    addResource(this.requested, pi.requests, sign);
    this.nonZeroRequested.milliCPU += sign * pi.nonZero.milliCPU;
    this.nonZeroRequested.memory += sign * pi.nonZero.memory;
    for (const p of podHostPorts(pi.pod)) this.usedPorts.add(p, sign);
    this.generation = ++generations;
  }

  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.allocatable = this.allocatable;
    c.pods = [...this.pods];
    c.podsWithAffinity = [...this.podsWithAffinity];
    c.podsWithRequiredAntiAffinity = [...this.podsWithRequiredAntiAffinity];
    c.usedPorts = this.usedPorts.clone();
    c.requested = cloneResource(this.requested);
    c.nonZeroRequested = cloneResource(this.nonZeroRequested);
    c.generation = this.generation;
    return c;
  }
}
