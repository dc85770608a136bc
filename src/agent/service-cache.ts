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
import { ReflectedMaps } from '../sim/reflected-maps.ts';

export class ServiceCache extends ReflectedMaps {
  readonly services = new Map<string, V1Service>();
  readonly slices = new Map<string, V1EndpointSlice>();

  constructor(kc: KubeConfig, log: pino.Logger, coalesceMs = 10) {
    super(kc, log, coalesceMs);
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    this.reflect('/api/v1/services', () => core.listServiceForAllNamespaces(), this.services);
    this.reflect(
      '/apis/discovery.k8s.io/v1/endpointslices',
      () => discovery.listEndpointSliceForAllNamespaces(),
      this.slices,
    );
  }
}
