/** A ReplicaSet's status from its pods (upstream's replica_set_utils.go). */
import { timestamp } from '../../api/object.ts';
import { labelSelectorFromSet } from '../../api/selectors/index.ts';
import { isPodAvailable, isPodReady } from '../util/pods.ts';
import {
  type Condition,
  type Pod,
  type ReplicaSet,
  type ReplicaSetStatus,
  replicasOf,
} from '../util/types.ts';

export const replicaFailure = 'ReplicaFailure';

/** Adds or replaces a condition, unless one with the same status and reason is there. */
export function setCondition(status: ReplicaSetStatus, c: Condition): void {
  const current = status.conditions?.find((x) => x.type === c.type);
  if (current && current.status === c.status && current.reason === c.reason) return;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), c];
}

export function removeCondition(status: ReplicaSetStatus, type: string): void {
  const rest = (status.conditions ?? []).filter((x) => x.type !== type);
  if (rest.length > 0) status.conditions = rest;
  else delete status.conditions;
}

/**
 * Counts of the claimed active pods: all of them, those carrying every template label, the
 * ready ones and the available ones (ready for minReadySeconds); ReplicaFailure tells of the
 * last create/delete error.
 */
export function calculateStatus(
  rs: ReplicaSet,
  pods: Pod[],
  manageError: unknown,
  now = Date.now(),
): ReplicaSetStatus {
  const status: ReplicaSetStatus = structuredClone(rs.status ?? {});
  const templateLabels = labelSelectorFromSet(rs.spec.template?.metadata?.labels);
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata.labels ?? {})) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
  }
  const failure = rs.status?.conditions?.find((c) => c.type === replicaFailure);
  if (manageError && !failure) {
    const diff = pods.length - replicasOf(rs);
    setCondition(status, {
      type: replicaFailure,
      status: 'True',
      lastTransitionTime: timestamp(new Date(now)),
      reason: diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '',
      message: manageError instanceof Error ? manageError.message : String(manageError),
    });
  } else if (!manageError && failure) {
    removeCondition(status, replicaFailure);
  }
  status.replicas = pods.length;
  status.fullyLabeledReplicas = fullyLabeled;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return status;
}

/** The status as Go's JSON writes it: zero counts (but replicas) and no conditions left out. */
export function wireStatus(s: ReplicaSetStatus): ReplicaSetStatus {
  const out: ReplicaSetStatus = { replicas: s.replicas ?? 0 };
  if (s.fullyLabeledReplicas) out.fullyLabeledReplicas = s.fullyLabeledReplicas;
  if (s.readyReplicas) out.readyReplicas = s.readyReplicas;
  if (s.availableReplicas) out.availableReplicas = s.availableReplicas;
  if (s.observedGeneration) out.observedGeneration = s.observedGeneration;
  if (s.conditions?.length) out.conditions = s.conditions;
  return out;
}

/** Whether a write is needed: counts, conditions or the observed generation differ. */
export function statusChanged(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur = rs.status ?? {};
  return (
    (cur.replicas ?? 0) !== (next.replicas ?? 0) ||
    (cur.fullyLabeledReplicas ?? 0) !== (next.fullyLabeledReplicas ?? 0) ||
    (cur.readyReplicas ?? 0) !== (next.readyReplicas ?? 0) ||
    (cur.availableReplicas ?? 0) !== (next.availableReplicas ?? 0) ||
    (rs.metadata.generation ?? 0) !== (cur.observedGeneration ?? 0) ||
    JSON.stringify(cur.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}
