import type { Logger } from 'pino';
import { isObject, type KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { objectKeyOf } from '../../client/informer.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import { runWorkers } from '../run-workers.ts';

/** Node timers overflow past 2^31-1 ms (about 24.8 days); longer waits are re-checked. */
const maxTimerMs = 2 ** 31 - 1;

/** When a finished Job may be deleted: finish time + ttl; undefined when it never may. */
export function expiresAt(job: KubeObject): number | undefined {
  if (job.metadata.deletionTimestamp) return undefined;
  const spec = isObject(job.spec) ? job.spec : {};
  const ttl = spec.ttlSecondsAfterFinished;
  if (typeof ttl !== 'number') return undefined;
  const status = isObject(job.status) ? job.status : {};
  const conditions = Array.isArray(status.conditions) ? (status.conditions as Record<string, unknown>[]) : [];
  const finished = conditions.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  if (!finished) return undefined;
  const at = Date.parse(String(finished.lastTransitionTime ?? ''));
  // upstream: a finished Job without a finish time is an error; it is not cleaned up.
  return Number.isNaN(at) ? undefined : at + ttl * 1000;
}

/**
 * upstream's TTL-after-finished controller: a Job with spec.ttlSecondsAfterFinished is
 * deleted that long after it completed or failed, in the foreground (its pods first), after
 * checking the stored Job once more.
 */
export class TtlAfterFinishedController {
  private readonly queue = new WorkQueue<string>();
  readonly jobs: InformerHandle;
  private readonly registry: Registry;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(registry: Registry, log: Logger, options: { now?: () => number } = {}) {
    this.registry = registry;
    this.log = log.child({ controller: 'ttl-after-finished' });
    this.now = options.now ?? Date.now;
    this.jobs = sharedInformers(registry).forStore(registry.byResource('batch', 'jobs')!);
    const changed = (job: KubeObject) => {
      if (expiresAt(job) !== undefined) this.queue.add(objectKeyOf(job));
    };
    this.jobs.addHandler({ add: changed, update: (_o, n) => changed(n) });
  }

  async start(): Promise<void> {
    await this.jobs.start();
    void runWorkers(this.queue, (key) => this.sync(key), 5, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    this.jobs.stop();
  }

  async sync(key: string): Promise<void> {
    const cached = this.jobs.get(key);
    if (!cached) return;
    const due = expiresAt(cached);
    if (due === undefined) return;
    if (due > this.now()) {
      this.queue.addAfter(key, Math.min(due - this.now(), maxTimerMs));
      return;
    }
    // The cache may be behind (the ttl changed, or the Job restarted): check the stored Job.
    const store = this.registry.byResource('batch', 'jobs')!;
    let fresh: KubeObject;
    try {
      fresh = await store.get(cached.metadata.namespace, cached.metadata.name!);
    } catch (e) {
      if (isStatusError(e) && e.code === 404) return;
      throw e;
    }
    const freshDue = expiresAt(fresh);
    if (freshDue === undefined) return;
    if (freshDue > this.now()) {
      this.queue.addAfter(key, Math.min(freshDue - this.now(), maxTimerMs));
      return;
    }
    this.log.info({ job: key }, 'cleaning up a finished Job');
    try {
      await store.delete(fresh.metadata.namespace, fresh.metadata.name!, {
        propagationPolicy: 'Foreground',
        preconditions: { uid: fresh.metadata.uid! },
      });
    } catch (e) {
      if (!(isStatusError(e) && (e.code === 404 || e.code === 409))) throw e;
    }
  }
}
