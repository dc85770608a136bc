/**
 * Counting finished pods (upstream's trackJobStatusAndRemoveFinalizers, the pure part): which
 * pods may lose the tracking finalizer, and which UIDs join uncountedTerminatedPods first, so
 * a pod is counted exactly once even when the controller stops half-way.
 */
import type { Condition, Pod } from '../util/types.ts';
import { completionIndexOf } from './indexes.ts';
import { hasFinalizer, isIndexed, isPodFailed, type Job, type JobStatus, phaseOf } from './types.ts';

export interface TrackingPlan {
  readonly removeFinalizer: Pod[];
  readonly uncounted: { succeeded: string[]; failed: string[] };
  /** Indexed Jobs: the indexes that newly succeeded. */
  readonly newIndexes: number[];
}

export function planTracking(
  job: Job,
  pods: Pod[],
  expectedRemovals: Set<string>,
  finished: Condition | undefined,
  prevIndexes: Set<number>,
): TrackingPlan {
  const unc = job.status?.uncountedTerminatedPods ?? {};
  const succeeded = [...(unc.succeeded ?? [])];
  const failed = [...(unc.failed ?? [])];
  const removeFinalizer: Pod[] = [];
  const newIndexes: number[] = [];
  const completions = job.spec.completions ?? 0;
  const failsAll = !!finished && finished.type !== 'SuccessCriteriaMet' && finished.type !== 'Complete';
  for (const pod of pods) {
    const uid = pod.metadata.uid!;
    if (!hasFinalizer(pod) || expectedRemovals.has(uid)) continue;
    const podFailed = isPodFailed(pod, job);
    const canRemove =
      !!job.metadata.deletionTimestamp || !!finished || phaseOf(pod) === 'Succeeded' || podFailed;
    if (!canRemove) continue;
    removeFinalizer.push(pod);
    const ix = completionIndexOf(pod);
    const validIndex = ix >= 0 && ix < completions;
    if (phaseOf(pod) === 'Succeeded' && !failed.includes(uid)) {
      if (isIndexed(job)) {
        if (validIndex && !prevIndexes.has(ix)) newIndexes.push(ix);
      } else if (!succeeded.includes(uid)) succeeded.push(uid);
    } else if (podFailed || failsAll) {
      if (!failed.includes(uid) && (!isIndexed(job) || validIndex)) failed.push(uid);
    }
  }
  return { removeFinalizer, uncounted: { succeeded, failed }, newIndexes };
}

/**
 * Moves UIDs whose pods no longer carry the finalizer from uncountedTerminatedPods into the
 * counters (upstream's cleanUncountedPodsWithoutFinalizers).
 */
export function countUncounted(status: JobStatus, withFinalizer: Set<string>): void {
  const unc = status.uncountedTerminatedPods ?? {};
  const succeeded = (unc.succeeded ?? []).filter((u) => withFinalizer.has(u));
  const failed = (unc.failed ?? []).filter((u) => withFinalizer.has(u));
  status.succeeded = (status.succeeded ?? 0) + (unc.succeeded ?? []).length - succeeded.length;
  status.failed = (status.failed ?? 0) + (unc.failed ?? []).length - failed.length;
  status.uncountedTerminatedPods = {
    ...(succeeded.length ? { succeeded } : {}),
    ...(failed.length ? { failed } : {}),
  };
}

/** The status as the API stores it: zero counters omitted, keys in a fixed order for comparing. */
export function wireStatus(s: JobStatus): JobStatus {
  const out: Record<string, unknown> = {};
  if (s.conditions?.length) out.conditions = s.conditions;
  for (const k of ['startTime', 'completionTime', 'completedIndexes'] as const) if (s[k]) out[k] = s[k];
  for (const k of ['active', 'succeeded', 'failed'] as const) if (s[k]) out[k] = s[k];
  out.terminating = s.terminating ?? 0;
  out.ready = s.ready ?? 0;
  const unc = s.uncountedTerminatedPods ?? {};
  out.uncountedTerminatedPods = {
    ...(unc.succeeded?.length ? { succeeded: unc.succeeded } : {}),
    ...(unc.failed?.length ? { failed: unc.failed } : {}),
  };
  return out as JobStatus;
}

/** JSON with object keys sorted: equal for equal statuses whatever their key order. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}
