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
import { ReflectedMaps } from '../../sim/reflected-maps.ts';

export class PolicyCache extends ReflectedMaps {
  readonly pods = new Map<string, V1Pod>();
  readonly namespaces = new Map<string, V1Namespace>();
  readonly policies = new Map<string, V1NetworkPolicy>();

  constructor(kc: KubeConfig, log: pino.Logger, coalesceMs = 10) {
    super(kc, log, coalesceMs);
    const core = kc.makeApiClient(CoreV1Api);
    const net = kc.makeApiClient(NetworkingV1Api);
    this.reflect('/api/v1/pods', () => core.listPodForAllNamespaces(), this.pods);
    this.reflect('/api/v1/namespaces', () => core.listNamespace(), this.namespaces);
    this.reflect(
      '/apis/networking.k8s.io/v1/networkpolicies',
      () => net.listNetworkPolicyForAllNamespaces(),
      this.policies,
    );
  }
}
