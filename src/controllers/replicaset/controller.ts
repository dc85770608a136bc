import type { Logger } from 'pino';
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { fromLabelSelectorObject, type LabelSelector } from '../../api/selectors/index.ts';
import { isStatusError } from '../../api/status.ts';
import { claimCandidates, indexByNamespace, indexForClaims, inNamespace } from '../../client/indexes.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import { EventRecorder } from '../events.ts';
import { runWorkers } from '../run-workers.ts';
import { podsToDelete } from '../util/active-pods.ts';
import { claimObjects, controllerOf, newControllerRef, recheckDeletion } from '../util/controller-ref.ts';
import { Expectations } from '../util/expectations.ts';
import { namespaceTerminating, PodControl } from '../util/pod-control.ts';
import { isPodActive, isPodReady, keyOf, podKey } from '../util/pods.ts';
import { slowStartBatch } from '../util/slow-start.ts';
import { type Pod, type ReplicaSet, replicasOf } from '../util/types.ts';
import { calculateStatus, statusChanged, wireStatus } from './status.ts';

/** A ReplicaSet pauses after this many creates or deletes until it sees them (upstream's BurstReplicas). */
export const burstReplicas = 500;

function selectorOf(rs: ReplicaSet): LabelSelector | undefined {
  try {
    return fromLabelSelectorObject(rs.spec.selector);
  } catch {
    return undefined;
  }
}

/**
 * Upstream's ReplicaSet controller: keeps spec.replicas pods that match the selector, adopting
 * orphans and releasing pods that stopped matching, creating in slow-start batches and
 * deleting the least valuable pods first, and reports the counts in status.
 */
export class ReplicaSetController {
  readonly queue = new WorkQueue<string>();
  readonly expectations = new Expectations();
  private readonly rsInformer: InformerHandle;
  private readonly podInformer: InformerHandle;
  private readonly registry: Registry;
  private readonly podControl: PodControl;
  private readonly log: Logger;
  private readonly workers: number;

