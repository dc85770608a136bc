/** A Deployment's status from its ReplicaSets (upstream's calculateStatus and syncDeploymentStatus). */
import { type Deployment, type DeploymentStatus, type ReplicaSet, replicasOf } from '../util/types.ts';
import { newCondition, reasons, setCondition } from './conditions.ts';
import { type SyncContext, updateDeploymentStatus } from './context.ts';
import { actualReplicas, availableReplicas, readyReplicas, specReplicas } from './replicasets.ts';
import { maxUnavailable } from './util.ts';

/** The status the ReplicaSets add up to, Available set as minimum availability says. */
export function calculateStatus(
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
) {
  const available = availableReplicas(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualReplicas(allRSs),
    updatedReplicas: actualReplicas([newRS]),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas(allRSs) - available),
    conditions: structuredClone(d.status?.conditions ?? []),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(
      status,
      newCondition(
        'Available',
        'True',
        reasons.minimumReplicasAvailable,
        'Deployment has minimum availability.',
      ),
    );
  } else {
    setCondition(
      status,
      newCondition(
        'Available',
        'False',
        reasons.minimumReplicasUnavailable,
        'Deployment does not have minimum availability.',
      ),
    );
  }
  return status;
}

/** The status as Go's JSON writes it: zero counts and empty conditions left out. */
export function wireStatus(s: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {};
  for (const k of [
    'observedGeneration',
    'replicas',
    'updatedReplicas',
    'readyReplicas',
    'availableReplicas',
    'unavailableReplicas',
  ] as const) {
    if (s[k]) out[k] = s[k];
  }
  if (s.conditions?.length) out.conditions = s.conditions;
  if (s.collisionCount !== undefined) out.collisionCount = s.collisionCount;
  return out;
}

/** Writes the computed status when it differs from the stored one. */
export async function syncDeploymentStatus(
  c: SyncContext,
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
): Promise<void> {
  const next = wireStatus(calculateStatus(allRSs, newRS, d));
  if (JSON.stringify(wireStatus(d.status ?? {})) === JSON.stringify(next)) return;
  d.status = next;
  await updateDeploymentStatus(c, d);
}
