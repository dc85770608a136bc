import { isObject, type KubeObject } from '../../api/object.ts';
import { statusErrors } from '../../api/status.ts';
import { checkMetadataTypes } from '../../api/validation/object-meta.ts';
import { mediaType, parseStructured, readBody } from '../body.ts';
import { dryRun, type Reply, type ResourceRequest } from '../context.ts';
import { applyJsonPatch } from '../patch/json-patch.ts';
import { applyMergePatch } from '../patch/merge-patch.ts';

export type Patcher = (current: KubeObject, patch: unknown) => unknown;

export const patchers: Record<string, Patcher> = {
  'application/json-patch+json': applyJsonPatch,
  'application/merge-patch+json': applyMergePatch,
  // Until the schema-aware strategic merge lands, lists are replaced as in a merge patch.
  'application/strategic-merge-patch+json': applyMergePatch,
};

export async function handlePatch(r: ResourceRequest): Promise<Reply> {
  const sub = r.info.subresource;
  if (sub !== undefined && sub !== 'status')
    throw statusErrors.methodNotSupported(r.store.groupResource, 'patch');
  const type = mediaType(r.req.headers['content-type']);
  const patcher = patchers[type];
  if (!patcher) {
    throw statusErrors.unsupportedMediaType(type);
  }
  const patch = parseStructured(await readBody(r.req), type);
  if (type !== 'application/json-patch+json' && !isObject(patch)) {
    throw statusErrors.badRequest('a merge patch must be a JSON object');
  }
  const { object } = await r.store.guaranteedUpdate(
    r.info.namespace,
    r.info.name!,
    (current) => {
      if (!current) throw statusErrors.notFound(r.store.groupResource, r.info.name!);
      const rv = current.metadata.resourceVersion;
      const patched = patcher(current, patch);
      if (!isObject(patched) || !isObject(patched.metadata)) {
        throw statusErrors.badRequest('the patch must leave an object with metadata');
      }
      checkMetadataTypes(patched.metadata);
      const out = patched as KubeObject;
      // A patch that does not name a resourceVersion applies to whatever is current.
      if (out.metadata.resourceVersion === rv) delete out.metadata.resourceVersion;
      return out;
    },
    { dryRun: dryRun(r.query), ...(sub ? { subresource: sub } : {}) },
  );
  return { status: 200, body: object };
}
