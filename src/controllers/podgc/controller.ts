import type { Logger } from 'pino';
import { isObject, type KubeObject } from '../../api/object.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import type { Registry } from '../../registry/registry.ts';
import { markFailedAndDeletePod } from './pod-conditions.ts';

export interface PodGCOptions {
  /** Terminated pods kept before the oldest are deleted (kube-controller-manager's default). */
  readonly terminatedPodThreshold?: number;
  readonly checkPeriodMs?: number;
  /** How long a node must stay missing before its pods are deleted. */
  readonly quarantineMs?: number;
  readonly now?: () => number;
}

const status = (p: KubeObject) => (isObject(p.status) ? p.status : {});
const spec = (p: KubeObject) => (isObject(p.spec) ? p.spec : {});
const nodeName = (p: KubeObject) =>
  typeof spec(p).nodeName === 'string' ? (spec(p).nodeName as string) : '';
const isTerminated = (p: KubeObject) =>
  !['Pending', 'Running', 'Unknown'].includes(String(status(p).phase ?? ''));
const isEvicted = (p: KubeObject) => status(p).phase === 'Failed' && status(p).reason === 'Evicted';

/** upstream's byEvictionAndCreationTimestamp: evicted first, then oldest, then by name. */
export function deletionOrder(a: KubeObject, b: KubeObject): number {
  if (isEvicted(a) !== isEvicted(b)) return isEvicted(a) ? -1 : 1;
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

function isNodeReady(node: KubeObject): boolean {
  const conditions = Array.isArray(status(node).conditions)
    ? (status(node).conditions as Record<string, unknown>[])
    : [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

const hasTaint = (node: KubeObject, key: string) =>
  (Array.isArray(spec(node).taints) ? (spec(node).taints as { key?: string }[]) : []).some(
    (t) => t.key === key,
  );

/**
 * upstream's PodGC controller (1.32), every 20 s: terminated pods beyond the threshold
 * (oldest first), terminating pods on not-ready nodes tainted out-of-service, pods bound to
 * nodes gone for 40 s, and terminating pods never scheduled. Each is marked Failed, then
 * force-deleted.
 */
export class PodGCController {
  readonly pods: InformerHandle;
  readonly nodes: InformerHandle;
  private readonly registry: Registry;
  private readonly log: Logger;
  private readonly threshold: number;
  private readonly periodMs: number;
  private readonly quarantineMs: number;
  private readonly now: () => number;
  private readonly missingSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(registry: Registry, log: Logger, options: PodGCOptions = {}) {
    this.registry = registry;
    this.log = log.child({ controller: 'pod-garbage-collector' });
    this.threshold = options.terminatedPodThreshold ?? 12500;
    this.periodMs = options.checkPeriodMs ?? 20_000;
    this.quarantineMs = options.quarantineMs ?? 40_000;
    this.now = options.now ?? Date.now;
    this.pods = sharedInformers(this.registry).forStore(registry.byResource('', 'pods')!);
    this.nodes = sharedInformers(this.registry).forStore(registry.byResource('', 'nodes')!);
  }

  async start(): Promise<void> {
    await Promise.all([this.pods.start(), this.nodes.start()]);
    this.timer = setInterval(() => void this.gc(), this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.pods.stop();
    this.nodes.stop();
  }

  /** One pass; returns how many pods it deleted. */
  async gc(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const pods = this.pods.list();
      let n = 0;
      if (this.threshold > 0) n += await this.deleteAll(this.terminatedOverThreshold(pods), 'terminated');
      n += await this.deleteAll(this.terminatingOutOfService(pods), 'terminating on an out-of-service node');
      n += await this.deleteAll(await this.orphaned(pods), 'orphaned', {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'DeletionByPodGC',
        message: 'PodGC: node no longer exists',
      });
      n += await this.deleteAll(
        pods.filter((p) => p.metadata.deletionTimestamp && !nodeName(p)),
        'unscheduled terminating',
      );
      return n;
    } finally {
      this.running = false;
    }
  }

  private async deleteAll(
    pods: KubeObject[],
    why: string,
    condition?: Parameters<typeof markFailedAndDeletePod>[2],
  ) {
    let n = 0;
    await Promise.all(
      pods.map(async (pod) => {
        try {
          await markFailedAndDeletePod(this.registry, pod, condition);
          n++;
          this.log.info(
            { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, why },
            'PodGC is force deleting Pod',
          );
        } catch (err) {
          this.log.warn({ err, pod: pod.metadata.name }, 'PodGC could not delete a pod');
        }
      }),
    );
    return n;
  }

  terminatedOverThreshold(pods: KubeObject[]): KubeObject[] {
    const terminated = pods.filter(isTerminated);
    const excess = terminated.length - this.threshold;
    return excess > 0 ? terminated.sort(deletionOrder).slice(0, excess) : [];
  }

  terminatingOutOfService(pods: KubeObject[]): KubeObject[] {
    return pods
      .filter((p) => {
        if (!p.metadata.deletionTimestamp) return false;
        const node = this.nodes.get(nodeName(p));
        return (
          node !== undefined && !isNodeReady(node) && hasTaint(node, 'node.kubernetes.io/out-of-service')
        );
      })
      .sort(deletionOrder);
  }

  /** Pods on nodes missing for the quarantine time (checked against storage, not the cache). */
  async orphaned(pods: KubeObject[]): Promise<KubeObject[]> {
    const now = this.now();
    const missing = new Set(pods.map(nodeName).filter((n) => n && !this.nodes.get(n)));
    for (const name of missing) if (!this.missingSince.has(name)) this.missingSince.set(name, now);
    const gone = new Set<string>();
    for (const [name, since] of this.missingSince) {
      if (!missing.has(name)) {
        this.missingSince.delete(name);
        continue;
      }
      if (now - since < this.quarantineMs) continue;
      const exists = await this.registry
        .byResource('', 'nodes')!
        .get(undefined, name)
        .then(() => true)
        .catch(() => false);
      if (!exists) gone.add(name);
      this.missingSince.delete(name);
    }
    return pods.filter((p) => gone.has(nodeName(p)));
  }
}
