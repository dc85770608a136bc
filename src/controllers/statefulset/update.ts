/**
 * One pass of upstream's updateStatefulSet: replace failed pods, create missing ones (in
 * ordinal order, waiting on each for OrderedReady), fix identity and storage, delete condemned
 * pods from the highest ordinal, then roll pods onto the update revision from the top down.
 */
import type { Pod } from '../util/types.ts';
import {
  identityMatches,
  isCreated,
  isFailed,
  isHealthy,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  ordinalOf,
  podRevision,
  type StatefulSet,
  startOrdinal,
  storageMatches,
} from './identity.ts';

export interface SetStatus {
  observedGeneration: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
}

/** The writes a pass makes; `newPod` builds the pod at an ordinal at the right revision. */
export interface SetOps {
  newPod(ordinal: number): Pod;
  create(pod: Pod): Promise<void>;
  /** Re-applies identity and storage to an existing pod (creating missing claims). */
  fix(pod: Pod): Promise<void>;
  delete(pod: Pod, condemned: boolean): Promise<void>;
}

export function replicaStatus(pods: readonly Pod[], minReady: number, current: string, update: string) {
  const s = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of pods) {
    if (isCreated(pod)) s.replicas++;
    if (isRunningAndReady(pod)) {
      s.readyReplicas++;
      if (isRunningAndAvailable(pod, minReady)) s.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      if (podRevision(pod) === current) s.currentReplicas++;
      if (podRevision(pod) === update) s.updatedReplicas++;
    }
  }
  return s;
}

export async function updateStatefulSet(
  set: StatefulSet,
  pods: readonly Pod[],
  status: SetStatus,
  ops: SetOps,
): Promise<SetStatus> {
  const minReady = set.spec.minReadySeconds ?? 0;
  Object.assign(status, replicaStatus(pods, minReady, status.currentRevision, status.updateRevision));
  const start = startOrdinal(set);
  const count = set.spec.replicas ?? 1;
  const replicas: (Pod | undefined)[] = new Array(count).fill(undefined);
  const condemned: Pod[] = [];
  for (const pod of pods) {
    const ord = ordinalOf(pod);
    if (ord >= start && ord < start + count) replicas[ord - start] = pod;
    else if (ord >= 0) condemned.push(pod);
  }
  for (let i = 0; i < count; i++) replicas[i] ??= ops.newPod(start + i);
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const firstUnhealthy = [...(replicas as Pod[]), ...condemned].find((p) => !isHealthy(p));
  if (set.metadata.deletionTimestamp) return status;
  const monotonic = set.spec.podManagementPolicy !== 'Parallel';

  for (let i = 0; i < count; i++) {
    let pod = replicas[i]!;
    if ((isFailed(pod) || isSucceeded(pod)) && !isTerminating(pod)) {
      await ops.delete(pod, false);
      if (podRevision(pod) === status.currentRevision) status.currentReplicas--;
      if (podRevision(pod) === status.updateRevision) status.updatedReplicas--;
      status.replicas--;
      pod = replicas[i] = ops.newPod(start + i);
    }
    if (!isCreated(pod)) {
      await ops.create(pod);
      status.replicas++;
      if (podRevision(pod) === status.currentRevision) status.currentReplicas++;
      if (podRevision(pod) === status.updateRevision) status.updatedReplicas++;
      if (monotonic) return status;
      continue;
    }
    // OrderedReady: each pod waits for the ones below it to run, be ready and available.
    if (isTerminating(pod) && monotonic) return status;
    if (!isRunningAndReady(pod) && monotonic) return status;
    if (!isRunningAndAvailable(pod, minReady) && monotonic) return status;
    if (isTerminating(pod) || (identityMatches(set, pod) && storageMatches(set, pod))) continue;
    await ops.fix(pod);
  }

  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return status;
      continue;
    }
    if (!isRunningAndReady(pod) && monotonic && pod !== firstUnhealthy) return status;
    if (!isRunningAndAvailable(pod, minReady) && monotonic && pod !== firstUnhealthy) return status;
    await ops.delete(pod, true);
    if (monotonic) return status;
  }

  const strategy = set.spec.updateStrategy;
  if (strategy?.type === 'OnDelete') return status;
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  for (let target = count - 1; target >= partition; target--) {
    const pod = replicas[target]!;
    if (podRevision(pod) !== status.updateRevision && !isTerminating(pod)) {
      await ops.delete(pod, false);
      status.currentReplicas--;
      return status;
    }
    if (!isHealthy(pod)) return status;
  }
  return status;
}

/** completeRollingUpdate: once every replica is updated and ready, the update is current. */
export function completeRollingUpdate(set: StatefulSet, status: SetStatus): void {
  const rolling = (set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}
