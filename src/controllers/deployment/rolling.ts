/** The RollingUpdate strategy (upstream's rolling.go). */
import { type Deployment, type ReplicaSet, replicasOf } from '../util/types.ts';
import { deploymentComplete } from './conditions.ts';
import type { SyncContext } from './context.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { syncRolloutStatus } from './progress.ts';
import { availableReplicas, byCreation, filterActive, specReplicas } from './replicasets.ts';
import { cleanupDeployment, scaleReplicaSetTo } from './sync.ts';
import { maxUnavailable, newRSNewReplicas } from './util.ts';

export async function rolloutRolling(c: SyncContext, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(c, d, rsList, true);
  const all = [...oldRSs, newRS];
  if (await reconcileNewReplicaSet(c, all, newRS!, d)) return syncRolloutStatus(c, all, newRS, d);
  if (await reconcileOldReplicaSets(c, all, filterActive(oldRSs), newRS!, d))
    return syncRolloutStatus(c, all, newRS, d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(c, oldRSs, d);
  return syncRolloutStatus(c, all, newRS, d);
}

/** Scales the new ReplicaSet up as far as maxSurge allows (or down to spec.replicas). */
async function reconcileNewReplicaSet(
  c: SyncContext,
  all: (ReplicaSet | undefined)[],
  newRS: ReplicaSet,
  d: Deployment,
): Promise<boolean> {
  const desired = replicasOf(d);
  if (replicasOf(newRS) === desired) return false;
  if (replicasOf(newRS) > desired) return (await scaleReplicaSetTo(c, newRS, desired, d))[0];
  return (await scaleReplicaSetTo(c, newRS, newRSNewReplicas(d, all, newRS), d))[0];
}

/**
 * Scales old ReplicaSets down without going below spec.replicas - maxUnavailable available
 * pods: unhealthy old replicas first, then as many as the new ReplicaSet's available pods free.
 */
async function reconcileOldReplicaSets(
  c: SyncContext,
  all: (ReplicaSet | undefined)[],
  oldRSs: ReplicaSet[],
  newRS: ReplicaSet,
  d: Deployment,
): Promise<boolean> {
  if (specReplicas(oldRSs) === 0) return false;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = specReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  let cleaned: number;
  let olds: ReplicaSet[];
  try {
    [olds, cleaned] = await cleanupUnhealthyReplicas(c, oldRSs, d, maxScaledDown);
  } catch {
    return false;
  }
  let scaledDown: number;
  try {
    scaledDown = await scaleDownOldReplicaSets(c, [...olds, newRS], olds, d);
  } catch {
    return false;
  }
  return cleaned + scaledDown > 0;
}

/** Drops old replicas that are not available (never more than `maxCleanup`): that costs no availability. */
async function cleanupUnhealthyReplicas(
  c: SyncContext,
  oldRSs: ReplicaSet[],
  d: Deployment,
  maxCleanup: number,
): Promise<[ReplicaSet[], number]> {
  const olds = [...oldRSs].sort(byCreation);
  let total = 0;
  for (const [i, rs] of olds.entries()) {
    if (total >= maxCleanup) break;
    const available = rs.status?.availableReplicas ?? 0;
    if (replicasOf(rs) === 0 || replicasOf(rs) === available) continue;
    const count = Math.min(maxCleanup - total, replicasOf(rs) - available);
    const [, updated] = await scaleReplicaSetTo(c, rs, replicasOf(rs) - count, d);
    total += count;
    olds[i] = updated;
  }
  return [olds, total];
}

/** Scales old ReplicaSets down, oldest first, by what is available above the minimum. */
async function scaleDownOldReplicaSets(
  c: SyncContext,
  all: (ReplicaSet | undefined)[],
  oldRSs: ReplicaSet[],
  d: Deployment,
): Promise<number> {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = availableReplicas(all);
  if (available <= minAvailable) return 0;
  const toScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= toScaleDown) break;
    if (replicasOf(rs) === 0) continue;
    const count = Math.min(replicasOf(rs), toScaleDown - total);
    await scaleReplicaSetTo(c, rs, replicasOf(rs) - count, d);
    total += count;
  }
  return total;
}
