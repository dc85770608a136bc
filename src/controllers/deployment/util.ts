/** A Deployment's replica arithmetic and the annotations it keeps on its ReplicaSets (upstream's deployment_util.go). */
import { type Deployment, type ReplicaSet, replicasOf } from '../util/types.ts';
import { revisionAnnotation, specReplicas } from './replicasets.ts';

export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
export const rollbackToAnnotation = 'deprecated.deployment.rollback.to';
export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
/** How long the revision-history annotation may grow (upstream's maxRevHistoryLengthInChars). */
export const maxRevHistoryLengthInChars = 2000;

/** Annotations a Deployment never copies to its ReplicaSets. */
export const annotationsToSkip = new Set([
  lastAppliedAnnotation,
  revisionAnnotation,
  revisionHistoryAnnotation,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  rollbackToAnnotation,
]);

/**
 * intstr.GetScaledValueFromIntOrPercent: an integer as is, "N%" of `total` rounded up or down.
 */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

const isRollingUpdate = (d: Deployment) => (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** [maxSurge, maxUnavailable] for `desired` pods; never both 0 (unavailable becomes 1). */
export function resolveFenceposts(d: Deployment, desired = replicasOf(d)): [number, number] {
  const rolling = d.spec.strategy?.rollingUpdate ?? {};
  const surge = scaledValue(rolling.maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(rolling.maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d)[0] : 0;
}

/** Pods that may be unavailable during a rolling update (never more than desired). */
export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return Math.min(resolveFenceposts(d)[1], replicasOf(d));
}

/** How many replicas the new ReplicaSet may have now (NewRSNewReplicas). */
export function newRSNewReplicas(
  d: Deployment,
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet,
): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d)) return desired;
  const surge = scaledValue(d.spec.strategy?.rollingUpdate?.maxSurge ?? 0, desired, true);
  const current = specReplicas(allRSs);
  const maxTotal = desired + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, desired - replicasOf(newRS));
}

function annotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined || !/^\d+$/.test(v) || Number(v) > 2 ** 31 - 1) return undefined;
  return Number(v);
}

export const desiredReplicasOf = (rs: ReplicaSet) => annotation(rs, desiredReplicasAnnotation);

/** The new ReplicaSet runs every desired pod, all of them available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = replicasOf(d);
  return (
    replicasOf(rs) === desired &&
    desiredReplicasOf(rs) === desired &&
    (rs.status?.availableReplicas ?? 0) === desired
  );
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[desiredReplicasAnnotation] !== String(desired) || a[maxReplicasAnnotation] !== String(max);
}

export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const changed = replicasAnnotationsNeedUpdate(rs, desired, max);
  rs.metadata.annotations = {
    ...rs.metadata.annotations,
    [desiredReplicasAnnotation]: String(desired),
    [maxReplicasAnnotation]: String(max),
  };
  return changed;
}

/**
 * Copies the Deployment's annotations to its new ReplicaSet and raises the ReplicaSet's
 * revision to `newRevision` when lower, keeping the revisions it had in revision-history
 * (a rollback to it). A ReplicaSet about to be created also gets the replica annotations.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: number,
  exists: boolean,
): boolean {
  const annotations = { ...rs.metadata.annotations };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (annotationsToSkip.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  const oldRevision = annotations[revisionAnnotation];
  let oldNumber = 0;
  if (oldRevision !== undefined && oldRevision !== '') {
    if (!/^[+-]?\d+$/.test(oldRevision)) return false;
    oldNumber = Number(oldRevision);
  }
  if (oldNumber < newRevision) {
    annotations[revisionAnnotation] = String(newRevision);
    changed = true;
    if (oldRevision !== undefined) {
      const history = annotations[revisionHistoryAnnotation] ?? '';
      if (history === '') annotations[revisionHistoryAnnotation] = oldRevision;
      else {
        const old = history.split(',');
        let total = history.length + oldRevision.length + 1;
        let start = 0;
        while (total > maxRevHistoryLengthInChars && start < old.length) total -= old[start++]!.length + 1;
        if (total <= maxRevHistoryLengthInChars)
          annotations[revisionHistoryAnnotation] = [...old.slice(start), oldRevision].join(',');
      }
    }
  }
  rs.metadata.annotations = annotations;
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** Sets the Deployment's revision annotation; whether it changed. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  if (d.metadata.annotations?.[revisionAnnotation] === revision) return false;
  d.metadata.annotations = { ...d.metadata.annotations, [revisionAnnotation]: revision };
  return true;
}

/** integer.RoundToInt32: halves away from zero. */
const round = (a: number) => (a < 0 ? Math.trunc(a - 0.5) : Math.trunc(a + 0.5));

/** This ReplicaSet's share of a proportional scale (GetReplicaSetProportion). */
export function replicaSetProportion(d: Deployment, rs: ReplicaSet, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(d, rs);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(d: Deployment, rs: ReplicaSet): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const max = replicasOf(d) + maxSurge(d);
  let before = annotation(rs, maxReplicasAnnotation);
  if (!before) before = d.status?.replicas ?? 0;
  if (!before) return 0;
  return round((replicasOf(rs) * max) / before) - replicasOf(rs);
}
