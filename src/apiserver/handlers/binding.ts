import { isObject } from '../../api/object.ts';
import { StatusError, statusErrors } from '../../api/status.ts';
import { bindPod } from '../../registry/pods/binding.ts';
import { decodeObjectBody, readBody } from '../body.ts';
import { type Reply, type ResourceRequest, writeOptions } from '../context.ts';

/** POST …/pods/{name}/binding, and the legacy …/bindings naming the pod in metadata.name. */
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
  const annotations = isObject(meta.annotations) ? (meta.annotations as Record<string, string>) : undefined;
  await bindPod(r.store, r.info.namespace, name, node, annotations, writeOptions(r));
  return {
    status: 201,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 },
  };
}
