import type { Logger } from 'pino';
import { type KubeObject, timestamp } from '../../api/object.ts';
import { fromLabelSelectorObject } from '../../api/selectors/index.ts';
import { claimCandidates, indexByNamespace, indexForClaims, inNamespace } from '../../client/indexes.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import { EventRecorder } from '../events.ts';
import { runWorkers } from '../run-workers.ts';
import { claimObjects, controllerOf, newControllerRef, recheckDeletion } from '../util/controller-ref.ts';
import { Expectations } from '../util/expectations.ts';
import { isPodActive, isPodReady, keyOf, podKey, splitKey, timeOf } from '../util/pods.ts';
import type { Condition, Pod } from '../util/types.ts';
import { type BackoffRecord, nextBackoffRecord, noBackoff } from './backoff.ts';
import { trackJobStatus } from './flush.ts';
import { completionIndexOf, parseIndexes } from './indexes.ts';
import { manageJob } from './manage.ts';
import { JobPodControl } from './pods.ts';
import { wireStatus } from './tracking.ts';
import {
  ensureCondition,
  findCondition,
  finishedCondition,
  hasFinalizer,
  isIndexed,
  isPodFailed,
  isSuspended,
  isTerminating,
  type Job,
  newCondition,
  phaseOf,
} from './types.ts';

export interface JobControllerOptions {
  readonly workers?: number;
  readonly now?: () => number;
  /** First delay before recreating a failed pod (upstream's DefaultJobPodFailureBackOff, 10 s). */
  readonly podFailureBackoffMs?: number;
  readonly maxPodFailureBackoffMs?: number;
}

/**
 * Upstream's Job controller: runs pods toward parallelism until completions succeed, counts
 * finished pods through the tracking finalizer and uncountedTerminatedPods, backs off after
 * failures, and ends the Job Complete or Failed (BackoffLimitExceeded, DeadlineExceeded).
 */
export class JobController {
  readonly queue = new WorkQueue<string>();
  readonly expectations = new Expectations();
  /** Per Job, pod UIDs whose finalizer this controller removed and has not seen removed yet. */
  readonly finalizerRemovals = new Map<string, Set<string>>();
  private readonly backoff = new Map<string, BackoffRecord>();
  readonly jobInformer: InformerHandle;
  private readonly podInformer: InformerHandle;
  private readonly registry: Registry;
  readonly podControl: JobPodControl;
  readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly workers: number;
  readonly now: () => number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;

  constructor(registry: Registry, log: Logger, options: JobControllerOptions = {}) {
    this.registry = registry;
    this.log = log.child({ controller: 'job' });
    this.workers = options.workers ?? 5;
    this.now = options.now ?? Date.now;
    this.backoffMs = options.podFailureBackoffMs ?? 10_000;
    this.maxBackoffMs = options.maxPodFailureBackoffMs ?? 6 * 60_000;
    this.recorder = new EventRecorder(registry, 'job-controller', this.log);
    this.podControl = new JobPodControl(registry, this.recorder);
    this.jobInformer = sharedInformers(registry).forStore(registry.byResource('batch', 'jobs')!);
    this.podInformer = sharedInformers(registry).forStore(registry.byResource('', 'pods')!);
    indexForClaims(this.podInformer);
    indexByNamespace(this.podInformer);
    this.jobInformer.addHandler({
      add: (job) => this.queue.add(keyOf(job)),
      update: (old, cur) => {
        if (old.metadata.uid !== cur.metadata.uid) this.forgetJob(keyOf(old));
        this.queue.add(keyOf(cur));
      },
      delete: (job) => this.queue.add(keyOf(job)),
    });
    this.podInformer.addHandler({
      add: (pod) => this.podChanged(pod as Pod, 'add'),
      update: (_old, cur) => this.podChanged(cur as Pod, 'update'),
      delete: (pod) => this.podChanged(pod as Pod, 'delete'),
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.jobInformer.start(), this.podInformer.start()]);
    void runWorkers(this.queue, (key) => this.sync(key), this.workers, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    this.jobInformer.stop();
    this.podInformer.stop();
  }

  private forgetJob(key: string): void {
    this.expectations.delete(key);
    this.finalizerRemovals.delete(key);
    this.backoff.delete(key);
  }

  private podChanged(pod: Pod, how: 'add' | 'update' | 'delete'): void {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'Job') return;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    if (how === 'delete' || !hasFinalizer(pod)) this.finalizerRemovals.get(key)?.delete(pod.metadata.uid!);
    if (how === 'add' && !pod.metadata.deletionTimestamp) this.expectations.creationObserved(key);
    if (how === 'delete' || pod.metadata.deletionTimestamp)
      this.expectations.deletionObserved(key, podKey(pod));
    this.queue.add(key);
  }

