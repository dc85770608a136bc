import { isObject, type KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import type { Registry } from '../../registry/registry.ts';
import type { EventRecorder } from '../events.ts';
import { updatePodCondition, updatePodStatus } from '../podgc/pod-conditions.ts';

/** upstream's MarkPodsNotReady: the pods' Ready condition goes False, with an event each. */
export async function markPodsNotReady(
  registry: Registry,
  recorder: EventRecorder,
  pods: readonly KubeObject[],
): Promise<void> {
  for (const pod of pods) {
    const conditions =
      isObject(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions : [];
    const ready = conditions.find((c) => isObject(c) && c.type === 'Ready') as
      | { type: string; status: string }
      | undefined;
    if (!ready || ready.status === 'False') continue;
    try {
      await updatePodStatus(registry, pod, (status) =>
        updatePodCondition(status, { ...ready, status: 'False' }),
      );
      await recorder.record(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
    } catch (err) {
      if (!(isStatusError(err) && err.code === 404)) throw err;
    }
  }
}
