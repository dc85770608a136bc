import { field, invalidError } from '../../api/field-errors.ts';
import { serverSideApply } from '../../api/managedfields/index.ts';
import { isObject, type KubeObject, timestamp } from '../../api/object.ts';
import { isStatusError, statusErrors } from '../../api/status.ts';
import { checkMetadataTypes } from '../../api/validation/object-meta.ts';
import { checkFields, parseStructured, readBody } from '../body.ts';
import { decodeTarget, dryRun, type Reply, type ResourceRequest } from '../context.ts';
import { boolParam } from '../query.ts';

/**
 * PATCH with application/apply-patch+yaml: server-side apply. The configuration is merged into
 * the live object (or creates it), with field ownership in managedFields and conflicts as 409.
 */
export async function handleApply(r: ResourceRequest): Promise<Reply> {
  const manager = r.query.get('fieldManager');
  if (!manager) {
    throw invalidError('PatchOptions', 'meta.k8s.io', '', [
      field.required('fieldManager', 'is required for apply patch'),
    ]);
  }
  const raw = await readBody(r.req);
  const applied = parseStructured(raw, 'application/apply-patch+yaml');
  if (!isObject(applied)) throw statusErrors.badRequest('an apply patch must be an object');
  if (applied.metadata !== undefined && !isObject(applied.metadata)) {
    throw statusErrors.badRequest('metadata must be an object');
  }
  if (isObject(applied.metadata)) checkMetadataTypes(applied.metadata);
  checkFields(JSON.stringify(applied), decodeTarget(r));
  const config = applied as KubeObject;
  const { group, version, kind } = r.store.info;
  const { namespace, name, subresource } = r.info;
  const options = {
    manager,
    force: boolParam(r.query, 'force'),
    group,
    version,
    kind,
    now: timestamp(),
    ...(name ? { name } : {}),
    ...(namespace ? { namespace } : {}),
    ...(subresource ? { subresource } : {}),
  };
  const write = { dryRun: dryRun(r.query) };
  const exists = await r.store.get(namespace, name!).catch((e) => {
    if (isStatusError(e) && e.code === 404) return undefined;
    throw e;
  });
  if (!exists && !subresource) {
    const { object } = serverSideApply(undefined, config, options);
    try {
      return { status: 201, body: await r.store.create(namespace, object, write) };
    } catch (e) {
      // Created meanwhile by someone else: apply to it instead.
      if (!(isStatusError(e) && e.reason === 'AlreadyExists')) throw e;
    }
  }
  const { object } = await r.store.guaranteedUpdate(
    namespace,
    name!,
    (current) => {
      if (!current) throw statusErrors.notFound(r.store.groupResource, name!);
      const merged = serverSideApply(current, config, options).object;
      delete merged.metadata.resourceVersion;
      return merged;
    },
    { ...write, ...(subresource ? { subresource } : {}) },
  );
  return { status: 200, body: object };
}
