/**
 * The Deployment sync steps shared by every strategy (upstream's sync.go): scale (in
 * proportion during a rollout), clean up old revisions, track pausing.
 */
import { isStatusError } from '../../api/status.ts';
import { type Deployment, type ReplicaSet, replicasOf } from '../util/types.ts';
import { getCondition, hasProgressDeadline, newCondition, reasons, setCondition } from './conditions.ts';
import { deleteReplicaSet, type SyncContext, updateDeploymentStatus, updateReplicaSet } from './context.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import {
  byRevision,
  bySizeNewer,
  bySizeOlder,
  filterActive,
  findActiveOrLatest,
  specReplicas,
} from './replicasets.ts';
import { syncDeploymentStatus } from './status.ts';
import {
  desiredReplicasOf,
  isSaturated,
  maxSurge,
  replicaSetProportion,
  replicasAnnotationsNeedUpdate,
  rollbackToAnnotation,
  setReplicasAnnotations,
} from './util.ts';

/** Scales `rs` to `newScale` (and refreshes its replica annotations), recording ScalingReplicaSet. */
export async function scaleReplicaSet(
  c: SyncContext,
  rs: ReplicaSet,
  newScale: number,
  d: Deployment,
  operation = replicasOf(rs) < newScale ? 'up' : 'down',
): Promise<[boolean, ReplicaSet]> {
  const oldScale = replicasOf(rs);
  const sizeNeedsUpdate = oldScale !== newScale;
  const max = replicasOf(d) + maxSurge(d);
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return [false, rs];
  const copy = structuredClone(rs);
  copy.spec.replicas = newScale;
  setReplicasAnnotations(copy, replicasOf(d), max);
  const updated = await updateReplicaSet(c, copy);
  if (sizeNeedsUpdate) {
    void c.recorder.record(
      d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${operation} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`,
    );
  }
  return [sizeNeedsUpdate, updated];
}

/** scaleReplicaSetAndRecordEvent: nothing to do when the size is right already. */
export async function scaleReplicaSetTo(
  c: SyncContext,
  rs: ReplicaSet,
  newScale: number,
  d: Deployment,
): Promise<[boolean, ReplicaSet]> {
  if (replicasOf(rs) === newScale) return [false, rs];
  return scaleReplicaSet(c, rs, newScale, d);
}

/**
 * A scaling event (spec.replicas changed, or a paused Deployment): the one active ReplicaSet
 * takes the new size; during a rollout every active ReplicaSet grows or shrinks in proportion.
 */
export async function scale(
  c: SyncContext,
  d: Deployment,
  newRS: ReplicaSet | undefined,
  oldRSs: ReplicaSet[],
) {
  const desired = replicasOf(d);
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (replicasOf(activeOrLatest) !== desired) await scaleReplicaSetTo(c, activeOrLatest, desired, d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActive(oldRSs)) await scaleReplicaSetTo(c, old, 0, d);
    return;
  }
  if ((d.spec.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return;
  const all = filterActive([...oldRSs, newRS]);
  const allowed = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowed - specReplicas(all);
  let operation = '';
  if (toAdd > 0) {
    all.sort(bySizeNewer);
    operation = 'up';
  } else if (toAdd < 0) {
    all.sort(bySizeOlder);
    operation = 'down';
  }
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of all) {
    if (toAdd !== 0) {
      const proportion = replicaSetProportion(d, rs, toAdd, added);
      sizes.set(rs.metadata.name!, replicasOf(rs) + proportion);
      added += proportion;
    } else sizes.set(rs.metadata.name!, replicasOf(rs));
  }
  for (const [i, rs] of all.entries()) {
    // The largest ReplicaSet takes what rounding left over.
    if (i === 0 && toAdd !== 0)
      sizes.set(rs.metadata.name!, Math.max(0, sizes.get(rs.metadata.name!)! + toAdd - added));
    await scaleReplicaSet(c, rs, sizes.get(rs.metadata.name!)!, d, operation);
  }
}

/** Deletes the oldest ReplicaSets with no pods beyond revisionHistoryLimit. */
export async function cleanupDeployment(c: SyncContext, oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
  const limit = d.spec.revisionHistoryLimit;
  if (limit === undefined || limit === null) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
  const diff = cleanable.length - limit;
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i]!;
    if (
      (rs.status?.replicas ?? 0) !== 0 ||
      replicasOf(rs) !== 0 ||
      (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)
    )
      continue;
    try {
      await deleteReplicaSet(c, rs);
    } catch (e) {
      if (!(isStatusError(e) && e.code === 404)) throw e;
    }
  }
}

/** Reconciles a scaling event or a paused Deployment: scale, clean up (when paused), status. */
export async function sync(c: SyncContext, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(c, d, rsList, false);
  await scale(c, d, newRS, oldRSs);
  if (d.spec.paused && !d.metadata.annotations?.[rollbackToAnnotation]) {
    await cleanupDeployment(c, oldRSs, d);
  }
  await syncDeploymentStatus(c, [...oldRSs, newRS], newRS, d);
}

/** A ReplicaSet's desired-replicas annotation disagrees with spec.replicas: someone scaled. */
export async function isScalingEvent(c: SyncContext, d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(c, d, rsList, false);
  for (const rs of filterActive([...oldRSs, newRS])) {
    const desired = desiredReplicasOf(rs);
    if (desired !== undefined && desired !== replicasOf(d)) return true;
  }
  return false;
}

/** Progressing turns Unknown with DeploymentPaused / DeploymentResumed, so pauses never time out. */
export async function checkPausedConditions(c: SyncContext, d: Deployment): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === reasons.timedOut) return;
  const pausedCondExists = cond?.reason === reasons.paused;
  d.status ??= {};
  if (d.spec.paused && !pausedCondExists) {
    setCondition(d.status, newCondition('Progressing', 'Unknown', reasons.paused, 'Deployment is paused'));
  } else if (!d.spec.paused && pausedCondExists) {
    setCondition(d.status, newCondition('Progressing', 'Unknown', reasons.resumed, 'Deployment is resumed'));
  } else return;
  await updateDeploymentStatus(c, d);
}
