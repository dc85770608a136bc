/**
 * The scheduling queue (upstream's internal/queue/scheduling_queue.go, without queueing
 * hints): activeQ ordered by priority then time, backoffQ with per-pod exponential backoff
 * (1s doubling to 10s), and unschedulable pods that wait for a cluster event a plugin that
 * rejected them cares about, or for five minutes. Pods with scheduling gates wait there too.
 */
import type { KubeObject } from '../api/object.ts';
import type { ClusterEvent } from './framework.ts';
import { Heap } from './heap.ts';
import { Nominator } from './nominator.ts';
import type { PodInfo } from './pod-info.ts';

export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When the pod was added or last failed. */
  timestamp: number;
  attempts: number;
  initialAttemptTimestamp?: number;
  unschedulablePlugins: Set<string>;
  gated: boolean;
  updatedWhileInFlight: boolean;
}

export interface QueueOptions {
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly maxInUnschedulableMs?: number;
  readonly now?: () => number;
  /** Which cluster events each plugin registered for. */
  readonly pluginEvents?: ReadonlyMap<string, ReadonlySet<ClusterEvent>>;
}

const isGated = (pi: PodInfo) => Array.isArray(pi.spec.schedulingGates) && pi.spec.schedulingGates.length > 0;

/** Whether anything but status and bookkeeping metadata changed (upstream's isPodUpdated). */
export function isPodUpdated(old: KubeObject, now: KubeObject): boolean {
  const strip = (p: KubeObject) => {
    const { resourceVersion: _rv, generation: _g, managedFields: _m, finalizers: _f, ...meta } = p.metadata;
    return JSON.stringify({ ...p, metadata: meta, status: undefined });
  };
  return strip(old) !== strip(now);
}

