/**
 * The checks on a custom resource beyond its OpenAPI schema, as apiextensions-apiserver makes them:
 * unique entries in x-kubernetes-list-type set/map lists (listtype), apiVersion/kind/metadata of
 * embedded resources (objectmeta), and the replicas paths of the scale subresource.
 */
import { type FieldError, field } from '../../api/field-errors.ts';
import { pathSegmentName } from '../../api/names.ts';
import { isObject, type ObjectMeta } from '../../api/object.ts';
import { validateObjectMeta } from '../../api/validation/object-meta.ts';
import { goType, goValue } from './go-format.ts';
import { dns1035Label } from './names.ts';
import type { CustomResourceSubresourceScale, JSONSchemaProps } from './types.ts';

/** JSON with sorted keys, as Go's json.Marshal writes maps. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** Indices of the second occurrence of each repeated value. */
function repeated(values: unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  for (const [i, v] of values.entries()) {
    const k = canonical(v);
    const n = seen.get(k) ?? 0;
    if (n === 1) out.push(i);
    seen.set(k, n + 1);
  }
  return out;
}

function listErrors(p: string, s: JSONSchemaProps, list: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  const type = s['x-kubernetes-list-type'];
  if (type === 'set') for (const i of repeated(list)) errs.push(field.duplicate(`${p}[${i}]`, list[i]));
  if (type === 'map') {
    const bad = list.findIndex((x) => x !== null && !isObject(x));
    if (bad >= 0)
      return [field.invalid(`${p}[${bad}]`, list[bad], 'must be an object for an array of list-type map')];
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const ids = list.map((x) => {
      const id: Record<string, unknown> = {};
      for (const k of keys) if (isObject(x) && k in x) id[k] = x[k];
      return id;
    });
    for (const i of repeated(ids)) errs.push(field.duplicate(`${p}[${i}]`, ids[i]));
  }
  const items = !Array.isArray(s.items) ? s.items : undefined;
  if (items) for (const [i, x] of list.entries()) errs.push(...listSetsAndMaps(`${p}[${i}]`, items, x));
  return errs;
}

/** Duplicate entries of set and map lists anywhere in `obj` (upstream's ValidateListSetsAndMaps). */
export function listSetsAndMaps(p: string, s: JSONSchemaProps | undefined, obj: unknown): FieldError[] {
  if (!s) return [];
  if (Array.isArray(obj)) return listErrors(p, s, obj);
  if (!isObject(obj)) return [];
  const errs: FieldError[] = [];
  const extra = isObject(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined;
  if (extra) for (const [k, v] of Object.entries(obj)) errs.push(...listSetsAndMaps(`${p}[${k}]`, extra, v));
  for (const [k, v] of Object.entries(obj)) {
    const sub = s.properties?.[k];
    if (sub) errs.push(...listSetsAndMaps(p ? `${p}.${k}` : k, sub, v));
  }
  return errs;
}

function embeddedResource(p: string, x: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  if (!('apiVersion' in x)) errs.push(field.required(`${p}.apiVersion`));
  if (!('kind' in x)) errs.push(field.required(`${p}.kind`));
  const apiVersion = x.apiVersion;
  if ('apiVersion' in x) {
    if (typeof apiVersion !== 'string')
      errs.push(field.invalid(`${p}.apiVersion`, apiVersion, 'must be a string'));
    else if (!apiVersion) errs.push(field.invalid(`${p}.apiVersion`, apiVersion, 'must not be empty'));
    else if (apiVersion.split('/').length > 2) {
      errs.push(
        field.invalid(`${p}.apiVersion`, apiVersion, `unexpected GroupVersion string: ${apiVersion}`),
      );
    }
  }
  const kind = x.kind;
  if ('kind' in x) {
    if (typeof kind !== 'string') errs.push(field.invalid(`${p}.kind`, kind, 'must be a string'));
    else if (!kind) errs.push(field.invalid(`${p}.kind`, kind, 'must not be empty'));
    else {
      const e = dns1035Label(kind.toLowerCase());
      if (e.length > 0)
        errs.push(
          field.invalid(`${p}.kind`, kind, `may have mixed case, but should otherwise match: ${e.join(',')}`),
        );
    }
  }
  if (isObject(x.metadata)) {
    const meta = x.metadata as ObjectMeta;
    for (const msg of meta.name ? pathSegmentName(meta.name) : [])
      errs.push(field.invalid(`${p}.metadata.name`, meta.name, msg));
    for (const e of validateObjectMeta(meta)) errs.push({ ...e, field: `${p}.${e.field}` });
  } else if ('metadata' in x && x.metadata !== null) {
    errs.push(field.invalid(`${p}.metadata`, x.metadata, 'must be an object'));
  }
  return errs;
}

/** apiVersion, kind and metadata of every x-kubernetes-embedded-resource below the root. */
export function embeddedResources(p: string, s: JSONSchemaProps | undefined, x: unknown): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  if (Array.isArray(x)) {
    const items = !Array.isArray(s.items) ? s.items : undefined;
    for (const [i, v] of x.entries()) errs.push(...embeddedResources(`${p}[${i}]`, items, v));
    return errs;
  }
  if (!isObject(x)) return errs;
  if (s['x-kubernetes-embedded-resource']) errs.push(...embeddedResource(p, x));
  const extra = isObject(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined;
  for (const [k, v] of Object.entries(x)) {
    const sub = s.properties?.[k];
    if (sub) errs.push(...embeddedResources(p ? `${p}.${k}` : k, sub, v));
    else if (extra) errs.push(...embeddedResources(`${p}[${k}]`, extra, v));
  }
  return errs;
}

/** The value at a `.a.b` path, and whether it was there. */
export function valueAt(obj: unknown, path: string): { found: boolean; value: unknown } {
  let cur: unknown = obj;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (!isObject(cur) || !(part in cur)) return { found: false, value: undefined };
    cur = cur[part];
  }
  return { found: true, value: cur };
}

function accessorError(path: string, value: unknown, expected: string): string {
  return `.${path.replace(/^\./, '')} accessor error: ${goValue(value)} is of the type ${goType(value)}, expected ${expected}`;
}

function replicasErrors(obj: unknown, path: string | undefined): FieldError[] {
  if (!path) return [];
  const { found, value } = valueAt(obj, path);
  if (!found) return [];
  if (typeof value !== 'number' || !Number.isInteger(value))
    return [field.invalid(path, 0, accessorError(path, value, 'int64'))];
  if (value < 0) return [field.invalid(path, value, 'should be a non-negative integer')];
  if (value > 2 ** 31 - 1)
    return [field.invalid(path, value, `should be less than or equal to ${2 ** 31 - 1}`)];
  return [];
}

/** Upstream's ValidateScaleSpec and ValidateScaleStatus. */
export function scaleErrors(obj: unknown, scale: CustomResourceSubresourceScale | undefined): FieldError[] {
  if (!scale) return [];
  const errs = [
    ...replicasErrors(obj, scale.specReplicasPath),
    ...replicasErrors(obj, scale.statusReplicasPath),
  ];
  if (scale.labelSelectorPath) {
    const { found, value } = valueAt(obj, scale.labelSelectorPath);
    if (found && typeof value !== 'string') {
      errs.push(
        field.invalid(scale.labelSelectorPath, '', accessorError(scale.labelSelectorPath, value, 'string')),
      );
    }
  }
  return errs;
}