  /** Pods whose Job is gone (or finished) keep no tracking finalizer (upstream's orphan cleanup). */
  private async releaseOrphans(key: string, job: Job | undefined): Promise<void> {
    const [namespace, name] = splitKey(key);
    const orphans = (inNamespace(this.podInformer, namespace) as Pod[]).filter((p) => {
      const ref = controllerOf(p);
      return (
        ref?.kind === 'Job' &&
        ref.name === name &&
        hasFinalizer(p) &&
        (!job || ref.uid !== job.metadata.uid || !isPodActive(p))
      );
    });
    await Promise.all(orphans.map((p) => this.podControl.removeFinalizer(p)));
  }

  async sync(key: string): Promise<void> {
    const cached = this.jobInformer.get(key) as Job | undefined;
    if (!cached) {
      this.forgetJob(key);
      await this.releaseOrphans(key, undefined);
      return;
    }
    if (finishedCondition(cached)) {
      await this.releaseOrphans(key, cached);
      return;
    }
    const job = structuredClone(cached);
    let selector: ReturnType<typeof fromLabelSelectorObject>;
    try {
      selector = fromLabelSelectorObject(job.spec.selector);
    } catch {
      this.log.warn({ key }, 'invalid selector');
      return;
    }
    const satisfied = this.expectations.satisfied(key);
    const pods = await claimObjects(
      {
        owner: job,
        ownerRef: newControllerRef(job, 'batch/v1', 'Job'),
        store: this.registry.byResource('', 'pods')!,
        matches: (p) => selector.matches(p.metadata.labels ?? {}),
        canAdopt: recheckDeletion(this.registry.byResource('batch', 'jobs')!, job),
      },
      claimCandidates(this.podInformer, job) as Pod[],
    );
    await this.syncJob(key, job, pods, satisfied);
  }

