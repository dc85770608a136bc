/**
 * The checks a CRD's openAPIV3Schema must pass (apiextensions validation.go:
 * validateCustomResourceDefinitionValidation and ValidateCustomResourceDefinitionOpenAPISchema):
 * what the root may hold with a status subresource, the structural rules, defaults that validate and
 * are pruned, and the OpenAPI features CRDs do not support. x-kubernetes-validations (CEL) rules are
 * accepted but not compiled.
 */
import { type FieldError, field } from '../../api/field-errors.ts';
import { isObject } from '../../api/object.ts';
import { fieldPath } from './go-format.ts';
import { toFieldErrors } from './schema-errors.ts';
import { listChecks } from './schema-extensions.ts';
import { prune } from './schema-prune.ts';
import { rootWithStatus } from './schema-root.ts';
import { validateStructural } from './schema-structural.ts';
import { deepEqual, validateValue } from './schema-validate.ts';
import type { JSONSchemaProps } from './types.ts';

const { child, key, index } = fieldPath;

const openapiV3Types = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const metaFields = new Set(['metadata', 'kind', 'apiVersion']);

const isZero = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === false ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (isObject(v) && Object.keys(v).length === 0);

const sub = (v: unknown): JSONSchemaProps | undefined => (isObject(v) ? (v as JSONSchemaProps) : undefined);

function hasUnsupported(s: JSONSchemaProps | undefined): boolean {
  if (!s) return false;
  if (
    s.id ||
    s.$schema ||
    s.$ref ||
    s.patternProperties ||
    s.dependencies ||
    s.additionalItems !== undefined ||
    s.definitions ||
    Array.isArray(s.items)
  )
    return true;
  const children = [
    sub(s.items),
    sub(s.additionalProperties),
    s.not,
    ...(s.allOf ?? []),
    ...(s.anyOf ?? []),
    ...(s.oneOf ?? []),
    ...Object.values(s.properties ?? {}),
  ];
  return children.some(hasUnsupported);
}

/** Defaults must validate against their schema and have nothing pruning would remove. */
function validateDefaults(
  s: JSONSchemaProps,
  p: string,
  rootSchema: JSONSchemaProps,
  insideMeta: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  const embedded = !!s['x-kubernetes-embedded-resource'] || s === rootSchema;
  if (s['x-kubernetes-embedded-resource']) insideMeta = false;
  if (s.default !== undefined && s.default !== null && !insideMeta) {
    const pruned = structuredClone(s.default);
    prune(pruned, s, !!s['x-kubernetes-embedded-resource']);
    if (!deepEqual(pruned, s.default))
      errs.push(field.invalid(child(p, 'default'), s.default, 'must not have unknown fields'));
    errs.push(...toFieldErrors(validateValue(s, s.default), child(p, 'default')));
  }
  const items = sub(s.items);
  if (items) errs.push(...validateDefaults(items, child(p, 'items'), rootSchema, insideMeta));
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    const meta = insideMeta || (embedded && metaFields.has(k));
    errs.push(...validateDefaults(v, key(child(p, 'properties'), k), rootSchema, meta));
  }
  return errs;
}

interface Ssv {
  readonly allowDefaults: boolean;
  readonly disallowReason?: string;
  readonly insideMeta: boolean;
}

