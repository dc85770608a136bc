/**
 * Test helpers for the workload controllers: a registry on the memory backend with the
 * default namespace, a stand-in kubelet that marks pods Running and Ready, and polling.
 */
import { type KubeObject, timestamp } from '../../api/object.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { Registry } from '../../registry/registry.ts';
import { openBackend } from '../../storage/index.ts';
import type { Backend } from '../../storage/types.ts';

export async function testRegistry(): Promise<{ registry: Registry; backend: Backend }> {
  const backend = openBackend('memory:', { compactIntervalMs: 0 });
  const registry = new Registry(backend);
  await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'default' } });
  return { registry, backend };
}

/** What a kubelet reports once a pod's containers run and pass readiness. */
export async function markPodReady(registry: Registry, pod: KubeObject, ready = true): Promise<void> {
  const now = timestamp();
  await registry.byResource('', 'pods')!.guaranteedUpdate(
    pod.metadata.namespace,
    pod.metadata.name!,
    (cur) => {
      const status = (cur!.status ?? {}) as Record<string, unknown>;
      return {
        ...cur!,
        status: {
          ...status,
          phase: 'Running',
          conditions: [
            { type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now },
          ],
        },
      };
    },
    { subresource: 'status' },
  );
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A stand-in kubelet: every pod that appears is marked Running and Ready after `delayMs`,
 * unless `hold` says to leave it pending.
 */
export class FakeKubelet {
  hold: (pod: KubeObject) => boolean = () => false;
  private readonly registry: Registry;
  private readonly delayMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private informer: InformerHandle | undefined;

  constructor(registry: Registry, delayMs = 10) {
    this.registry = registry;
    this.delayMs = delayMs;
  }

  async start(): Promise<void> {
    this.informer = sharedInformers(this.registry).forStore(this.registry.byResource('', 'pods')!);
    const consider = (pod: KubeObject) => {
      const status = pod.status as { phase?: string } | undefined;
      if (this.stopped || pod.metadata.deletionTimestamp || status?.phase === 'Running' || this.hold(pod))
        return;
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.stopped) markPodReady(this.registry, pod).catch(() => {});
      }, this.delayMs);
      this.timers.add(t);
    };
    this.informer.addHandler({ add: consider, update: (_o, p) => consider(p) });
    await this.informer.start();
  }

  /** Marks pods that were held back (now that `hold` lets them go). */
  release(): void {
    for (const pod of this.informer?.list() ?? []) {
      const status = pod.status as { phase?: string } | undefined;
      if (status?.phase !== 'Running' && !this.hold(pod)) markPodReady(this.registry, pod).catch(() => {});
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.informer?.stop();
  }
}
