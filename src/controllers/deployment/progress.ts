/** The Progressing condition during a rollout (upstream's progress.go). */

import { timeOf } from '../util/pods.ts';
import type { Condition, Deployment, DeploymentStatus, ReplicaSet } from '../util/types.ts';
import {
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  fromReplicaSetCondition,
  getCondition,
  hasProgressDeadline,
  newCondition,
  reasons,
  removeCondition,
  setCondition,
} from './conditions.ts';
import { type SyncContext, updateDeploymentStatus } from './context.ts';
import { calculateStatus, wireStatus } from './status.ts';

/** ReplicaFailure conditions of the new ReplicaSet, else of any other. */
function replicaFailures(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Condition[] {
  const failures = (rs: ReplicaSet | undefined) =>
    (rs?.status?.conditions ?? []).filter((c) => c.type === 'ReplicaFailure').map(fromReplicaSetCondition);
  const fromNew = failures(newRS);
  return fromNew.length > 0 ? fromNew : allRSs.flatMap(failures);
}

/** Status plus Progressing: NewReplicaSetAvailable, ReplicaSetUpdated or ProgressDeadlineExceeded. */
export async function syncRolloutStatus(
  c: SyncContext,
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
  now = Date.now(),
): Promise<void> {
  const next = calculateStatus(allRSs, newRS, d);
  if (!hasProgressDeadline(d)) removeCondition(next, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const isComplete = next.replicas === next.updatedReplicas && current?.reason === reasons.newRSAvailable;
  if (hasProgressDeadline(d) && !isComplete) {
    const name = newRS?.metadata.name;
    if (deploymentComplete(d, next)) {
      const msg = name
        ? `ReplicaSet "${name}" has successfully progressed.`
        : `Deployment "${d.metadata.name}" has successfully progressed.`;
      setCondition(next, newCondition('Progressing', 'True', reasons.newRSAvailable, msg, new Date(now)));
    } else if (deploymentProgressing(d, next)) {
      const msg = name
        ? `ReplicaSet "${name}" is progressing.`
        : `Deployment "${d.metadata.name}" is progressing.`;
      const cond = newCondition('Progressing', 'True', reasons.replicaSetUpdated, msg, new Date(now));
      // Progress moves lastUpdateTime even when the reason stays the same.
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(next, 'Progressing');
      }
      setCondition(next, cond);
    } else if (deploymentTimedOut(d, next, now)) {
      const msg = name
        ? `ReplicaSet "${name}" has timed out progressing.`
        : `Deployment "${d.metadata.name}" has timed out progressing.`;
      setCondition(next, newCondition('Progressing', 'False', reasons.timedOut, msg, new Date(now)));
    }
  }
  const failures = replicaFailures(allRSs, newRS);
  if (failures.length > 0) setCondition(next, failures[0]!);
  else removeCondition(next, 'ReplicaFailure');

  const wire = wireStatus(next);
  if (JSON.stringify(wireStatus(d.status ?? {})) === JSON.stringify(wire)) {
    requeueStuckDeployment(c, d, next, now);
    return;
  }
  d.status = wire;
  await updateDeploymentStatus(c, d);
}

/** Looks again when the progress deadline would pass, unless the rollout is done or timed out. */
function requeueStuckDeployment(c: SyncContext, d: Deployment, next: DeploymentStatus, now: number): void {
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return;
  if (deploymentComplete(d, next) || current.reason === reasons.timedOut) return;
  const after = (timeOf(current.lastUpdateTime) ?? 0) + d.spec.progressDeadlineSeconds! * 1000 - now;
  if (after < 1000) c.enqueueRateLimited(d);
  else c.enqueueAfter(d, after + 1000);
}
