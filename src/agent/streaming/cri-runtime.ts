import type { CriClient } from '../cri/client.ts';
import type { ContainerRef, StreamingRuntime } from './types.ts';

type CriContainer = {
  id: string;
  podSandboxId: string;
  state: string;
  createdAt: number;
  labels: Record<string, string>;
};

/**
 * A StreamingRuntime that finds containers by the CRI labels the kubelet puts on them
 * (io.kubernetes.pod.namespace/name/uid, io.kubernetes.container.name): the newest instance is
 * the current one, the one before it is `previous`. Usable as is by an agent whose kubelet
 * keeps no better index.
 */
export function criStreamingRuntime(cri: Pick<CriClient, 'runtime'>): StreamingRuntime {
  return {
    cri,
    async findContainer(namespace, pod, container, { previous }): Promise<ContainerRef | undefined> {
      const labelSelector: Record<string, string> = {
        'io.kubernetes.pod.namespace': namespace,
        'io.kubernetes.pod.name': pod,
        ...(container ? { 'io.kubernetes.container.name': container } : {}),
      };
      const { containers } = (await cri.runtime.listContainers({ filter: { labelSelector } })) as {
        containers: CriContainer[];
      };
      const newest = [...(containers ?? [])].sort((a, b) => b.createdAt - a.createdAt);
      const found = newest[previous ? 1 : 0];
      if (!found) return undefined;
      const { status } = await cri.runtime.containerStatus({ containerId: found.id });
      return {
        podUid: found.labels['io.kubernetes.pod.uid'] ?? '',
        containerId: found.id,
        logPath: status.logPath,
        running: status.state === 'CONTAINER_RUNNING',
        podSandboxId: found.podSandboxId,
      };
    },
  };
}
