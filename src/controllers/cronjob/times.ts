/** Which scheduled times a CronJob has missed (upstream's cronjob/utils.go, pure). */
import type { KubeObject } from '../../api/object.ts';
import { timeOf } from '../util/pods.ts';
import type { Schedule } from './schedule.ts';

/** Requeue this long after the next scheduled time (upstream's nextScheduleDelta). */
export const nextScheduleDeltaMs = 100;

export interface CronJob extends KubeObject {
  spec: {
    schedule: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: string;
    suspend?: boolean;
    jobTemplate: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: unknown;
    };
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
  };
  status?: {
    active?: {
      kind?: string;
      namespace?: string;
      name?: string;
      uid?: string;
      apiVersion?: string;
      resourceVersion?: string;
    }[];
    lastScheduleTime?: string;
    lastSuccessfulTime?: string;
  };
}

export type Missed = 'none' | 'few' | 'many';

export interface MostRecent {
  earliest: number;
  mostRecent: number | undefined;
  missed: Missed;
  error?: string;
}

/** Upstream's mostRecentScheduleTime: the latest scheduled time not after `now`, and how many were missed. */
export function mostRecentScheduleTime(
  cj: CronJob,
  now: number,
  sched: Schedule,
  withDeadline: boolean,
): MostRecent {
  let earliest = timeOf(cj.status?.lastScheduleTime) ?? timeOf(cj.metadata.creationTimestamp) ?? now;
  if (withDeadline && cj.spec.startingDeadlineSeconds !== undefined) {
    const deadline = now - cj.spec.startingDeadlineSeconds * 1000;
    if (deadline > earliest) earliest = deadline;
  }
  const t1 = sched.next(earliest);
  const t2 = t1 === undefined ? undefined : sched.next(t1);
  if (t1 === undefined || now < t1) return { earliest, mostRecent: undefined, missed: 'none' };
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 'few' };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1)
    return {
      earliest,
      mostRecent: undefined,
      missed: 'none',
      error: 'time difference between two schedules is less than 1 second',
    };
  const elapsed = Math.trunc((now - t1) / 1000);
  const count = Math.trunc(elapsed / between) + 1;
  let mostRecent: number | undefined;
  const potentialEarliest = t1 + (count - 2) * between * 1000;
  for (let t = sched.next(potentialEarliest); t !== undefined && t <= now; t = sched.next(t)) mostRecent = t;
  return { earliest, mostRecent, missed: count > 100 ? 'many' : 'few' };
}

/** How long until the sync after the next scheduled time (upstream's nextScheduleTimeDuration). */
export function nextScheduleDelay(cj: CronJob, now: number, sched: Schedule): number | undefined {
  const r = mostRecentScheduleTime(cj, now, sched, false);
  let from: number;
  if (r.error) from = now;
  else if (r.mostRecent === undefined) from = r.missed === 'none' ? r.earliest : now;
  else from = r.mostRecent;
  const next = sched.next(from);
  return next === undefined ? undefined : next + nextScheduleDeltaMs - now;
}

/** `<cronjob>-<minutes since the epoch>`: one deterministic name per scheduled time. */
export const jobNameFor = (cj: CronJob, scheduled: number): string =>
  `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
