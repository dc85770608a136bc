/**
 * Service ClusterIP and NodePort allocation, wired as admission on the services store: the
 * allocator's state is rebuilt from the stored Services at start and kept in step by a watch,
 * so nothing but the Services themselves records what is allocated.
 */
import type { KubeObject } from '../../api/object.ts';
import { Informer, objectKeyOf } from '../../client/informer.ts';
import { localListWatch } from '../../client/local.ts';
import type { Registry } from '../registry.ts';
import { ServiceAllocator } from './service-allocator.ts';

export { ServiceAllocator } from './service-allocator.ts';

export interface AllocationConfig {
  readonly serviceCidr: string;
  readonly apiServiceIp: string;
  readonly clusterDns: string;
  readonly serviceNodePortRange?: string;
}

export interface ServiceAllocation {
  readonly allocator: ServiceAllocator;
  stop(): void;
}

/**
 * Starts allocation for the registry's services store: lists the Services, then chains the
 * allocator after the store's existing admission. Call once, before anything creates Services.
 */
export async function serviceAllocation(
  registry: Registry,
  config: AllocationConfig,
): Promise<ServiceAllocation> {
  const store = registry.byResource('', 'services');
  if (!store) throw new Error('the registry serves no services');
  const allocator = new ServiceAllocator({
    serviceCidr: config.serviceCidr,
    reservedIPs: [config.apiServiceIp, config.clusterDns],
    ...(config.serviceNodePortRange ? { nodePortRange: config.serviceNodePortRange } : {}),
  });
  const informer = new Informer(localListWatch(store));
  const observe = (o: KubeObject) => allocator.observe(objectKeyOf(o), o);
  informer.addHandler({
    add: observe,
    update: (_old, o) => observe(o),
    delete: (o) => allocator.observe(objectKeyOf(o), undefined),
  });
  await informer.start();
  const previous = store.admit;
  store.admit = async (op, obj, old) => {
    await previous?.(op, obj, old);
    if (op === 'create') allocator.allocateCreate(obj);
    else if (op === 'update' && old) allocator.allocateUpdate(obj, old);
  };
  return {
    allocator,
    stop() {
      informer.stop();
      store.admit = previous;
    },
  };
}
