import type { Logger } from 'pino';
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { fromLabelSelectorObject, type LabelSelector } from '../../api/selectors/index.ts';
import { claimCandidates, controllerUidIndex, indexForClaims } from '../../client/indexes.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import { EventRecorder } from '../events.ts';
import { runWorkers } from '../run-workers.ts';
import { claimObjects, controllerOf, newControllerRef, recheckDeletion } from '../util/controller-ref.ts';
import { keyOf } from '../util/pods.ts';
import type { Deployment, Pod, ReplicaSet } from '../util/types.ts';
import type { SyncContext } from './context.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { rolloutRecreate } from './recreate.ts';
import { rollback, rollbackTo } from './rollback.ts';
import { rolloutRolling } from './rolling.ts';
import { syncDeploymentStatus } from './status.ts';
import { checkPausedConditions, isScalingEvent, sync } from './sync.ts';

function selectorOf(o: { spec: { selector?: Deployment['spec']['selector'] } }): LabelSelector | undefined {
  try {
    return fromLabelSelectorObject(o.spec.selector);
  } catch {
    return undefined;
  }
}

/**
 * Upstream's Deployment controller: owns ReplicaSets named `<deployment>-<pod-template-hash>`,
 * rolls out template changes by RollingUpdate or Recreate, keeps revisions and history,
 * scales proportionally, pauses, and reports Progressing and Available.
 */
export class DeploymentController {
  readonly queue = new WorkQueue<string>();
  private readonly dInformer: InformerHandle;
  private readonly rsInformer: InformerHandle;
  private readonly podInformer: InformerHandle;
  private readonly registry: Registry;
  private readonly log: Logger;
  private readonly workers: number;
  private readonly context: SyncContext;

  constructor(registry: Registry, log: Logger, options: { workers?: number } = {}) {
    this.registry = registry;
    this.log = log.child({ controller: 'deployment' });
    this.workers = options.workers ?? 5;
    this.dInformer = sharedInformers(registry).forStore(registry.byResource('apps', 'deployments')!);
    this.rsInformer = sharedInformers(registry).forStore(registry.byResource('apps', 'replicasets')!);
    this.podInformer = sharedInformers(registry).forStore(registry.byResource('', 'pods')!);
    indexForClaims(this.rsInformer);
    indexForClaims(this.podInformer);
    this.context = {
      registry,
      recorder: new EventRecorder(registry, 'deployment-controller', this.log),
      log: this.log,
      cachedReplicaSet: (key) => this.rsInformer.get(key) as ReplicaSet | undefined,
      enqueueAfter: (d, ms) => this.queue.addAfter(keyOf(d), ms),
      enqueueRateLimited: (d) => this.queue.addRateLimited(keyOf(d)),
    };
    const enqueue = (d: KubeObject) => this.queue.add(keyOf(d));
    this.dInformer.addHandler({ add: enqueue, update: (_old, d) => enqueue(d), delete: enqueue });
    this.rsInformer.addHandler({
      add: (rs) => this.addReplicaSet(rs as ReplicaSet),
      update: (old, cur) => this.updateReplicaSet(old as ReplicaSet, cur as ReplicaSet),
      delete: (rs) => this.enqueueOwner(rs, controllerOf(rs)),
    });
    this.podInformer.addHandler({ delete: (pod) => this.deletePod(pod as Pod) });
  }

