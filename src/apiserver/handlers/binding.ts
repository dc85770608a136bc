import { isObject, type KubeObject, timestamp } from '../../api/object.ts';
import { StatusError, statusErrors } from '../../api/status.ts';
import { decodeObjectBody, readBody } from '../body.ts';
import { dryRun, type Reply, type ResourceRequest } from '../context.ts';

interface Condition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

/**
 * POST …/pods/{name}/binding (and the legacy …/bindings): assigns a pending pod to a node, as
 * the scheduler does. A pod already bound is a 409; the PodScheduled condition turns True.
 */
export async function handleBinding(r: ResourceRequest, podName?: string): Promise<Reply> {
  const body = decodeObjectBody(await readBody(r.req), r.req.headers['content-type']);
  const meta = isObject(body.metadata) ? body.metadata : {};
  const name = podName ?? (typeof meta.name === 'string' ? meta.name : '');
  if (!name) throw statusErrors.badRequest('a Binding needs metadata.name: the pod to bind');
  if (podName !== undefined && meta.name !== undefined && meta.name !== podName) {
    throw statusErrors.badRequest(
      `the name of the object (${String(meta.name)}) does not match the name on the URL (${podName})`,
    );
  }
  const target = isObject(body.target) ? body.target : {};
  const node = typeof target.name === 'string' ? target.name : '';
  if (!node) {
    throw new StatusError(422, 'Invalid', `Binding "${name}" is invalid: target.name: Required value`, {
      name,
      kind: 'Binding',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }],
    });
  }
  const pods = r.store;
  await pods.guaranteedUpdate(
    r.info.namespace,
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
        spec: { ...spec, nodeName: node },
        status: { ...status, conditions },
      };
      const annotations = isObject(meta.annotations)
        ? (meta.annotations as Record<string, string>)
        : undefined;
      if (annotations)
        pod.metadata = { ...pod.metadata, annotations: { ...pod.metadata.annotations, ...annotations } };
      return pod;
    },
    { dryRun: dryRun(r.query), subresource: 'binding' },
  );
  return {
    status: 201,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 },
  };
}
