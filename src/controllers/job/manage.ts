/**
 * Upstream's manageJob: deletes surplus active pods (all of them while suspended) and creates
 * pods toward min(parallelism, completions left), after any failure backoff.
 */

import type { WorkQueue } from '../../client/workqueue.ts';
import { podsToDelete } from '../util/active-pods.ts';
import type { Expectations } from '../util/expectations.ts';
import { podKey } from '../util/pods.ts';
import { slowStartBatch } from '../util/slow-start.ts';
import type { Pod } from '../util/types.ts';
import { type BackoffRecord, remainingBackoff } from './backoff.ts';
import { completionIndexOf, firstPendingIndexes, surplusIndexedPods } from './indexes.ts';
import type { JobPodControl } from './pods.ts';
import { isIndexed, isSuspended, type Job } from './types.ts';

/** Upstream's MaxPodCreateDeletePerSync. */
export const maxPodCreateDeletePerSync = 500;

export interface ManageHost {
  readonly queue: WorkQueue<string>;
  readonly expectations: Expectations;
  readonly podControl: JobPodControl;
  readonly now: () => number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

export interface ManageInput {
  readonly activePods: Pod[];
  readonly succeeded: number;
  readonly succeededIndexes: Set<number>;
  readonly backoff: BackoffRecord;
  readonly terminating: number;
}

async function deletePods(host: ManageHost, key: string, job: Job, victims: Pod[]): Promise<number> {
  host.expectations.expectDeletions(key, victims.map(podKey));
  const results = await Promise.allSettled(victims.map((p) => host.podControl.delete(job, p, true)));
  let removed = 0;
  let error: unknown;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') removed++;
    else {
      host.expectations.deletionObserved(key, podKey(victims[i]!));
      error ??= r.reason;
    }
  });
  if (error)
    throw Object.assign(new Error(`deleting pods: ${(error as Error).message}`), { removed, cause: error });
  return removed;
}

/** Returns how many pods are active afterwards (counting the ones just created). */
export async function manageJob(
  host: ManageHost,
  key: string,
  job: Job,
  input: ManageInput,
): Promise<number> {
  let active = input.activePods.length;
  if (isSuspended(job)) {
    if (active === 0) return 0;
    return active - (await deletePods(host, key, job, input.activePods.slice(0, maxPodCreateDeletePerSync)));
  }
  const parallelism = job.spec.parallelism ?? 1;
  const completions = job.spec.completions;
  let wantActive: number;
  if (completions == null) wantActive = input.succeeded > 0 ? active : parallelism;
  else wantActive = Math.max(0, Math.min(completions - input.succeeded, parallelism));

  let victims: Pod[] = [];
  if (isIndexed(job))
    victims = surplusIndexedPods(input.activePods, completions ?? 0, input.succeededIndexes);
  const keep = input.activePods.filter((p) => !victims.includes(p));
  const rmAtLeast = Math.max(0, keep.length - wantActive);
  victims = [...victims, ...podsToDelete(keep, [], rmAtLeast, host.now())].slice(
    0,
    maxPodCreateDeletePerSync,
  );
  if (victims.length > 0) return active - (await deletePods(host, key, job, victims));

  const terminating = job.spec.podReplacementPolicy === 'Failed' ? input.terminating : 0;
  let diff = wantActive - terminating - active;
  if (diff <= 0) return active;
  const wait = remainingBackoff(input.backoff, host.now(), host.backoffMs, host.maxBackoffMs);
  if (wait > 0) {
    host.queue.addAfter(key, wait);
    return active;
  }
  diff = Math.min(diff, maxPodCreateDeletePerSync);
  let indexes: number[] = [];
  if (isIndexed(job)) {
    const held = new Set(input.activePods.map(completionIndexOf));
    indexes = firstPendingIndexes(diff, completions ?? 0, input.succeededIndexes, held);
    diff = indexes.length;
  }
  if (diff === 0) return active;
  host.expectations.expectCreations(key, diff);
  const { successes, error } = await slowStartBatch(diff, 1, () =>
    host.podControl.create(job, isIndexed(job) ? indexes.shift()! : -1),
  );
  // Creates never attempted (or failed) will not be seen.
  for (let i = successes; i < diff; i++) host.expectations.creationObserved(key);
  active += successes;
  if (error) throw error;
  return active;
}
