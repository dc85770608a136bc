/** The fields of batch/v1 Jobs the Job and CronJob controllers read and write, as on the wire. */
import type { KubeObject } from '../../api/object.ts';
import type { LabelSelectorObject } from '../../api/selectors/index.ts';
import type { Condition, Pod, PodTemplate } from '../util/types.ts';

export const trackingFinalizer = 'batch.kubernetes.io/job-tracking';
export const completionIndexAnnotation = 'batch.kubernetes.io/job-completion-index';
export const completionIndexEnv = 'JOB_COMPLETION_INDEX';

export interface UncountedTerminatedPods {
  succeeded?: string[];
  failed?: string[];
}

export interface JobStatus {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  ready?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: UncountedTerminatedPods;
}

export interface Job extends KubeObject {
  spec: {
    parallelism?: number;
    completions?: number | null;
    activeDeadlineSeconds?: number;
    backoffLimit?: number;
    selector?: LabelSelectorObject;
    template?: PodTemplate;
    completionMode?: string;
    suspend?: boolean;
    podReplacementPolicy?: string;
    [field: string]: unknown;
  };
  status?: JobStatus;
}

export const isIndexed = (job: Job): boolean => job.spec.completionMode === 'Indexed';
export const isSuspended = (job: Job): boolean => job.spec.suspend === true;

export function findCondition(job: Job, type: string): Condition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Complete or Failed, the terminal conditions (upstream's IsJobFinished). */
export function finishedCondition(job: Job): Condition | undefined {
  return findCondition(job, 'Complete') ?? findCondition(job, 'Failed');
}

export const hasFinalizer = (pod: Pod): boolean => !!pod.metadata.finalizers?.includes(trackingFinalizer);

export const phaseOf = (pod: Pod): string | undefined => pod.status?.phase;
export const isTerminating = (pod: Pod): boolean =>
  !!pod.metadata.deletionTimestamp && phaseOf(pod) !== 'Succeeded' && phaseOf(pod) !== 'Failed';

/** A pod that failed, or was deleted before it succeeded (upstream's isPodFailed). */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (phaseOf(pod) === 'Failed') return true;
  if (job.spec.podFailurePolicy || job.spec.podReplacementPolicy === 'Failed') return false;
  return !!pod.metadata.deletionTimestamp && phaseOf(pod) !== 'Succeeded';
}

/** Sets a condition's status, bumping its transition time when it changes; false when nothing did. */
export function ensureCondition(
  conditions: Condition[],
  type: string,
  status: string,
  reason: string,
  message: string,
  now: string,
): boolean {
  const cur = conditions.find((c) => c.type === type);
  if (!cur) {
    if (status === 'False') return false;
    conditions.push(newCondition(type, status, reason, message, now));
    return true;
  }
  if (cur.status === status && cur.reason === reason && cur.message === message) return false;
  if (cur.status !== status) cur.lastTransitionTime = now;
  Object.assign(cur, { status, reason, message, lastProbeTime: now });
  return true;
}

export function newCondition(
  type: string,
  status: string,
  reason: string,
  message: string,
  now: string,
): Condition {
  return { type, status, lastProbeTime: now, lastTransitionTime: now, reason, message };
}
