import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { namespaceFinalizer } from '../../registry/namespaces/strategy.ts';
import type { Registry } from '../../registry/registry.ts';
import { runWorkers } from '../run-workers.ts';

/**
 * Empties a Terminating namespace: deletes everything in it (in the background, so owners'
 * finalizers still run), and once nothing is left removes the `kubernetes` finalizer so the
 * namespace itself goes.
 */
export class NamespaceController {
  private readonly queue = new WorkQueue<string>();
  private readonly informer: InformerHandle;
  private readonly registry: Registry;
  private readonly log: Logger;

  constructor(registry: Registry, log: Logger) {
    this.registry = registry;
    this.log = log.child({ controller: 'namespace' });
    this.informer = sharedInformers(registry).forStore(registry.byResource('', 'namespaces')!);
    const enqueue = (o: KubeObject) => {
      if (o.metadata.deletionTimestamp) this.queue.add(o.metadata.name!);
    };
    this.informer.addHandler({ add: enqueue, update: (_old, o) => enqueue(o) });
  }

  async start(): Promise<void> {
    await this.informer.start();
    void runWorkers(this.queue, (key) => this.sync(key), 2, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    this.informer.stop();
  }

  async sync(name: string): Promise<void> {
    const ns = this.informer.get(name);
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const store of this.registry.all()) {
      if (!store.info.namespaced || !store.info.verbs.includes('delete')) continue;
      const { items } = await store.list(name);
      for (const item of items) {
        remaining++;
        if (item.metadata.deletionTimestamp) continue;
        try {
          await store.delete(name, item.metadata.name!, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!(isStatusError(e) && e.code === 404)) throw e;
        }
      }
    }
    if (remaining > 0) {
      // Objects still held by finalizers: look again shortly.
      throw new Error(`namespace ${name}: ${remaining} objects still being deleted`);
    }
    const namespaces = this.registry.byResource('', 'namespaces')!;
    try {
      await namespaces.guaranteedUpdate(
        undefined,
        name,
        (cur) => {
          const spec = (cur!.spec ?? {}) as { finalizers?: string[] };
          return {
            ...cur!,
            spec: { ...spec, finalizers: (spec.finalizers ?? []).filter((f) => f !== namespaceFinalizer) },
          };
        },
        { subresource: 'finalize' },
      );
    } catch (e) {
      if (!(isStatusError(e) && e.code === 404)) throw e;
    }
  }
}
