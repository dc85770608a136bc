/**
 * Pod failure backoff (upstream's backoffRecord): failures since the last success and when the
 * last one happened; new pods wait base·2^(failures-1), capped, after that failure.
 */
import { timeOf } from '../util/pods.ts';
import type { Pod } from '../util/types.ts';

export interface BackoffRecord {
  readonly failuresAfterLastSuccess: number;
  readonly lastFailureTime: number | undefined;
}

export const noBackoff: BackoffRecord = { failuresAfterLastSuccess: 0, lastFailureTime: undefined };

/** When a pod finished: its last container's finish, else its deletion, else its last condition change. */
export function finishedTime(pod: Pod, now: number): number {
  let latest: number | undefined;
  const statuses = (pod.status?.containerStatuses ?? []) as {
    state?: { terminated?: { finishedAt?: string } };
  }[];
  for (const s of statuses) {
    const t = timeOf(s.state?.terminated?.finishedAt);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  if (latest !== undefined) return latest;
  const deleted = timeOf(pod.metadata.deletionTimestamp);
  if (deleted !== undefined) return deleted;
  for (const c of pod.status?.conditions ?? []) {
    const t = timeOf(c.lastTransitionTime);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest ?? now;
}

/** The record after newly finished pods (upstream's newBackoffRecord). */
export function nextBackoffRecord(
  old: BackoffRecord,
  succeeded: Pod[],
  failed: Pod[],
  now: number,
): BackoffRecord {
  const failedTimes = failed.map((p) => finishedTime(p, now)).sort((a, b) => a - b);
  if (succeeded.length === 0) {
    if (failedTimes.length === 0) return old;
    return {
      failuresAfterLastSuccess: old.failuresAfterLastSuccess + failedTimes.length,
      lastFailureTime: failedTimes.at(-1),
    };
  }
  const lastSuccess = Math.max(...succeeded.map((p) => finishedTime(p, now)));
  const after = failedTimes.filter((t) => t > lastSuccess);
  return { failuresAfterLastSuccess: after.length, lastFailureTime: after.at(-1) };
}

/** How long new pods must still wait, in ms (upstream's getRemainingTimeForFailuresCount). */
export function remainingBackoff(record: BackoffRecord, now: number, baseMs: number, maxMs: number): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  let delay = baseMs;
  for (let i = 1; i < record.failuresAfterLastSuccess; i++) {
    delay *= 2;
    if (delay >= maxMs) {
      delay = maxMs;
      break;
    }
  }
  const elapsed = now - record.lastFailureTime;
  return delay < elapsed ? 0 : delay - elapsed;
}
