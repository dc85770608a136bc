import type { Logger } from 'pino';
import { type KubeObject, timestamp } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { controllerUidIndex, indexForClaims } from '../../client/indexes.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import { loadLocationError } from '../../registry/workloads/shared/timezone.ts';
import { EventRecorder } from '../events.ts';
import { finishedCondition, type Job } from '../job/types.ts';
import { runWorkers } from '../run-workers.ts';
import { controllerOf, newControllerRef } from '../util/controller-ref.ts';
import { namespaceTerminating } from '../util/pod-control.ts';
import { keyOf, timeOf } from '../util/pods.ts';
import { formatInZone, parseSchedule, type Schedule } from './schedule.ts';
import { type CronJob, jobNameFor, mostRecentScheduleTime, nextScheduleDelay } from './times.ts';

const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Oldest first by status.startTime (unstarted last), then by name (upstream's byJobStartTime). */
function byStartTime(a: Job, b: Job): number {
  const sa = timeOf(a.status?.startTime);
  const sb = timeOf(b.status?.startTime);
  if (sa === undefined && sb !== undefined) return 1;
  if (sa !== undefined && sb === undefined) return -1;
  if (sa === sb) return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  return sa! - sb!;
}

/**
 * Upstream's CronJob controller (v2): creates a Job for each scheduled time (named by the
 * minute, so it happens once), honouring concurrencyPolicy, suspend and startingDeadlineSeconds,
 * tracks active Jobs in status, prunes finished ones beyond the history limits, and requeues
 * itself for the next scheduled time.
 */
export class CronJobController {
  readonly queue = new WorkQueue<string>();
  private readonly cronJobs: InformerHandle;
  private readonly jobs: InformerHandle;
  private readonly registry: Registry;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(registry: Registry, log: Logger, options: { now?: () => number } = {}) {
    this.registry = registry;
    this.log = log.child({ controller: 'cronjob' });
    this.now = options.now ?? Date.now;
    this.recorder = new EventRecorder(registry, 'cronjob-controller', this.log);
    this.cronJobs = sharedInformers(registry).forStore(registry.byResource('batch', 'cronjobs')!);
    this.jobs = sharedInformers(registry).forStore(registry.byResource('batch', 'jobs')!);
    indexForClaims(this.jobs);
    this.cronJobs.addHandler({
      add: (cj) => this.queue.add(keyOf(cj)),
      update: (_old, cj) => this.queue.add(keyOf(cj)),
    });
    const jobChanged = (job: KubeObject) => {
      const ref = controllerOf(job);
      if (ref?.kind === 'CronJob') this.queue.add(`${job.metadata.namespace}/${ref.name}`);
    };
    this.jobs.addHandler({ add: jobChanged, update: (_o, j) => jobChanged(j), delete: jobChanged });
  }

  async start(): Promise<void> {
    await Promise.all([this.cronJobs.start(), this.jobs.start()]);
    void runWorkers(this.queue, (key) => this.sync(key), 5, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    this.cronJobs.stop();
    this.jobs.stop();
  }

  private get jobStore() {
    return this.registry.byResource('batch', 'jobs')!;
  }

  async sync(key: string): Promise<void> {
    const cached = this.cronJobs.get(key) as CronJob | undefined;
    if (!cached) return;
    const cj = structuredClone(cached);
    const children = (this.jobs.byIndex(controllerUidIndex, cj.metadata.uid ?? '') as Job[]).filter(
      (j) => j.metadata.namespace === cj.metadata.namespace,
    );
    const cleaned = await this.cleanupFinishedJobs(cj, children);
    const { requeueMs, changed, error } = await this.syncCronJob(cj, children);
    if (cleaned || changed) await this.writeStatus(cj);
    if (requeueMs !== undefined) this.queue.addAfter(key, Math.min(requeueMs, 2 ** 31 - 1));
    if (error) throw error;
  }

  private async writeStatus(cj: CronJob): Promise<void> {
    const status = cj.status ?? {};
    await this.registry.byResource('batch', 'cronjobs')!.guaranteedUpdate(
      cj.metadata.namespace,
      cj.metadata.name!,
      (cur) => {
        if (!cur || cur.metadata.uid !== cj.metadata.uid) throw new Error(`cronjob ${keyOf(cj)} is gone`);
        return { ...cur, status };
      },
      { subresource: 'status' },
    );
  }

  private removeActive(cj: CronJob, uid: string | undefined): void {
    if (cj.status?.active) cj.status.active = cj.status.active.filter((r) => r.uid !== uid);
  }

  /** Deletes a Job in the background and drops it from status.active; false when that failed. */
  private async deleteJob(cj: CronJob, job: Job): Promise<boolean> {
    try {
      await this.jobStore.delete(job.metadata.namespace, job.metadata.name!, {
        propagationPolicy: 'Background',
      });
    } catch (e) {
      if (!(isStatusError(e) && e.code === 404)) {
        void this.recorder.record(cj, 'Warning', 'FailedDelete', `Deleted job: ${(e as Error).message}`);
        return false;
      }
    }
    this.removeActive(cj, job.metadata.uid);
    void this.recorder.record(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }

  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<boolean> {
    const limits = [
      ['Complete', cj.spec.successfulJobsHistoryLimit],
      ['Failed', cj.spec.failedJobsHistoryLimit],
    ] as const;
    let changed = false;
    for (const [type, limit] of limits) {
      if (limit === undefined || limit === null) continue;
      const finished = jobs.filter((j) => finishedCondition(j)?.type === type).sort(byStartTime);
      for (const job of finished.slice(0, Math.max(0, finished.length - limit)))
        if (await this.deleteJob(cj, job)) changed = true;
    }
    return changed;
  }

  private async syncCronJob(
    cj: CronJob,
    jobs: Job[],
  ): Promise<{ requeueMs?: number; changed: boolean; error?: unknown }> {
    const now = this.now();
    cj.status ??= {};
    const status = cj.status;
    let changed = false;
    const active = () => status.active ?? [];
    for (const j of jobs) {
      const found = active().some((r) => r.uid === j.metadata.uid);
      const done = finishedCondition(j);
      if (!found && !done) {
        // Not ours by status (a crash after create, or a stale cache): it is adopted on create.
      } else if (found && done) {
        this.removeActive(cj, j.metadata.uid);
        void this.recorder.record(
          cj,
          'Normal',
          'SawCompletedJob',
          `Saw completed job: ${j.metadata.name}, condition: ${done.type}`,
        );
        changed = true;
      }
      if (done?.type === 'Complete' && j.status?.completionTime) {
        const last = timeOf(status.lastSuccessfulTime);
        if (last === undefined || timeOf(j.status.completionTime)! > last) {
          status.lastSuccessfulTime = j.status.completionTime;
          changed = true;
        }
      }
    }
    const uids = new Set(jobs.map((j) => j.metadata.uid));
    for (const ref of [...active()]) {
      if (uids.has(ref.uid)) continue;
      try {
        await this.jobStore.get(ref.namespace, ref.name!);
      } catch (e) {
        if (!(isStatusError(e) && e.code === 404)) return { changed, error: e };
        void this.recorder.record(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        this.removeActive(cj, ref.uid);
        changed = true;
      }
    }
    if (cj.metadata.deletionTimestamp) return { changed };
    const zoneError = cj.spec.timeZone !== undefined ? loadLocationError(cj.spec.timeZone) : undefined;
    if (zoneError) {
      void this.recorder.record(
        cj,
        'Warning',
        'UnknownTimeZone',
        `invalid timeZone: "${cj.spec.timeZone}": ${zoneError}`,
      );
      return { changed };
    }
    if (cj.spec.suspend) return { changed };
    let schedule = cj.spec.schedule;
    if (cj.spec.timeZone !== undefined) schedule = `TZ=${cj.spec.timeZone} ${schedule}`;
    else if (/^(CRON_)?TZ=/.test(schedule))
      void this.recorder.record(
        cj,
        'Warning',
        'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule "${schedule}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
      );
    let sched: Schedule;
    try {
      sched = parseSchedule(schedule, cj.spec.timeZone || localZone());
    } catch (e) {
      void this.recorder.record(
        cj,
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: "${schedule}" : ${(e as Error).message}`,
      );
      return { changed };
    }
    return this.runSchedule(cj, sched, now, changed);
  }

  private async runSchedule(
    cj: CronJob,
    sched: Schedule,
    now: number,
    changed: boolean,
  ): Promise<{ requeueMs?: number; changed: boolean; error?: unknown }> {
    const status = cj.status!;
    const requeue = () => ({ requeueMs: nextScheduleDelay(cj, now, sched), changed });
    const recent = mostRecentScheduleTime(cj, now, sched, true);
    if (recent.error) {
      void this.recorder.record(
        cj,
        'Warning',
        'InvalidSchedule',
        `invalid schedule: ${cj.spec.schedule} : ${recent.error}`,
      );
      return { changed };
    }
    const scheduled = recent.mostRecent;
    if (scheduled === undefined || scheduled > now) return requeue();
    if (recent.missed === 'many')
      void this.recorder.record(
        cj,
        'Warning',
        'TooManyMissedTimes',
        'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
      );
    const deadline = cj.spec.startingDeadlineSeconds;
    if (deadline !== undefined && scheduled + deadline * 1000 < now) {
      const when = new Date(scheduled).toUTCString().replace('GMT', '+0000');
      void this.recorder.record(
        cj,
        'Warning',
        'MissSchedule',
        `Missed scheduled time to start a job: ${when}`,
      );
      return requeue();
    }
    const name = jobNameFor(cj, scheduled);
    if ((status.active ?? []).some((r) => r.name === name) || timeOf(status.lastScheduleTime) === scheduled)
      return requeue();
    if (cj.spec.concurrencyPolicy === 'Forbid' && (status.active ?? []).length > 0) {
      void this.recorder.record(
        cj,
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      );
      return requeue();
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...(status.active ?? [])]) {
        let job: Job;
        try {
          job = (await this.jobStore.get(ref.namespace, ref.name!)) as Job;
        } catch (e) {
          void this.recorder.record(cj, 'Warning', 'FailedGet', `Get job: ${(e as Error).message}`);
          return { changed, error: e };
        }
        if (!(await this.deleteJob(cj, job)))
          return { changed, error: new Error(`could not replace job ${keyOf(job)}`) };
        changed = true;
      }
    }
    let job: Job;
    try {
      job = (await this.jobStore.create(cj.metadata.namespace, this.jobFor(cj, scheduled))) as Job;
      void this.recorder.record(cj, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`);
    } catch (e) {
      if (namespaceTerminating(e)) return { changed, error: e };
      if (!(isStatusError(e) && e.code === 409)) {
        void this.recorder.record(
          cj,
          'Warning',
          'FailedCreate',
          `Error creating job: ${(e as Error).message}`,
        );
        return { changed, error: e };
      }
      job = (await this.jobStore.get(cj.metadata.namespace, name)) as Job;
      if (controllerOf(job)?.uid !== cj.metadata.uid) return { changed };
      if ((status.active ?? []).some((r) => r.uid === job.metadata.uid)) return { changed };
    }
    status.active = [
      ...(status.active ?? []),
      {
        kind: 'Job',
        namespace: job.metadata.namespace,
        name: job.metadata.name,
        uid: job.metadata.uid,
        apiVersion: 'batch/v1',
        resourceVersion: job.metadata.resourceVersion,
      },
    ];
    status.lastScheduleTime = timestamp(new Date(scheduled));
    changed = true;
    return requeue();
  }

  /** The Job for a scheduled time (upstream's getJobFromTemplate2). */
  private jobFor(cj: CronJob, scheduled: number): Job {
    const template = cj.spec.jobTemplate;
    const zone = cj.spec.timeZone || localZone();
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobNameFor(cj, scheduled),
        labels: { ...template.metadata?.labels },
        annotations: {
          ...template.metadata?.annotations,
          'batch.kubernetes.io/cronjob-scheduled-timestamp': formatInZone(scheduled, zone),
        },
        ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
      },
      spec: structuredClone(template.spec ?? {}) as Job['spec'],
    };
  }
}
