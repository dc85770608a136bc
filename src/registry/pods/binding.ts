import { isObject, type KubeObject, timestamp } from '../../api/object.ts';
import { statusErrors } from '../../api/status.ts';
import type { ResourceStore, WriteOptions } from '../store.ts';

interface Condition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

/**
 * Binds a pending pod to a node, as pods/binding does: spec.nodeName set, PodScheduled True.
 * 409 when the pod is already bound or being deleted, 404 when it does not exist.
 */
export async function bindPod(
  pods: ResourceStore,
  namespace: string | undefined,
  name: string,
  node: string,
  annotations?: Record<string, string>,
  options: WriteOptions = {},
): Promise<KubeObject> {
  const { object } = await pods.guaranteedUpdate(
    namespace,
    name,
    (current) => {
      if (!current) throw statusErrors.notFound(pods.groupResource, name);
      const spec = isObject(current.spec) ? current.spec : {};
      if (current.metadata.deletionTimestamp) {
        throw statusErrors.conflict(
          pods.groupResource,
          name,
          `pod ${name} is being deleted, cannot be assigned to a host`,
        );
      }
      if (spec.nodeName) {
        throw statusErrors.conflict(
          pods.groupResource,
          name,
          `pod ${name} is already assigned to node "${String(spec.nodeName)}"`,
        );
      }
      const status = isObject(current.status) ? current.status : {};
      const conditions = ((status.conditions as Condition[] | undefined) ?? []).filter(
        (c) => c.type !== 'PodScheduled',
      );
      conditions.push({
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: timestamp(),
      });
      const pod: KubeObject = {
        ...current,
        // No precondition: a binding applies to whatever is current, retried on conflicts.
        metadata: { ...current.metadata, resourceVersion: undefined },
        spec: { ...spec, nodeName: node },
        status: { ...status, conditions },
      };
      if (annotations)
        pod.metadata = { ...pod.metadata, annotations: { ...pod.metadata.annotations, ...annotations } };
      return pod;
    },
    { ...options, subresource: 'binding' },
  );
  return object;
}
