/** Test helpers for Jobs: a pod run to completion or failure, as a kubelet would report it. */
import { type KubeObject, timestamp } from '../../api/object.ts';
import type { Registry } from '../../registry/registry.ts';

export async function finishPod(
  registry: Registry,
  pod: KubeObject,
  phase: 'Succeeded' | 'Failed',
): Promise<void> {
  const now = timestamp();
  await registry.byResource('', 'pods')!.guaranteedUpdate(
    pod.metadata.namespace,
    pod.metadata.name!,
    (cur) => ({
      ...cur!,
      status: {
        phase,
        conditions: [{ type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: now }],
        containerStatuses: [
          {
            name: 'c',
            image: 'busybox',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: now } },
          },
        ],
      },
    }),
    { subresource: 'status' },
  );
}

export function jobObject(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      ...spec,
      template: {
        spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  };
}