  constructor(registry: Registry, log: Logger, options: { workers?: number } = {}) {
    this.registry = registry;
    this.log = log.child({ controller: 'replicaset' });
    this.workers = options.workers ?? 5;
    this.podControl = new PodControl(
      registry,
      new EventRecorder(registry, 'replicaset-controller', this.log),
    );
    this.rsInformer = sharedInformers(registry).forStore(registry.byResource('apps', 'replicasets')!);
    this.podInformer = sharedInformers(registry).forStore(registry.byResource('', 'pods')!);
    indexForClaims(this.podInformer);
    indexByNamespace(this.podInformer);
    this.rsInformer.addHandler({
      add: (rs) => this.queue.add(keyOf(rs)),
      update: (old, cur) => {
        if (old.metadata.uid !== cur.metadata.uid) this.expectations.delete(keyOf(old));
        this.queue.add(keyOf(cur));
      },
      delete: (rs) => {
        this.expectations.delete(keyOf(rs));
        this.queue.add(keyOf(rs));
      },
    });
    this.podInformer.addHandler({
      add: (pod) => this.addPod(pod as Pod),
      update: (old, cur) => this.updatePod(old as Pod, cur as Pod),
      delete: (pod) => this.deletePod(pod as Pod),
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.rsInformer.start(), this.podInformer.start()]);
    void runWorkers(this.queue, (key) => this.sync(key), this.workers, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    this.rsInformer.stop();
    this.podInformer.stop();
  }

  /** The ReplicaSet a controller reference points at, if it is in the cache with that UID. */
  private resolve(namespace: string | undefined, ref: OwnerReference | undefined): ReplicaSet | undefined {
    if (ref?.kind !== 'ReplicaSet') return undefined;
    const rs = this.rsInformer.get(`${namespace}/${ref.name}`);
    return rs?.metadata.uid === ref.uid ? (rs as ReplicaSet) : undefined;
  }

  /** ReplicaSets whose (non-empty) selector matches an orphan's labels: candidates to adopt it. */
  private replicaSetsFor(pod: Pod): ReplicaSet[] {
    return (this.rsInformer.list() as ReplicaSet[]).filter((rs) => {
      if (rs.metadata.namespace !== pod.metadata.namespace) return false;
      const selector = selectorOf(rs);
      return !!selector && !selector.isEverything() && selector.matches(pod.metadata.labels ?? {});
    });
  }

  private addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      this.deletePod(pod);
      return;
    }
    const ref = controllerOf(pod);
    if (ref) {
      const rs = this.resolve(pod.metadata.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(keyOf(rs));
      this.queue.add(keyOf(rs));
      return;
    }
    for (const rs of this.replicaSetsFor(pod)) this.queue.add(keyOf(rs));
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged =
      JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // A graceful deletion: act now rather than when the kubelet finally removes the pod.
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const rs = this.resolve(old.metadata.namespace, oldRef);
      if (rs) this.queue.add(keyOf(rs));
    }
    if (curRef) {
      const rs = this.resolve(cur.metadata.namespace, curRef);
      if (!rs) return;
      this.queue.add(keyOf(rs));
      const minReady = rs.spec.minReadySeconds ?? 0;
      // Available needs minReadySeconds of readiness: look again once that has passed.
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) {
        this.queue.addAfter(keyOf(rs), (minReady + 1) * 1000);
      }
      return;
    }
    if (labelsChanged || refChanged) for (const rs of this.replicaSetsFor(cur)) this.queue.add(keyOf(rs));
  }

  private deletePod(pod: Pod): void {
    const rs = this.resolve(pod.metadata.namespace, controllerOf(pod));
    if (!rs) return;
    this.expectations.deletionObserved(keyOf(rs), podKey(pod));
    this.queue.add(keyOf(rs));
  }

  async sync(key: string): Promise<void> {
    const cached = this.rsInformer.get(key) as ReplicaSet | undefined;
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const rs = structuredClone(cached);
    const needsSync = this.expectations.satisfied(key);
    const selector = selectorOf(rs);
    if (!selector) {
      this.log.warn({ key }, 'invalid selector');
      return;
    }
    const active = (claimCandidates(this.podInformer, rs) as Pod[]).filter(isPodActive);
    const pods = await claimObjects(
      {
        owner: rs,
        ownerRef: newControllerRef(rs, 'apps/v1', 'ReplicaSet'),
        store: this.registry.byResource('', 'pods')!,
        matches: (p) => selector.matches(p.metadata.labels ?? {}),
        canAdopt: recheckDeletion(this.registry.byResource('apps', 'replicasets')!, rs),
      },
      active,
    );
    let manageError: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(pods, rs);
      } catch (e) {
        manageError = e;
      }
    }
    const updated = await this.updateStatus(rs, calculateStatus(rs, pods, manageError));
    const minReady = updated.spec.minReadySeconds ?? 0;
    const status = updated.status ?? {};
    // A last line of defence against clock skew: look again once the pods should be available.
    if (
      !manageError &&
      minReady > 0 &&
      (status.readyReplicas ?? 0) === replicasOf(updated) &&
      (status.availableReplicas ?? 0) !== replicasOf(updated)
    ) {
      this.queue.addAfter(key, minReady * 1000);
    }
    if (manageError) throw manageError;
  }

  private async manageReplicas(pods: Pod[], rs: ReplicaSet): Promise<void> {
    const key = keyOf(rs);
    const diff = pods.length - replicasOf(rs);
    if (diff < 0) {
      const count = Math.min(-diff, burstReplicas);
      this.expectations.expectCreations(key, count);
      const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
      const { successes, error } = await slowStartBatch(count, 1, async () => {
        try {
          await this.podControl.createPod(rs.metadata.namespace!, rs.spec.template ?? {}, rs, ref);
        } catch (e) {
          // Every create fails in a terminating namespace: nothing to retry.
          if (!namespaceTerminating((e as Error).cause)) throw e;
        }
      });
      // The creates never attempted will not be seen either.
      for (let i = successes; i < count; i++) this.expectations.creationObserved(key);
      if (error) throw error;
    } else if (diff > 0) {
      const count = Math.min(diff, burstReplicas);
      const victims = podsToDelete(pods, this.relatedPods(rs), count);
      this.expectations.expectDeletions(key, victims.map(podKey));
      const errors = await Promise.all(
        victims.map(async (pod) => {
          try {
            await this.podControl.deletePod(rs.metadata.namespace!, pod.metadata.name!, rs);
          } catch (e) {
            this.expectations.deletionObserved(key, podKey(pod));
            if (!(isStatusError(e) && e.code === 404)) return e;
          }
          return undefined;
        }),
      );
      const first = errors.find((e) => e !== undefined);
      if (first) throw first;
    }
  }

  /**
   * Pods of every ReplicaSet with the same controller as `rs` (to spread deletions across
   * nodes); none for a ReplicaSet without a controller, as upstream.
   */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerOf(rs);
    const family = owner
      ? (this.rsInformer.list() as ReplicaSet[]).filter(
          (o) => o.metadata.namespace === rs.metadata.namespace && controllerOf(o)?.uid === owner.uid,
        )
      : [];
    const seen = new Set<string>();
    const related: Pod[] = [];
    for (const member of family) {
      const selector = selectorOf(member);
      if (!selector) continue;
      for (const p of inNamespace(this.podInformer, rs.metadata.namespace) as Pod[]) {
        if (seen.has(p.metadata.uid!)) continue;
        if (!selector.matches(p.metadata.labels ?? {})) continue;
        seen.add(p.metadata.uid!);
        related.push(p);
      }
    }
    return related;
  }

  /** Writes status through the status subresource unless nothing changed. */
  private async updateStatus(rs: ReplicaSet, next: ReturnType<typeof calculateStatus>): Promise<ReplicaSet> {
    if (!statusChanged(rs, next)) return rs;
    const status = wireStatus({ ...next, observedGeneration: rs.metadata.generation ?? 0 });
    const store = this.registry.byResource('apps', 'replicasets')!;
    const { object } = await store.guaranteedUpdate(
      rs.metadata.namespace,
      rs.metadata.name!,
      (cur) => {
        if (!cur || cur.metadata.uid !== rs.metadata.uid) throw new Error(`replicaset ${keyOf(rs)} is gone`);
        return { ...cur, status } as KubeObject;
      },
      { subresource: 'status' },
    );
    return object as ReplicaSet;
  }
}
