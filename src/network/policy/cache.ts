/**
 * The agent's view of what NetworkPolicies need, by list+watch: Pods in all namespaces (peers
 * may run on any node), Namespaces (for namespaceSelector) and NetworkPolicies. Listeners are
 * told, coalesced, after every burst of changes.
 */
import {
  CoreV1Api,
  type KubeConfig,
  NetworkingV1Api,
  type V1Namespace,
  type V1NetworkPolicy,
  type V1Pod,
} from '@kubernetes/client-node';
import type pino from 'pino';
import { keyOf, Reflector } from '../../sim/reflector.ts';

type Obj = V1Pod | V1Namespace | V1NetworkPolicy;

export class PolicyCache {
  readonly pods = new Map<string, V1Pod>();
  readonly namespaces = new Map<string, V1Namespace>();
  readonly policies = new Map<string, V1NetworkPolicy>();
  private readonly reflectors: Reflector<Obj>[];
  private readonly listeners: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly coalesceMs: number;

  constructor(kc: KubeConfig, log: pino.Logger, coalesceMs = 10) {
    this.coalesceMs = coalesceMs;
    const core = kc.makeApiClient(CoreV1Api);
    const net = kc.makeApiClient(NetworkingV1Api);
    const reflect = <T extends Obj>(path: string, list: () => Promise<{ items: T[] }>, map: Map<string, T>) =>
      new Reflector<T>({
        kc,
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
        log,
      }) as unknown as Reflector<Obj>;
    this.reflectors = [
      reflect<V1Pod>('/api/v1/pods', () => core.listPodForAllNamespaces(), this.pods),
      reflect<V1Namespace>('/api/v1/namespaces', () => core.listNamespace(), this.namespaces),
      reflect<V1NetworkPolicy>(
        '/apis/networking.k8s.io/v1/networkpolicies',
        () => net.listNetworkPolicyForAllNamespaces(),
        this.policies,
      ),
    ];
  }

  /** Resolves once the three lists are in. */
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
