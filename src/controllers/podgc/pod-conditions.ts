/** Pod condition and deletion helpers shared by PodGC, taint eviction and node lifecycle. */
import { isObject, type KubeObject, timestamp } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import type { Registry } from '../../registry/registry.ts';

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
}

/**
 * upstream's UpdatePodCondition: adds or replaces the condition of that type, keeping the
 * transition time when the status stays; true when anything changed.
 */
export function updatePodCondition(status: Record<string, unknown>, condition: PodCondition): boolean {
  const conditions = Array.isArray(status.conditions) ? (status.conditions as PodCondition[]) : [];
  const next: PodCondition = { lastProbeTime: null, ...condition, lastTransitionTime: timestamp() };
  const i = conditions.findIndex((c) => c.type === condition.type);
  if (i < 0) {
    status.conditions = [...conditions, next];
    return true;
  }
  const old = conditions[i]!;
  if (old.status === next.status) next.lastTransitionTime = old.lastTransitionTime ?? null;
  const same =
    old.status === next.status &&
    (old.reason ?? '') === (next.reason ?? '') &&
    (old.message ?? '') === (next.message ?? '') &&
    (old.lastProbeTime ?? null) === (next.lastProbeTime ?? null) &&
    (old.lastTransitionTime ?? null) === (next.lastTransitionTime ?? null);
  conditions[i] = next;
  status.conditions = conditions;
  return !same;
}

const ignoreNotFound = (e: unknown) => {
  if (!(isStatusError(e) && e.code === 404)) throw e;
};

/** Writes a pod's status through the status subresource, if it is still the same pod. */
export async function updatePodStatus(
  registry: Registry,
  pod: KubeObject,
  change: (status: Record<string, unknown>) => boolean,
): Promise<void> {
  const pods = registry.byResource('', 'pods')!;
  try {
    await pods.guaranteedUpdate(
      pod.metadata.namespace,
      pod.metadata.name!,
      (cur) => {
        if (!cur || cur.metadata.uid !== pod.metadata.uid) return cur!;
        const status = isObject(cur.status) ? cur.status : {};
        cur.status = status;
        change(status);
        return cur;
      },
      { subresource: 'status' },
    );
  } catch (e) {
    ignoreNotFound(e);
  }
}

/**
 * upstream's markFailedAndDeletePodWithCondition: a pod not yet finished is marked Failed
 * (with the condition, when given), then force-deleted (grace period 0).
 */
export async function markFailedAndDeletePod(
  registry: Registry,
  pod: KubeObject,
  condition?: PodCondition,
): Promise<void> {
  const phase = isObject(pod.status) ? pod.status.phase : undefined;
  if (phase !== 'Succeeded' && phase !== 'Failed') {
    await updatePodStatus(registry, pod, (status) => {
      status.phase = 'Failed';
      if (condition) updatePodCondition(status, condition);
      return true;
    });
  }
  try {
    await registry.byResource('', 'pods')!.delete(pod.metadata.namespace, pod.metadata.name!, {
      gracePeriodSeconds: 0,
      preconditions: { uid: pod.metadata.uid! },
    });
  } catch (e) {
    // A different pod of that name by now (uid precondition): not ours to delete.
    if (isStatusError(e) && e.code === 409) return;
    ignoreNotFound(e);
  }
}
