/** Nodes and pods for MetricsApi read from the API server's own registry. */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Registry } from '../../registry/registry.ts';
import type { MetricsApiOptions } from './handlers.ts';

export function registryListers(registry: Registry): Pick<MetricsApiOptions, 'listNodes' | 'listPods'> {
  const store = (plural: string) => {
    const s = registry.byResource('', plural);
    if (!s) throw new Error(`metrics API: the registry serves no ${plural}`);
    return s;
  };
  return {
    listNodes: async () => (await store('nodes').list(undefined)).items as V1Node[],
    listPods: async (namespace) => (await store('pods').list(namespace)).items as V1Pod[],
  };
}
