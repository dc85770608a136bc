/** Nodes, pods and a summary shared by the metrics API tests. */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Summary } from '../../agent/stats/types.ts';
import { MetricsApi } from './handlers.ts';

export const Mi = 1024 * 1024;

export const nodes: V1Node[] = [
  {
    metadata: { name: 'n1', labels: { zone: 'a' } },
    status: { allocatable: { cpu: '2', memory: '4Gi' }, capacity: { cpu: '2', memory: '4Gi' } },
  },
  {
    metadata: { name: 'n2', labels: { zone: 'b' } },
    status: { allocatable: { cpu: '2', memory: '4Gi' }, capacity: { cpu: '2', memory: '4Gi' } },
  },
];
export const pods: V1Pod[] = [
  {
    metadata: { name: 'web', namespace: 'default', uid: 'u1', labels: { app: 'web' } },
    spec: { nodeName: 'n1', containers: [] },
  },
  {
    metadata: { name: 'idle', namespace: 'default', uid: 'u3', labels: { app: 'idle' } },
    spec: { nodeName: 'n1', containers: [] },
  },
  {
    metadata: { name: 'dns', namespace: 'kube-system', uid: 'u2' },
    spec: { nodeName: 'n2', containers: [] },
  },
];
export const summaryN1: Summary = {
  node: { name: 'n1', cpu: { usageNanoCores: 250_000_000 }, memory: { workingSetBytes: 1024 * Mi } },
  pods: [
    {
      namespace: 'default',
      name: 'web',
      uid: 'u1',
      containers: [
        { name: 'app', cpu: { usageNanoCores: 100_000_000 }, memory: { workingSetBytes: 50 * Mi } },
        { name: 'side', cpu: { usageNanoCores: 5_000_000 }, memory: { workingSetBytes: 10 * Mi } },
      ],
    },
  ],
  timestamp: '2026-11-23T19:00:00.123Z',
  windowSeconds: 10.5,
};

export function fakeMetricsApi() {
  return new MetricsApi({
    fetchSummary: async (node) => {
      if (node === 'n1') return summaryN1;
      throw new Error('connection refused');
    },
    listNodes: async () => nodes,
    listPods: async (ns) => pods.filter((p) => ns === undefined || p.metadata?.namespace === ns),
  });
}
