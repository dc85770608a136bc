import { field, invalidError } from '../../api/field-errors.ts';
import { isObject, type KubeObject } from '../../api/object.ts';
import {
  findDuplicateFields,
  findUnknownFields,
  strictDecodingError,
  strictErrorMessage,
} from '../../api/schema/unknown-fields.ts';
import { statusErrors } from '../../api/status.ts';
import { checkMetadataTypes } from '../../api/validation/object-meta.ts';
import type { ResourceInfo } from '../../registry/resource.ts';
import { fieldValidationOf, mediaType, parseStructured, readBody } from '../body.ts';
import { type Reply, type ResourceRequest, writeOptions } from '../context.ts';
import { applyJsonPatch } from '../patch/json-patch.ts';
import { applyMergePatch } from '../patch/merge-patch.ts';
import { smpSchemaFor } from '../patch/smp-schema.ts';
import { applyStrategicMergePatch } from '../patch/strategic/index.ts';
import { handleApply } from './apply.ts';

export type Patcher = (current: KubeObject, patch: unknown, info: ResourceInfo) => unknown;

function strategic(current: KubeObject, patch: unknown, info: ResourceInfo): unknown {
  try {
    return applyStrategicMergePatch(current, patch, smpSchemaFor(info.group, info.version, info.kind));
  } catch (e) {
    throw statusErrors.badRequest(`unable to apply the strategic merge patch: ${(e as Error).message}`);
  }
}

export const patchers: Record<string, Patcher> = {
  'application/json-patch+json': applyJsonPatch,
  'application/merge-patch+json': applyMergePatch,
  'application/strategic-merge-patch+json': strategic,
};

/** fieldValidation for a patch: unknown fields in the result, duplicates in the patch text. */
function checkPatchFields(r: ResourceRequest, patchText: string, patched: KubeObject): void {
  const mode = fieldValidationOf(r.query.get('fieldValidation'));
  if (mode === 'Ignore') return;
  const { group, version, kind } = r.store.info;
  const errs = [
    ...findDuplicateFields(patchText).map((path) => ({ type: 'duplicate field' as const, path })),
    ...findUnknownFields(group, version, kind, patched).map((path) => ({
      type: 'unknown field' as const,
      path,
    })),
  ];
  if (errs.length === 0) return;
  if (mode === 'Warn') {
    r.warnings.push(...errs.map(strictErrorMessage));
    return;
  }
  throw invalidError(kind, group, r.info.name ?? '', [
    field.invalid('patch', patchText, strictDecodingError(errs)),
  ]);
}

export async function handlePatch(r: ResourceRequest): Promise<Reply> {
  const sub = r.info.subresource;
  if (sub !== undefined && sub !== 'status')
    throw statusErrors.methodNotSupported(r.store.groupResource, 'patch');
  const type = mediaType(r.req.headers['content-type']);
  if (type === 'application/apply-patch+yaml') return handleApply(r);
  if (r.query.has('force')) throw statusErrors.badRequest('force may only be specified with an apply patch');
  const patcher = patchers[type];
  if (!patcher) {
    throw statusErrors.unsupportedMediaType(type);
  }
  const raw = await readBody(r.req);
  const patch = parseStructured(raw, type);
  if (type !== 'application/json-patch+json' && !isObject(patch)) {
    throw statusErrors.badRequest('a merge patch must be a JSON object');
  }
  const { object } = await r.store.guaranteedUpdate(
    r.info.namespace,
    r.info.name!,
    (current) => {
      if (!current) throw statusErrors.notFound(r.store.groupResource, r.info.name!);
      const rv = current.metadata.resourceVersion;
      const patched = patcher(current, patch, r.store.info);
      if (!isObject(patched) || !isObject(patched.metadata)) {
        throw statusErrors.badRequest('the patch must leave an object with metadata');
      }
      checkMetadataTypes(patched.metadata);
      const out = patched as KubeObject;
      checkPatchFields(r, raw.toString('utf8'), out);
      // A patch that does not name a resourceVersion applies to whatever is current.
      if (out.metadata.resourceVersion === rv) delete out.metadata.resourceVersion;
      return out;
    },
    { ...writeOptions(r), ...(sub ? { subresource: sub } : {}) },
  );
  return { status: 200, body: object };
}
