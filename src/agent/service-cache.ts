/**
 * The agent's view of Services and EndpointSlices, kept by list+watch over the API (as a remote
 * node keeps it): the cluster DNS and the service proxy rebuild from it. Listeners are told,
 * coalesced, after every burst of changes.
 */
import {
  CoreV1Api,
  DiscoveryV1Api,
  type KubeConfig,
  type V1EndpointSlice,
  type V1Service,
} from '@kubernetes/client-node';
import type pino from 'pino';
import { keyOf, Reflector } from '../sim/reflector.ts';

export class ServiceCache {
  readonly services = new Map<string, V1Service>();
  readonly slices = new Map<string, V1EndpointSlice>();
  private readonly reflectors: Reflector<V1Service | V1EndpointSlice>[];
  private readonly listeners: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly coalesceMs: number;

  constructor(kc: KubeConfig, log: pino.Logger, coalesceMs = 10) {
    this.coalesceMs = coalesceMs;
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const services = new Reflector<V1Service>({
      kc,
      path: '/api/v1/services',
      list: () => core.listServiceForAllNamespaces(),
      filter: () => true,
      upsert: (o) => this.put(this.services, o),
      remove: (key) => this.drop(this.services, key),
      log,
    });
    const slices = new Reflector<V1EndpointSlice>({
      kc,
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      list: () => discovery.listEndpointSliceForAllNamespaces(),
      filter: () => true,
      upsert: (o) => this.put(this.slices, o),
      remove: (key) => this.drop(this.slices, key),
      log,
    });
    this.reflectors = [services, slices] as Reflector<V1Service | V1EndpointSlice>[];
  }

  /** Resolves once both lists are in. */
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

  private put<T extends V1Service | V1EndpointSlice>(map: Map<string, T>, o: T): void {
    map.set(keyOf(o), o);
    this.changed();
  }

  private drop<T>(map: Map<string, T>, key: string): void {
    if (map.delete(key)) this.changed();
  }

  private changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const l of this.listeners) l();
    }, this.coalesceMs);
  }
}
