import type { Logger } from 'pino';
import type { WorkQueue } from '../client/workqueue.ts';

/**
 * Runs `sync(key)` for queued keys on `workers` concurrent loops: success forgets the key's
 * failures, a throw re-queues it with backoff. Ends when the queue shuts down.
 */
export async function runWorkers(
  queue: WorkQueue<string>,
  sync: (key: string) => Promise<void>,
  workers: number,
  log: Logger,
): Promise<void> {
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        const retries = queue.retries(key);
        (retries < 5 ? log.debug : log.warn).call(log, { err, key, retries }, 'sync failed, retrying');
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
