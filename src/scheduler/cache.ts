/**
 * The scheduler cache (upstream's backend/cache): node infos with their pods, including pods
 * assumed onto a node between the bind request and the informer confirming it. An assumed
 * pod whose binding finished but never showed up expires after `assumedTTLMs`.
 */
import type { KubeObject } from '../api/object.ts';
import type { SnapshotLister } from './framework.ts';
import { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';

interface PodState {
  podInfo: PodInfo;
  /** When an assumed pod may be dropped; undefined until its binding finished. */
  deadline?: number;
}

export interface CacheOptions {
  readonly assumedTTLMs?: number;
  readonly now?: () => number;
}

export class SchedulerCache implements SnapshotLister {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private readonly assumed = new Set<string>();
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(options: CacheOptions = {}) {
    this.ttl = options.assumedTTLMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
  }

  private nodeInfo(name: string): NodeInfo {
    let n = this.nodes.get(name);
    if (!n) {
      n = new NodeInfo(name);
      this.nodes.set(name, n);
    }
    return n;
  }

  addNode(node: KubeObject): void {
    this.nodeInfo(node.metadata.name ?? '').setNode(node);
  }

  updateNode(node: KubeObject): void {
    this.addNode(node);
  }

  /** The node goes; its info stays while pods still point at it. */
  removeNode(node: KubeObject): void {
    const name = node.metadata.name ?? '';
    const n = this.nodes.get(name);
    if (!n) return;
    if (n.pods.length === 0) this.nodes.delete(name);
    else n.node = undefined;
  }

  private place(pi: PodInfo): void {
    this.nodeInfo(pi.nodeName).addPod(pi);
  }

  private unplace(pi: PodInfo): void {
    const n = this.nodes.get(pi.nodeName);
    if (!n) return;
    n.removePod(pi.uid);
    if (!n.node && n.pods.length === 0) this.nodes.delete(pi.nodeName);
  }

  isAssumed(uid: string): boolean {
    return this.assumed.has(uid);
  }

  /** Counts the pod (with spec.nodeName set) on its node before the binding is confirmed. */
  assumePod(pi: PodInfo): void {
    if (this.podStates.has(pi.uid))
      throw new Error(`pod ${pi.key} (${pi.uid}) is in the cache, so can't be assumed`);
    this.place(pi);
    this.podStates.set(pi.uid, { podInfo: pi });
    this.assumed.add(pi.uid);
  }

  /** The bind call returned: from now the assumption may expire. */
  finishBinding(pi: PodInfo): void {
    const s = this.podStates.get(pi.uid);
    if (s && this.assumed.has(pi.uid)) s.deadline = this.now() + this.ttl;
  }

  /** The binding failed: the assumed pod no longer counts. */
  forgetPod(pi: PodInfo): void {
    const s = this.podStates.get(pi.uid);
    if (!s || !this.assumed.has(pi.uid)) return;
    this.unplace(s.podInfo);
    this.podStates.delete(pi.uid);
    this.assumed.delete(pi.uid);
  }

  /** An assigned pod from the informer: confirms an assumed one, or adds it. */
  addPod(pi: PodInfo): void {
    const s = this.podStates.get(pi.uid);
    if (s) this.unplace(s.podInfo);
    this.place(pi);
    this.podStates.set(pi.uid, { podInfo: pi });
    this.assumed.delete(pi.uid);
  }

  updatePod(pi: PodInfo): void {
    this.addPod(pi);
  }

  removePod(uid: string): void {
    const s = this.podStates.get(uid);
    if (!s) return;
    this.unplace(s.podInfo);
    this.podStates.delete(uid);
    this.assumed.delete(uid);
  }

  getPod(uid: string): PodInfo | undefined {
    return this.podStates.get(uid)?.podInfo;
  }

  /** Drops assumed pods whose binding finished longer than the TTL ago; returns them. */
  cleanupExpiredAssumedPods(): PodInfo[] {
    const now = this.now();
    const expired: PodInfo[] = [];
    for (const uid of this.assumed) {
      const s = this.podStates.get(uid);
      if (s?.deadline !== undefined && s.deadline <= now) expired.push(s.podInfo);
    }
    for (const pi of expired) this.removePod(pi.uid);
    return expired;
  }

  list(): NodeInfo[] {
    return [...this.nodes.values()].filter((n) => n.node !== undefined);
  }

  get(name: string): NodeInfo | undefined {
    const n = this.nodes.get(name);
    return n?.node ? n : undefined;
  }

  havePodsWithAffinity(): NodeInfo[] {
    return this.list().filter((n) => n.podsWithAffinity.length > 0);
  }

  havePodsWithRequiredAntiAffinity(): NodeInfo[] {
    return this.list().filter((n) => n.podsWithRequiredAntiAffinity.length > 0);
  }

  get podCount(): number {
    return this.podStates.size;
  }
}
