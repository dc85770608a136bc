import { isObject, type KubeObject } from '../../api/object.ts';
import { statusErrors } from '../../api/status.ts';
import { checkMetadataTypes } from '../../api/validation/object-meta.ts';
import type { ResourceInfo } from '../../registry/resource.ts';
import { decodeObjectBody, readBody } from '../body.ts';
import { decodeTarget, type Reply, type ResourceRequest, writeOptions } from '../context.ts';

/** Checks a body's apiVersion, kind and metadata against the endpoint it was sent to. */
export function checkObjectBody(body: Record<string, unknown>, info: ResourceInfo): KubeObject {
  const expected = info.group ? `${info.group}/${info.version}` : info.version;
  if (body.apiVersion !== undefined && body.apiVersion !== expected) {
    throw statusErrors.badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expected})`,
    );
  }
  if (body.kind !== undefined && body.kind !== info.kind) {
    throw statusErrors.badRequest(
      `the kind in the data (${String(body.kind)}) does not match the expected kind (${info.kind})`,
    );
  }
  if (body.metadata === undefined || body.metadata === null) body.metadata = {};
  if (!isObject(body.metadata)) {
    throw statusErrors.badRequest(
      `json: cannot unmarshal ${Array.isArray(body.metadata) ? 'array' : typeof body.metadata} into Go struct field ${info.kind}.metadata of type v1.ObjectMeta`,
    );
  }
  checkMetadataTypes(body.metadata);
  return body as KubeObject;
}

export async function handleCreate(r: ResourceRequest): Promise<Reply> {
  if (r.info.name !== undefined) throw statusErrors.methodNotSupported(r.store.groupResource, 'create');
  const body = decodeObjectBody(await readBody(r.req), r.req.headers['content-type'], decodeTarget(r));
  const obj = checkObjectBody(body, r.store.info);
  const created = await r.store.create(r.info.namespace, obj, writeOptions(r));
  return { status: 201, body: created };
}