export class SchedulingQueue {
  readonly nominator = new Nominator();
  private readonly activeQ: Heap<QueuedPodInfo>;
  private readonly backoffQ: Heap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private readonly waiters: ((q: { qpi: QueuedPodInfo; cycle: number } | undefined) => void)[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxInUnschedulable: number;
  private readonly now: () => number;
  private readonly pluginEvents: ReadonlyMap<string, ReadonlySet<ClusterEvent>>;
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private closed = false;

  constructor(options: QueueOptions = {}) {
    this.initialBackoff = options.initialBackoffMs ?? 1000;
    this.maxBackoff = options.maxBackoffMs ?? 10_000;
    this.maxInUnschedulable = options.maxInUnschedulableMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.pluginEvents = options.pluginEvents ?? new Map();
    const key = (q: QueuedPodInfo) => q.podInfo.key;
    this.activeQ = new Heap(key, (a, b) =>
      a.podInfo.priority !== b.podInfo.priority
        ? a.podInfo.priority > b.podInfo.priority
        : a.timestamp < b.timestamp,
    );
    this.backoffQ = new Heap(key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** Starts the periodic flushes: backoffQ every second, leftover unschedulable pods every 30s. */
  run(): void {
    const every = (ms: number, f: () => void) => {
      const t = setInterval(f, ms);
      t.unref();
      this.timers.push(t);
    };
    every(1000, () => this.flushBackoffQCompleted());
    every(30_000, () => this.flushUnschedulablePodsLeftover());
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** 1s, 2s, 4s, … up to 10s, by attempts. */
  backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoff;
    for (let i = 1; i < q.attempts; i++) {
      if (d > this.maxBackoff - d) return this.maxBackoff;
      d += d;
    }
    return d;
  }

  backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  private isBackingOff(q: QueuedPodInfo): boolean {
    return this.backoffExpiry(q) > this.now();
  }

  private newQueued(pi: PodInfo): QueuedPodInfo {
    return {
      podInfo: pi,
      timestamp: this.now(),
      attempts: 0,
      unschedulablePlugins: new Set(),
      gated: false,
      updatedWhileInFlight: false,
    };
  }

  /** PreEnqueue (scheduling gates), then activeQ. */
  private toActiveQ(q: QueuedPodInfo): void {
    q.gated = isGated(q.podInfo);
    if (q.gated) {
      this.unschedulable.set(q.podInfo.key, q);
      return;
    }
    this.unschedulable.delete(q.podInfo.key);
    this.backoffQ.delete(q.podInfo.key);
    this.activeQ.push(q);
    this.wake();
  }

  add(pi: PodInfo): void {
    this.unschedulable.delete(pi.key);
    this.backoffQ.delete(pi.key);
    this.toActiveQ(this.newQueued(pi));
    this.nominator.add(pi);
  }

  update(old: PodInfo, pi: PodInfo): void {
    const key = pi.key;
    const queued = this.activeQ.get(key) ?? this.backoffQ.get(key);
    const u = this.unschedulable.get(key);
    const f = this.inFlight.get(key);
    if (queued || u || f) this.nominator.update(old, pi);
    if (queued) {
      queued.podInfo = pi;
      (this.activeQ.has(key) ? this.activeQ : this.backoffQ).push(queued);
    } else if (u) {
      const changed = isPodUpdated(old.pod, pi.pod);
      u.podInfo = pi;
      if (u.gated) this.toActiveQ(u);
      else if (changed) this.requeue(u);
    } else if (f) {
      f.updatedWhileInFlight ||= isPodUpdated(old.pod, pi.pod);
    } else this.add(pi);
  }

  delete(pi: PodInfo): void {
    this.activeQ.delete(pi.key);
    this.backoffQ.delete(pi.key);
    this.unschedulable.delete(pi.key);
    this.nominator.delete(pi.uid);
  }

  /** The highest-priority pod, waiting for one; undefined once closed. */
  pop(): Promise<{ qpi: QueuedPodInfo; cycle: number } | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    if (this.activeQ.length > 0) return Promise.resolve(this.take());
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private take(): { qpi: QueuedPodInfo; cycle: number } {
    const qpi = this.activeQ.pop()!;
    qpi.attempts++;
    qpi.initialAttemptTimestamp ??= this.now();
    qpi.updatedWhileInFlight = false;
    this.schedulingCycle++;
    this.inFlight.set(qpi.podInfo.key, qpi);
    return { qpi, cycle: this.schedulingCycle };
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.activeQ.length > 0) this.waiters.shift()!(this.take());
  }

  /** The pod's scheduling attempt is over (it was bound, requeued or dropped). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * A failed pod goes back: to backoffQ when something changed while it was being scheduled
   * (or it failed with an error), else to the unschedulable pods.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, cycle: number): void {
    const key = q.podInfo.key;
    const flight = this.inFlight.get(key);
    this.inFlight.delete(key);
    if (this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulable.has(key)) return;
    q.timestamp = this.now();
    const moved = this.moveRequestCycle >= cycle || flight?.updatedWhileInFlight === true;
    if (moved || q.unschedulablePlugins.size === 0) this.backoffQ.push(q);
    else this.unschedulable.set(key, q);
  }

  private requeue(q: QueuedPodInfo): void {
    this.unschedulable.delete(q.podInfo.key);
    if (this.isBackingOff(q)) this.backoffQ.push(q);
    else this.toActiveQ(q);
  }

  private worthRequeuing(q: QueuedPodInfo, event: ClusterEvent): boolean {
    if (event === 'UnschedulableTimeout' || q.unschedulablePlugins.size === 0) return true;
    for (const p of q.unschedulablePlugins) if (this.pluginEvents.get(p)?.has(event)) return true;
    return false;
  }

  /** A cluster event: unschedulable pods it may help go to activeQ or backoffQ. */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent): void {
    this.moveRequestCycle = this.schedulingCycle;
    for (const q of [...this.unschedulable.values()]) {
      if (!q.gated && this.worthRequeuing(q, event)) this.requeue(q);
    }
  }

  flushBackoffQCompleted(): void {
    for (let q = this.backoffQ.peek(); q && !this.isBackingOff(q); q = this.backoffQ.peek()) {
      this.backoffQ.pop();
      this.toActiveQ(q);
    }
  }

  flushUnschedulablePodsLeftover(): void {
    const now = this.now();
    for (const q of [...this.unschedulable.values()]) {
      if (!q.gated && now - q.timestamp > this.maxInUnschedulable) this.requeue(q);
    }
  }

  /** Counts per queue, for tests and debugging. */
  pending(): { active: number; backoff: number; unschedulable: number; gated: number } {
    const gated = [...this.unschedulable.values()].filter((q) => q.gated).length;
    return {
      active: this.activeQ.length,
      backoff: this.backoffQ.length,
      unschedulable: this.unschedulable.size - gated,
      gated,
    };
  }
}
