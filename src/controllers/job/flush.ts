/**
 * The write half of counting finished pods (upstream's flushUncountedAndRemoveFinalizers and
 * enactJobFinished): record UIDs as uncounted, remove the finalizers, move what was removed
 * into the counters, and only then add the terminal condition.
 */
import type { InformerHandle } from '../../client/shared.ts';
import type { EventRecorder } from '../events.ts';
import type { Condition, Pod } from '../util/types.ts';
import { formatIndexes } from './indexes.ts';
import type { JobPodControl } from './pods.ts';
import { canonical, countUncounted, planTracking, wireStatus } from './tracking.ts';
import { ensureCondition, findCondition, hasFinalizer, isIndexed, type Job, newCondition } from './types.ts';

export interface FlushHost {
  readonly jobInformer: InformerHandle;
  readonly podControl: JobPodControl;
  readonly recorder: EventRecorder;
  writeStatus(job: Job): Promise<Job>;
}

/** Counts finished pods and removes their finalizers, then declares the Job finished if it is. */
export async function trackJobStatus(
  host: FlushHost,
  key: string,
  job: Job,
  pods: Pod[],
  input: { finished: Condition | undefined; prevIndexes: Set<number>; removals: Set<string>; now: string },
): Promise<void> {
  const { prevIndexes, removals, now } = input;
  let finished = input.finished;
  const original = canonical(wireStatus(host.jobInformer.get(key)?.status ?? {}));
  const status = job.status!;
  const plan = planTracking(job, pods, removals, finished, prevIndexes);
  if (isIndexed(job)) {
    const all = new Set([...prevIndexes, ...plan.newIndexes]);
    status.completedIndexes = formatIndexes(all);
    status.succeeded = all.size;
  }
  status.uncountedTerminatedPods = plan.uncounted;
  status.conditions ??= [];
  const conditions = status.conditions;
  if (finished?.type === 'FailureTarget') {
    conditions.push(finished);
    finished = newCondition('Failed', 'True', finished.reason!, finished.message!, now);
  }
  if (finished?.type === 'SuccessCriteriaMet') {
    if (!findCondition(job, 'SuccessCriteriaMet')) conditions.push(finished);
    finished = newCondition('Complete', 'True', finished.reason!, finished.message!, now);
  }
  let current = job;
  if (canonical(wireStatus(status)) !== original) current = await host.writeStatus(job);
  const withFinalizer = new Set(
    pods.filter((p) => hasFinalizer(p) && !removals.has(p.metadata.uid!)).map((p) => p.metadata.uid!),
  );
  const results = await Promise.allSettled(
    plan.removeFinalizer.map(async (p) => {
      removals.add(p.metadata.uid!);
      await host.podControl.removeFinalizer(p);
      withFinalizer.delete(p.metadata.uid!);
    }),
  );
  plan.removeFinalizer.forEach((p, i) => {
    if (results[i]!.status === 'rejected') removals.delete(p.metadata.uid!);
  });
  const next = structuredClone(current);
  next.status = { ...status };
  countUncounted(next.status, withFinalizer);
  const unc = next.status.uncountedTerminatedPods ?? {};
  const done =
    !!finished && !unc.succeeded?.length && !unc.failed?.length && (next.status.terminating ?? 0) === 0;
  if (done) {
    next.status.conditions ??= [];
    ensureCondition(
      next.status.conditions,
      finished!.type,
      'True',
      finished!.reason!,
      finished!.message!,
      now,
    );
    if (finished!.type === 'Complete') next.status.completionTime = now;
  }
  if (canonical(wireStatus(next.status)) !== canonical(wireStatus(current.status ?? {})))
    await host.writeStatus(next);
  if (done) recordFinished(host.recorder, next, finished!);
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
}

export function recordFinished(recorder: EventRecorder, job: Job, finished: Condition): void {
  if (finished.type !== 'Complete') {
    void recorder.record(job, 'Warning', finished.reason!, finished.message!);
    return;
  }
  if (job.spec.completions != null && (job.status?.succeeded ?? 0) > job.spec.completions)
    void recorder.record(
      job,
      'Warning',
      'TooManySucceededPods',
      'Too many succeeded pods running after completion count reached',
    );
  void recorder.record(job, 'Normal', 'Completed', 'Job completed');
}
