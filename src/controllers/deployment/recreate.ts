/** The Recreate strategy (upstream's recreate.go): every old pod gone before the new ones start. */
import type { Deployment, Pod, ReplicaSet } from '../util/types.ts';
import { replicasOf } from '../util/types.ts';
import { deploymentComplete } from './conditions.ts';
import type { SyncContext } from './context.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { syncRolloutStatus } from './progress.ts';
import { actualReplicas, filterActive } from './replicasets.ts';
import { cleanupDeployment, scaleReplicaSetTo } from './sync.ts';

/** Old ReplicaSets still report pods, or a pod of theirs has not finished. */
function oldPodsRunning(
  newRS: ReplicaSet | undefined,
  oldRSs: ReplicaSet[],
  podMap: Map<string, Pod[]>,
): boolean {
  if (actualReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}

export async function rolloutRecreate(
  c: SyncContext,
  d: Deployment,
  rsList: ReplicaSet[],
  podMap: Map<string, Pod[]>,
): Promise<void> {
  // No new ReplicaSet yet: it must not start pods before the old ones are gone.
  let [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(c, d, rsList, false);
  let all = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    const [scaled] = await scaleReplicaSetTo(c, rs, 0, d);
    scaledDown ||= scaled;
  }
  if (scaledDown) return syncRolloutStatus(c, all, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(c, all, newRS, d);
  if (!newRS) {
    [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(c, d, rsList, true);
    all = [...oldRSs, newRS];
  }
  await scaleReplicaSetTo(c, newRS!, replicasOf(d), d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(c, oldRSs, d);
  return syncRolloutStatus(c, all, newRS, d);
}
