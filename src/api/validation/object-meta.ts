import { type FieldError, field } from '../field-errors.ts';
import { isObject, type ObjectMeta } from '../object.ts';
import { labelValueErrors, qualifiedNameErrors } from '../selectors/validation.ts';
import { statusErrors } from '../status.ts';

const totalAnnotationBytes = 256 * 1024;

const typeOf = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/**
 * The JSON types of metadata, checked before anything reads them: a wrong type is a decoding
 * error (400), as it is upstream, so nothing downstream ever sees one.
 */
export function checkMetadataTypes(meta: Record<string, unknown>): void {
  const expect = (key: string, want: string, ok: (v: unknown) => boolean) => {
    const v = meta[key];
    if (v === undefined || v === null || ok(v)) return;
    throw statusErrors.badRequest(
      `json: cannot unmarshal ${typeOf(v)} into Go struct field ObjectMeta.metadata.${key} of type ${want}`,
    );
  };
  const str = (v: unknown) => typeof v === 'string';
  const strMap = (v: unknown) => isObject(v) && Object.values(v).every((x) => typeof x === 'string');
  const strList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  for (const key of [
    'name',
    'generateName',
    'namespace',
    'uid',
    'resourceVersion',
    'creationTimestamp',
    'deletionTimestamp',
    'selfLink',
  ]) {
    expect(key, 'string', str);
  }
  expect('generation', 'int64', (v) => Number.isInteger(v));
  expect('deletionGracePeriodSeconds', 'int64', (v) => Number.isInteger(v));
  expect('labels', 'map[string]string', strMap);
  expect('annotations', 'map[string]string', strMap);
  expect('finalizers', '[]string', strList);
  expect('ownerReferences', '[]v1.OwnerReference', (v) => Array.isArray(v) && v.every(isObject));
  expect('managedFields', '[]v1.ManagedFieldsEntry', (v) => Array.isArray(v) && v.every(isObject));
}

/** Upstream's ValidateObjectMeta: labels, annotations, finalizers and owner references. */
export function validateObjectMeta(meta: ObjectMeta): FieldError[] {
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    for (const msg of qualifiedNameErrors(key)) errs.push(field.invalid('metadata.labels', key, msg));
    for (const msg of labelValueErrors(value)) errs.push(field.invalid('metadata.labels', value, msg));
  }
  let bytes = 0;
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    for (const msg of qualifiedNameErrors(key.toLowerCase()))
      errs.push(field.invalid('metadata.annotations', key, msg));
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > totalAnnotationBytes) {
    errs.push({
      type: 'TooLong',
      field: 'metadata.annotations',
      detail: `must have at most ${totalAnnotationBytes} bytes`,
    });
  }
  for (const [i, f] of (meta.finalizers ?? []).entries()) {
    for (const msg of qualifiedNameErrors(f)) errs.push(field.invalid(`metadata.finalizers[${i}]`, f, msg));
  }
  for (const [i, ref] of (meta.ownerReferences ?? []).entries()) {
    const path = `metadata.ownerReferences[${i}]`;
    if (!ref.apiVersion)
      errs.push(field.invalid(`${path}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(field.invalid(`${path}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(field.invalid(`${path}.name`, ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(field.invalid(`${path}.uid`, ref.uid ?? '', 'uid must not be empty'));
  }
  if ((meta.ownerReferences ?? []).filter((r) => r.controller).length > 1) {
    errs.push(
      field.invalid(
        'metadata.ownerReferences',
        meta.ownerReferences,
        'Only one reference can have Controller set to true',
      ),
    );
  }
  return errs;
}
