import type { KubeObject } from '../api/object.ts';
import { isStatusError } from '../api/status.ts';
import { ensureNamespaceDefaults } from '../controllers/namespace-defaults/controller.ts';
import { NODE_LOCAL_LABEL } from '../network/proxy/service-ports.ts';
import type { Registry } from '../registry/registry.ts';
import type { ServerConfig } from './config.ts';

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Creates an object unless one of that name exists (bootstrap is safe to repeat). */
async function ensure(registry: Registry, group: string, plural: string, obj: KubeObject): Promise<void> {
  const store = registry.byResource(group, plural)!;
  try {
    await store.create(obj.metadata.namespace, obj);
  } catch (e) {
    if (!(isStatusError(e) && e.reason === 'AlreadyExists')) throw e;
  }
}

/**
 * What every cluster has from its first start: the system namespaces, the `kubernetes`
 * Service and its endpoints, and in each system namespace the root CA ConfigMap and the
 * `default` ServiceAccount (the namespace-defaults controller does the same for the rest).
 */
export async function bootstrap(
  registry: Registry,
  config: ServerConfig,
  serverCaPem: string,
): Promise<void> {
  for (const name of systemNamespaces) {
    await ensure(registry, '', 'namespaces', { metadata: { name } });
  }
  await ensure(registry, '', 'services', {
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: config.apiServiceIp,
      clusterIPs: [config.apiServiceIp],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: config.httpsListenPort }],
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
    },
  });
  await ensure(registry, '', 'endpoints', {
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
    },
    subsets: [
      {
        addresses: [{ ip: config.advertiseAddress }],
        ports: [{ name: 'https', port: config.httpsListenPort, protocol: 'TCP' }],
      },
    ],
  });
  await ensure(registry, '', 'services', kubeDnsService(config.clusterDns));
  for (const namespace of systemNamespaces) await ensureNamespaceDefaults(registry, namespace, serverCaPem);
}

/**
 * The `kube-dns` Service users and tools look for (k3s's CoreDNS has it). It selects no pods:
 * every node agent answers on the cluster DNS address itself, and the service proxy leaves
 * the address to it (the label below).
 */
export function kubeDnsService(clusterDns: string): KubeObject {
  return {
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: {
        'k8s-app': 'kube-dns',
        'kubernetes.io/name': 'CoreDNS',
        'kubernetes.io/cluster-service': 'true',
        [NODE_LOCAL_LABEL]: 'true',
      },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: clusterDns,
      clusterIPs: [clusterDns],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
        { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 },
      ],
      sessionAffinity: 'None',
    },
  };
}
