/**
 * Upstream's defaultStatefulSetControl: works out the current and update revisions, runs one
 * update pass with the pod and claim writes it needs, writes status, and trims history.
 */
import type { KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import type { Registry } from '../../registry/registry.ts';
import type { EventRecorder } from '../events.ts';
import { newControllerRef } from '../util/controller-ref.ts';
import { keyOf } from '../util/pods.ts';
import type { Pod } from '../util/types.ts';
import {
  type ControllerRevision,
  controllerRevisionHashLabel,
  createRevision,
  hashRevision,
  newRevisionObject,
  nextRevision,
  rawOf,
  revisionName,
  sortRevisions,
  templateOf,
  templatePatch,
} from './history.ts';
import {
  claimsFor,
  newStatefulSetPod,
  ordinalOf,
  podRevision,
  type StatefulSet,
  startOrdinal,
  updateIdentity,
  updateStorage,
} from './identity.ts';
import { completeRollingUpdate, type SetOps, type SetStatus, updateStatefulSet } from './update.ts';

export class StatefulSetControl {
  private readonly registry: Registry;
  private readonly recorder: EventRecorder;

  constructor(registry: Registry, recorder: EventRecorder) {
    this.registry = registry;
    this.recorder = recorder;
  }

  private store(group: string, plural: string) {
    return this.registry.byResource(group, plural)!;
  }

  /** getStatefulSetRevisions: the revision pods should be at now, and the one they move to. */
  async revisions(set: StatefulSet, history: ControllerRevision[], collision: { value: number }) {
    const revisions = sortRevisions(history);
    const raw = templatePatch(set.spec.template);
    const ref = newControllerRef(set, 'apps/v1', 'StatefulSet');
    const labels = set.spec.template?.metadata?.labels;
    const build = (count: number) => {
      const hash = hashRevision(raw, count);
      const rev = newRevisionObject(set, ref, labels, raw, nextRevision(revisions));
      rev.metadata.name = revisionName(set.metadata.name!, hash);
      rev.metadata.labels![controllerRevisionHashLabel] = hash;
      return rev;
    };
    const equal = revisions.filter((r) => rawOf(r) === raw);
    let update: ControllerRevision;
    const last = revisions.at(-1);
    if (equal.length > 0 && equal.at(-1) === last) {
      update = last!;
    } else if (equal.length > 0) {
      // Rolling back to an older template: that revision becomes the newest.
      const old = equal.at(-1)!;
      const { object } = await this.store('apps', 'controllerrevisions').guaranteedUpdate(
        old.metadata.namespace,
        old.metadata.name!,
        (cur) => ({ ...cur!, revision: nextRevision(revisions) }),
      );
      update = object as ControllerRevision;
    } else {
      update = await createRevision(this.store('apps', 'controllerrevisions'), build, collision);
    }
    const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return {
      current,
      update,
      revisions: [...revisions.filter((r) => r.metadata.name !== update.metadata.name), update],
    };
  }

  async sync(set: StatefulSet, pods: Pod[], history: ControllerRevision[]): Promise<void> {
    const collision = { value: set.status?.collisionCount ?? 0 };
    const { current, update, revisions } = await this.revisions(set, history, collision);
    const currentSet: StatefulSet = { ...set, spec: { ...set.spec, template: templateOf(current) } };
    const updateSet: StatefulSet = { ...set, spec: { ...set.spec, template: templateOf(update) } };
    const status: SetStatus = {
      observedGeneration: set.metadata.generation ?? 0,
      replicas: 0,
      readyReplicas: 0,
      currentReplicas: 0,
      updatedReplicas: 0,
      availableReplicas: 0,
      currentRevision: current.metadata.name!,
      updateRevision: update.metadata.name!,
      collisionCount: collision.value,
    };
    const ref = newControllerRef(set, 'apps/v1', 'StatefulSet');
    const partition = set.spec.updateStrategy?.rollingUpdate?.partition;
    const ops: SetOps = {
      newPod: (ordinal) => {
        // newVersionedStatefulSetPod: below the partition pods stay at the current revision.
        const rolling = (set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
        const keep =
          (rolling &&
            partition === undefined &&
            ordinal < startOrdinal(set) + (set.status?.currentReplicas ?? 0)) ||
          (partition !== undefined && ordinal < startOrdinal(set) + partition);
        return keep
          ? newStatefulSetPod(currentSet, ref, ordinal, current.metadata.name!)
          : newStatefulSetPod(updateSet, ref, ordinal, update.metadata.name!);
      },
      create: async (pod) => {
        await this.createClaims(set, pod);
        await this.podEvent(set, pod, 'create', () =>
          this.store('', 'pods').create(set.metadata.namespace, pod),
        );
      },
      fix: async (pod) => {
        await this.createClaims(set, pod);
        await this.podEvent(set, pod, 'update', () =>
          this.store('', 'pods').guaranteedUpdate(pod.metadata.namespace, pod.metadata.name!, (cur) => {
            const p = cur as Pod;
            if (!p || p.metadata.uid !== pod.metadata.uid) throw new Error(`pod ${keyOf(pod)} changed`);
            updateIdentity(set, p);
            updateStorage(set, p);
            return p;
          }),
        );
      },
      delete: async (pod, condemned) => {
        if (condemned && set.spec.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete') {
          await this.claimsOwnedByPod(set, pod);
        }
        await this.podEvent(set, pod, 'delete', async () => {
          try {
            await this.store('', 'pods').delete(pod.metadata.namespace, pod.metadata.name!, {
              preconditions: { uid: pod.metadata.uid },
            });
          } catch (e) {
            if (!(isStatusError(e) && e.code === 404)) throw e;
          }
        });
      },
    };
    const next = await updateStatefulSet(set, pods, status, ops);
    completeRollingUpdate(set, next);
    await this.writeStatus(set, next);
    await this.truncateHistory(set, pods, revisions, current, update);
  }

  private async podEvent(set: StatefulSet, pod: Pod, verb: string, write: () => Promise<unknown>) {
    const what = `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    const reason = `${verb[0]!.toUpperCase()}${verb.slice(1)}`;
    try {
      await write();
    } catch (e) {
      void this.recorder.record(
        set,
        'Warning',
        `Failed${reason}`,
        `${what} failed error: ${(e as Error).message}`,
      );
      throw e;
    }
    void this.recorder.record(set, 'Normal', `Successful${reason}`, `${what} successful`);
  }

  /** createPersistentVolumeClaims: the pod's missing claims, owned as the retention policy says. */
  private async createClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const store = this.store('', 'persistentvolumeclaims');
    const policy = set.spec.persistentVolumeClaimRetentionPolicy;
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      if (policy?.whenDeleted === 'Delete') {
        claim.metadata.ownerReferences = [
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            name: set.metadata.name!,
            uid: set.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ];
      }
      try {
        await store.create(set.metadata.namespace, claim);
      } catch (e) {
        if (isStatusError(e) && e.code === 409) continue;
        const msg = `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`;
        void this.recorder.record(set, 'Warning', 'FailedCreate', msg);
        throw e;
      }
      const msg = `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`;
      void this.recorder.record(set, 'Normal', 'SuccessfulCreate', msg);
    }
  }

  /** whenScaled: Delete — the condemned pod owns its claims, so they go with it. */
  private async claimsOwnedByPod(set: StatefulSet, pod: Pod): Promise<void> {
    const store = this.store('', 'persistentvolumeclaims');
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      try {
        await store.guaranteedUpdate(set.metadata.namespace, claim.metadata.name!, (cur) => {
          const c = cur as KubeObject;
          const refs = (c.metadata.ownerReferences ?? []).filter((r) => r.uid !== pod.metadata.uid);
          refs.push({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, uid: pod.metadata.uid! });
          c.metadata.ownerReferences = refs;
          return c;
        });
      } catch (e) {
        if (!(isStatusError(e) && e.code === 404)) throw e;
      }
    }
  }

  private async writeStatus(set: StatefulSet, status: SetStatus): Promise<void> {
    const next = { ...status };
    const old = set.status ?? {};
    if (Object.entries(next).every(([k, v]) => (old as Record<string, unknown>)[k] === v)) return;
    await this.store('apps', 'statefulsets').guaranteedUpdate(
      set.metadata.namespace,
      set.metadata.name!,
      (cur) => {
        if (!cur || cur.metadata.uid !== set.metadata.uid)
          throw new Error(`statefulset ${keyOf(set)} is gone`);
        return { ...cur, status: { ...(cur.status as object), ...next } };
      },
      { subresource: 'status' },
    );
  }

  /** Deletes the oldest revisions beyond revisionHistoryLimit that no pod is at. */
  private async truncateHistory(
    set: StatefulSet,
    pods: Pod[],
    revisions: ControllerRevision[],
    current: ControllerRevision,
    update: ControllerRevision,
  ): Promise<void> {
    const live = new Set([...pods.map(podRevision), current.metadata.name, update.metadata.name]);
    const history = sortRevisions(revisions).filter((r) => !live.has(r.metadata.name!));
    const excess = history.length - (set.spec.revisionHistoryLimit ?? 10);
    for (const r of history.slice(0, Math.max(0, excess))) {
      try {
        await this.store('apps', 'controllerrevisions').delete(r.metadata.namespace, r.metadata.name!);
      } catch (e) {
        if (!(isStatusError(e) && e.code === 404)) throw e;
      }
    }
  }
}