  async start(): Promise<void> {
    await Promise.all([this.dInformer.start(), this.rsInformer.start(), this.podInformer.start()]);
    void runWorkers(this.queue, (key) => this.sync(key), this.workers, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    this.dInformer.stop();
    this.rsInformer.stop();
    this.podInformer.stop();
  }

  private resolve(namespace: string | undefined, ref: OwnerReference | undefined): Deployment | undefined {
    if (ref?.kind !== 'Deployment') return undefined;
    const d = this.dInformer.get(`${namespace}/${ref.name}`);
    return d?.metadata.uid === ref.uid ? (d as Deployment) : undefined;
  }

  private enqueueOwner(obj: KubeObject, ref: OwnerReference | undefined): void {
    const d = this.resolve(obj.metadata.namespace, ref);
    if (d) this.queue.add(keyOf(d));
  }

  /** Deployments whose (non-empty) selector matches an orphan ReplicaSet's labels. */
  private enqueueAdopters(rs: ReplicaSet): void {
    for (const d of this.dInformer.list() as Deployment[]) {
      if (d.metadata.namespace !== rs.metadata.namespace) continue;
      const selector = selectorOf(d);
      if (selector && !selector.isEverything() && selector.matches(rs.metadata.labels ?? {})) {
        this.queue.add(keyOf(d));
      }
    }
  }

  private addReplicaSet(rs: ReplicaSet): void {
    const ref = controllerOf(rs);
    if (rs.metadata.deletionTimestamp || ref) {
      this.enqueueOwner(rs, ref);
      return;
    }
    this.enqueueAdopters(rs);
  }

  private updateReplicaSet(old: ReplicaSet, cur: ReplicaSet): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) this.enqueueOwner(old, oldRef);
    if (curRef) {
      this.enqueueOwner(cur, curRef);
      return;
    }
    const labelsChanged =
      JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || refChanged) this.enqueueAdopters(cur);
  }

  /** A Recreate rollout waits for the old pods to go: look again as they do. */
  private deletePod(pod: Pod): void {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.get(`${pod.metadata.namespace}/${ref.name}`) as ReplicaSet | undefined;
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.resolve(rs.metadata.namespace, controllerOf(rs));
    if (d?.spec.strategy?.type === 'Recreate') this.queue.add(keyOf(d));
  }

  /** The ReplicaSets this Deployment controls, after adoption and release. */
  private async replicaSetsFor(d: Deployment, selector: LabelSelector): Promise<ReplicaSet[]> {
    const candidates = claimCandidates(this.rsInformer, d) as ReplicaSet[];
    return claimObjects(
      {
        owner: d,
        ownerRef: newControllerRef(d, 'apps/v1', 'Deployment'),
        store: this.registry.byResource('apps', 'replicasets')!,
        matches: (rs) => selector.matches(rs.metadata.labels ?? {}),
        canAdopt: recheckDeletion(this.registry.byResource('apps', 'deployments')!, d),
      },
      candidates,
    );
  }

  /** The Deployment's pods grouped by the ReplicaSet controlling them (finished ones included). */
  private podMap(d: Deployment, selector: LabelSelector, rsList: ReplicaSet[]): Map<string, Pod[]> {
    const map = new Map<string, Pod[]>(rsList.map((rs) => [rs.metadata.uid!, []]));
    for (const [uid, pods] of map) {
      for (const pod of this.podInformer.byIndex(controllerUidIndex, uid) as Pod[]) {
        if (pod.metadata.namespace === d.metadata.namespace && selector.matches(pod.metadata.labels ?? {}))
          pods.push(pod);
      }
    }
    return map;
  }

  async sync(key: string): Promise<void> {
    const cached = this.dInformer.get(key) as Deployment | undefined;
    if (!cached) return;
    const d = structuredClone(cached);
    const c = this.context;
    const selector = selectorOf(d);
    if (!selector) return;
    if (selector.isEverything()) {
      void c.recorder.record(
        d,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      return;
    }
    const rsList = await this.replicaSetsFor(d, selector);
    const podMap = this.podMap(d, selector, rsList);
    if (d.metadata.deletionTimestamp) {
      const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(c, d, rsList, false);
      return syncDeploymentStatus(c, [...oldRSs, newRS], newRS, d);
    }
    await checkPausedConditions(c, d);
    if (d.spec.paused) return sync(c, d, rsList);
    if (rollbackTo(d) !== undefined) return rollback(c, d, rsList);
    if (await isScalingEvent(c, d, rsList)) return sync(c, d, rsList);
    if (d.spec.strategy?.type === 'Recreate') return rolloutRecreate(c, d, rsList, podMap);
    return rolloutRolling(c, d, rsList);
  }
}