function ssvValidate(s: JSONSchemaProps, p: string, ssv: Ssv): FieldError[] {
  const errs: FieldError[] = [];
  if (s.type && !openapiV3Types.includes(s.type))
    errs.push(field.notSupported(child(p, 'type'), s.type, openapiV3Types));
  if (s.default !== undefined && s.default !== null && !ssv.allowDefaults) {
    errs.push(
      field.forbidden(
        child(p, 'default'),
        `must not be set${ssv.disallowReason ? ` ${ssv.disallowReason}` : ''}`,
      ),
    );
  }
  if (s.id) errs.push(field.forbidden(child(p, 'id'), 'id is not supported'));
  if (s.additionalItems !== undefined)
    errs.push(field.forbidden(child(p, 'additionalItems'), 'additionalItems is not supported'));
  if (!isZero(s.patternProperties))
    errs.push(field.forbidden(child(p, 'patternProperties'), 'patternProperties is not supported'));
  if (!isZero(s.definitions))
    errs.push(field.forbidden(child(p, 'definitions'), 'definitions is not supported'));
  if (s.dependencies) errs.push(field.forbidden(child(p, 'dependencies'), 'dependencies is not supported'));
  if (s.$ref !== undefined) errs.push(field.forbidden(child(p, '$ref'), '$ref is not supported'));
  if (s.type === 'null')
    errs.push(
      field.forbidden(child(p, 'type'), 'type cannot be set to null, use nullable as an alternative'),
    );
  if (Array.isArray(s.items) && s.items.length > 0)
    errs.push(field.forbidden(child(p, 'items'), 'items must be a schema object and not an array'));
  if (ssv.insideMeta && s['x-kubernetes-embedded-resource']) {
    errs.push(
      field.forbidden(child(p, 'x-kubernetes-embedded-resource'), 'must not be used inside of resource meta'),
    );
  }
  return errs;
}

function openApiSchema(s: JSONSchemaProps | undefined, p: string, ssv: Ssv, isRoot: boolean): FieldError[] {
  if (!s) return [];
  const errs = ssvValidate(s, p, ssv);
  if (s.uniqueItems)
    errs.push(
      field.forbidden(
        child(p, 'uniqueItems'),
        'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
      ),
    );
  if (s.additionalProperties !== undefined) {
    if (!isZero(s.properties) && (s.additionalProperties === false || isObject(s.additionalProperties))) {
      errs.push(
        field.forbidden(
          child(p, 'additionalProperties'),
          'additionalProperties and properties are mutual exclusive',
        ),
      );
    }
    const inner = ssv.insideMeta
      ? {
          ...ssv,
          allowDefaults: false,
          disallowReason: 'inside additionalProperties applying to object metadata',
        }
      : ssv;
    errs.push(...openApiSchema(sub(s.additionalProperties), child(p, 'additionalProperties'), inner, false));
  }
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    let inner = ssv;
    if ((isRoot || s['x-kubernetes-embedded-resource']) && metaFields.has(k)) {
      inner = { ...inner, insideMeta: true };
      if (isRoot) inner = { ...inner, allowDefaults: false, disallowReason: `in top-level ${k}` };
    }
    errs.push(...openApiSchema(v, key(child(p, 'properties'), k), inner, false));
  }
  errs.push(...openApiSchema(s.not, child(p, 'not'), ssv, false));
  for (const name of ['allOf', 'oneOf', 'anyOf'] as const) {
    for (const [i, v] of (s[name] ?? []).entries())
      errs.push(...openApiSchema(v, index(child(p, name), i), ssv, false));
  }
  for (const [k, v] of Object.entries(s.definitions ?? {}))
    errs.push(...openApiSchema(v, key(child(p, 'definitions'), k), ssv, false));
  if (Array.isArray(s.items))
    for (const [i, v] of s.items.entries())
      errs.push(...openApiSchema(v, index(child(p, 'items'), i), ssv, false));
  else errs.push(...openApiSchema(s.items, child(p, 'items'), ssv, false));
  errs.push(...listChecks(s, p));
  return errs;
}

/**
 * The errors of one schema (`path` is `spec.validation` or `spec.versions[i].schema`), in upstream's
 * order: the root with a status subresource, nullable at the root, the structural rules and defaults,
 * then the OpenAPI checks.
 */
export function validateCRDSchema(
  schema: JSONSchemaProps,
  statusEnabled: boolean,
  path: string,
): FieldError[] {
  const p = child(path, 'openAPIV3Schema');
  const errs = statusEnabled ? rootWithStatus(schema, path) : [];
  if (schema.nullable)
    errs.push(field.forbidden(child(p, 'nullable'), 'nullable cannot be true at the root'));
  if (!hasUnsupported(schema)) {
    const structural = validateStructural(structuredClone(schema), p);
    if (structural.length > 0) errs.push(...structural);
    else errs.push(...validateDefaults(schema, p, schema, false));
  }
  errs.push(...openApiSchema(schema, p, { allowDefaults: true, insideMeta: false }, true));
  return errs;
}