  private async syncJob(key: string, job: Job, pods: Pod[], satisfied: boolean): Promise<void> {
    const now = this.now();
    const nowText = timestamp(new Date(now));
    const status = job.status ?? {};
    job.status = status;
    const removals = this.finalizerRemovals.get(key) ?? new Set<string>();
    const completions = job.spec.completions ?? 0;
    const unc = status.uncountedTerminatedPods ?? {};
    const counting = (p: Pod) =>
      hasFinalizer(p) &&
      !removals.has(p.metadata.uid!) &&
      (!isIndexed(job) || (completionIndexOf(p) >= 0 && completionIndexOf(p) < completions));
    const newSucceeded = pods.filter(
      (p) => counting(p) && phaseOf(p) === 'Succeeded' && !unc.succeeded?.includes(p.metadata.uid!),
    );
    const newFailed = pods.filter(
      (p) => counting(p) && isPodFailed(p, job) && !unc.failed?.includes(p.metadata.uid!),
    );
    const activePods = pods.filter(isPodActive);
    let active = activePods.length;
    let succeeded = (status.succeeded ?? 0) + newSucceeded.length + (unc.succeeded?.length ?? 0);
    const failed = (status.failed ?? 0) + newFailed.length + (unc.failed?.length ?? 0);
    let ready = activePods.filter(isPodReady).length;
    const backoff = nextBackoffRecord(this.backoff.get(key) ?? noBackoff, newSucceeded, newFailed, now);
    if (!status.startTime && !isSuspended(job)) status.startTime = nowText;

    let finished: Condition | undefined;
    const target = findCondition(job, 'FailureTarget');
    const criteriaMet = findCondition(job, 'SuccessCriteriaMet');
    if (target) finished = newCondition('Failed', 'True', target.reason!, target.message!, nowText);
    else if (criteriaMet) finished = criteriaMet;
    else if (failed > (job.spec.backoffLimit ?? 6) || this.pastBackoffLimitOnFailure(job, activePods)) {
      finished = newCondition(
        'FailureTarget',
        'True',
        'BackoffLimitExceeded',
        'Job has reached the specified backoff limit',
        nowText,
      );
    } else if (this.pastActiveDeadline(job, now)) {
      finished = newCondition(
        'FailureTarget',
        'True',
        'DeadlineExceeded',
        'Job was active longer than specified deadline',
        nowText,
      );
    } else if (job.spec.activeDeadlineSeconds !== undefined && !isSuspended(job)) {
      const left = timeOf(status.startTime)! + job.spec.activeDeadlineSeconds * 1000 - now;
      this.queue.addAfter(key, Math.max(left, 0) + 10);
    }

    const prevIndexes = isIndexed(job)
      ? parseIndexes(status.completedIndexes, completions)
      : new Set<number>();
    const succeededIndexes = new Set(prevIndexes);
    if (isIndexed(job)) {
      for (const p of pods)
        if (counting(p) && phaseOf(p) === 'Succeeded') succeededIndexes.add(completionIndexOf(p));
      succeeded = succeededIndexes.size;
    }

    let manageError: unknown;
    if (finished) {
      const victims = activePods;
      this.expectations.expectDeletions(key, victims.map(podKey));
      const results = await Promise.allSettled(victims.map((p) => this.podControl.delete(job, p, false)));
      let deleted = 0;
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') {
          deleted++;
          if (isPodReady(victims[i]!)) ready--;
        } else {
          this.expectations.deletionObserved(key, podKey(victims[i]!));
          manageError ??= r.reason;
        }
      });
      if (deleted !== active || !satisfied) finished = undefined;
      active -= deleted;
    } else {
      let managed = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        managed = true;
        try {
          active = await manageJob(this, key, job, {
            activePods,
            succeeded,
            succeededIndexes,
            backoff,
            terminating: pods.filter(isTerminating).length,
          });
        } catch (e) {
          manageError = e;
        }
      }
      const complete =
        job.spec.completions == null
          ? succeeded > 0 && active === 0
          : succeeded >= completions && active === 0;
      if (complete) {
        finished = newCondition(
          'SuccessCriteriaMet',
          'True',
          'CompletionsReached',
          'Reached expected number of succeeded pods',
          nowText,
        );
      } else if (managed) this.ensureSuspendCondition(job, nowText);
    }
    status.active = active;
    status.ready = ready;
    status.terminating = pods.filter(isTerminating).length;
    this.finalizerRemovals.set(key, removals);
    await trackJobStatus(this, key, job, pods, { finished, prevIndexes, removals, now: nowText });
    this.backoff.set(key, backoff);
    if (manageError) throw manageError;
  }

  private ensureSuspendCondition(job: Job, now: string): void {
    job.status!.conditions ??= [];
    const conditions = job.status!.conditions;
    if (isSuspended(job)) {
      if (ensureCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now))
        void this.recorder.record(job, 'Normal', 'Suspended', 'Job suspended');
    } else if (ensureCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
      void this.recorder.record(job, 'Normal', 'Resumed', 'Job resumed');
      job.status!.startTime = now;
    }
  }

  /** restartPolicy OnFailure: the containers' restarts count against the backoff limit. */
  private pastBackoffLimitOnFailure(job: Job, active: Pod[]): boolean {
    const template = job.spec.template?.spec as { restartPolicy?: string } | undefined;
    if (template?.restartPolicy !== 'OnFailure') return false;
    let restarts = 0;
    for (const p of active)
      for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])])
        restarts += s.restartCount ?? 0;
    const limit = job.spec.backoffLimit ?? 6;
    return limit === 0 ? restarts > 0 : restarts >= limit;
  }

  private pastActiveDeadline(job: Job, now: number): boolean {
    const start = timeOf(job.status?.startTime);
    if (job.spec.activeDeadlineSeconds === undefined || start === undefined || isSuspended(job)) return false;
    return now - start >= job.spec.activeDeadlineSeconds * 1000;
  }

  /** Writes status from the Job as read: a stale read conflicts and the sync is retried. */
  async writeStatus(job: Job): Promise<Job> {
    const status = wireStatus(job.status ?? {});
    const { object } = await this.registry.byResource('batch', 'jobs')!.guaranteedUpdate(
      job.metadata.namespace,
      job.metadata.name!,
      (cur) => ({
        ...(cur as KubeObject),
        metadata: { ...cur!.metadata, resourceVersion: job.metadata.resourceVersion },
        status,
      }),
      { subresource: 'status' },
    );
    return object as Job;
  }
}
