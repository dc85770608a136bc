/**
 * Maps of API objects kept by list+watch (one Reflector per collection, keyed namespace/name),
 * with listeners told, coalesced, after every burst of changes. The agent's Service and
 * NetworkPolicy caches are this with their own collections.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type pino from 'pino';
import { keyOf, Reflector } from './reflector.ts';

export class ReflectedMaps {
  private readonly reflectors: Reflector<KubernetesObject>[] = [];
  private readonly listeners: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly kc: KubeConfig;
  private readonly log: pino.Logger;
  private readonly coalesceMs: number;

  constructor(kc: KubeConfig, log: pino.Logger, coalesceMs = 10) {
    this.kc = kc;
    this.log = log;
    this.coalesceMs = coalesceMs;
  }

  /** Keeps `map` as the collection at `path` (listed by `list`) is. */
  protected reflect<T extends KubernetesObject>(
    path: string,
    list: () => Promise<{ items: T[] }>,
    map: Map<string, T>,
  ): void {
    const reflector = new Reflector<T>({
      kc: this.kc,
      path,
      list,
      filter: () => true,
      upsert: (o) => {
        map.set(keyOf(o), o);
        this.changed();
      },
      remove: (key) => {
        if (map.delete(key)) this.changed();
      },
      log: this.log,
    });
    this.reflectors.push(reflector as unknown as Reflector<KubernetesObject>);
  }

  /** Resolves once every list is in. */
  async start(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.start()));
    this.changed();
  }

  stop(): void {
    for (const r of this.reflectors) r.stop();
    clearTimeout(this.timer);
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const l of this.listeners) l();
    }, this.coalesceMs);
  }
}
