/**
 * Whether an OpenAPI v3 schema is structural, with apiextensions-apiserver's messages
 * (pkg/apiserver/schema/validation.go and complete.go): a type at every specified level (unless
 * x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields), an object at the root, nothing
 * but value validations inside allOf/anyOf/oneOf/not, and every field those name also specified
 * outside them. Errors come sorted, as upstream sorts them.
 */
import { type FieldError, field, fieldErrorString } from '../../api/field-errors.ts';
import { isObject } from '../../api/object.ts';
import { fieldPath } from './go-format.ts';
import { compilePattern } from './schema-validate.ts';
import type { JSONSchemaProps } from './types.ts';

type Level = 'root' | 'item' | 'field';

const { child, key, index } = fieldPath;

const isZero = (v: unknown) =>
  v === undefined || v === false || v === '' || (Array.isArray(v) && v.length === 0);

const subSchema = (v: unknown): JSONSchemaProps | undefined =>
  isObject(v) ? (v as JSONSchemaProps) : undefined;

const onlyType = (x: JSONSchemaProps | undefined, type: string) =>
  !!x && x.type === type && Object.entries(x).every(([k, v]) => k === 'type' || isZero(v));

const intOrStringAnyOf = (anyOf: JSONSchemaProps[] | undefined) =>
  anyOf?.length === 2 && onlyType(anyOf[0], 'integer') && onlyType(anyOf[1], 'string');

/** Keys a root-level metadata schema may carry (beyond name/generateName properties). */
const metadataAllowed = new Set(['type', 'default', 'properties']);

function metadataInvariants(m: JSONSchemaProps, checkMetadata: boolean, lvl: Level, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && m.type !== 'object')
    errs.push(field.invalid(child(p, 'type'), m.type ?? '', 'must be object'));
  if (lvl === 'root') {
    const props = Object.keys(m.properties ?? {});
    const onlyNames = props.every((k) => k === 'name' || k === 'generateName');
    const other = Object.entries(m).some(([k, v]) => !metadataAllowed.has(k) && !isZero(v));
    if (!onlyNames || other) {
      errs.push(
        field.forbidden(
          p,
          'must not specify anything other than name and generateName, but metadata is implicitly specified',
        ),
      );
    }
  }
  return errs;
}

function invariants(s: JSONSchemaProps | undefined, lvl: Level, p: string): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  const items = subSchema(s.items);
  if (s.type === 'array' && !items) errs.push(field.required(child(p, 'items'), 'must be specified'));
  errs.push(...invariants(items, 'item', child(p, 'items')));
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    errs.push(...invariants(v, 'field', key(child(p, 'properties'), k)));
  }
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root')
      errs.push(field.forbidden(child(p, 'additionalProperties'), 'must not be used at the root'));
    errs.push(...invariants(subSchema(s.additionalProperties), 'field', child(p, 'additionalProperties')));
  }
  const intOrString = !!s['x-kubernetes-int-or-string'];
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  const embedded = !!s['x-kubernetes-embedded-resource'];
  if (intOrString && preserve) {
    errs.push(
      field.invalid(
        child(p, 'x-kubernetes-preserve-unknown-fields'),
        true,
        'must be false if x-kubernetes-int-or-string is true',
      ),
    );
  }
  if (intOrString && embedded) {
    errs.push(
      field.invalid(
        child(p, 'x-kubernetes-embedded-resource'),
        true,
        'must be false if x-kubernetes-int-or-string is true',
      ),
    );
  }
  const skipAnyOf = intOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = intOrStringAnyOf(s.allOf?.[0]?.anyOf);
  errs.push(...valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, lvl, p));
  if (embedded && s.type !== 'object') {
    const msg = 'must be object if x-kubernetes-embedded-resource is true';
    errs.push(s.type ? field.invalid(child(p, 'type'), s.type, msg) : field.required(child(p, 'type'), msg));
  } else if (!s.type && !intOrString && !preserve) {
    const where = {
      root: 'at the root',
      item: 'for specified array items',
      field: 'for specified object fields',
    }[lvl];
    errs.push(field.required(child(p, 'type'), `must not be empty ${where}`));
  }
  if (embedded && s.additionalProperties !== undefined) {
    errs.push(
      field.forbidden(
        child(p, 'additionalProperties'),
        'must not be used if x-kubernetes-embedded-resource is set',
      ),
    );
  }
  if (lvl === 'root' && s.type && s.type !== 'object') {
    errs.push(field.invalid(child(p, 'type'), s.type, 'must be object at the root'));
  }
  const checkMetadata = lvl === 'root' || embedded;
  for (const name of ['kind', 'apiVersion']) {
    const prop = s.properties?.[name];
    if (prop && checkMetadata && prop.type !== 'string') {
      errs.push(
        field.invalid(child(key(child(p, 'properties'), name), 'type'), prop.type ?? '', 'must be string'),
      );
    }
  }
  const metadata = s.properties?.metadata;
  if (metadata)
    errs.push(...metadataInvariants(metadata, checkMetadata, lvl, key(child(p, 'properties'), 'metadata')));
  if (embedded && !preserve && Object.keys(s.properties ?? {}).length === 0) {
    errs.push(
      field.required(
        child(p, 'properties'),
        'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
      ),
    );
  }
  return errs;
}

function valueValidation(
  v: JSONSchemaProps,
  skipAnyOf: boolean,
  skipFirstAllOfAnyOf: boolean,
  lvl: Level,
  p: string,
): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf)
    for (const [i, x] of (v.anyOf ?? []).entries())
      errs.push(...nested(x, false, lvl, index(child(p, 'anyOf'), i)));
  for (const [i, x] of (v.allOf ?? []).entries()) {
    errs.push(...nested(x, skipFirstAllOfAnyOf && i === 0, lvl, index(child(p, 'allOf'), i)));
  }
  for (const [i, x] of (v.oneOf ?? []).entries())
    errs.push(...nested(x, false, lvl, index(child(p, 'oneOf'), i)));
  if (v.not) errs.push(...nested(v.not, false, lvl, child(p, 'not')));
  if (v.pattern) {
    const r = compilePattern(v.pattern);
    if (r instanceof Error) {
      errs.push(
        field.invalid(
          child(p, 'pattern'),
          v.pattern,
          `must be a valid regular expression, but isn't: ${r.message}`,
        ),
      );
    }
  }
  return errs;
}

const forbiddenInNested: [keyof JSONSchemaProps, string][] = [
  ['type', 'must be empty to be structural'],
  ['additionalProperties', 'must be undefined to be structural'],
  ['default', 'must be undefined to be structural'],
  ['title', 'must be empty to be structural'],
  ['description', 'must be empty to be structural'],
  ['nullable', 'must be false to be structural'],
  ['x-kubernetes-preserve-unknown-fields', 'must be false to be structural'],
  ['x-kubernetes-embedded-resource', 'must be false to be structural'],
  ['x-kubernetes-int-or-string', 'must be false to be structural'],
  ['x-kubernetes-list-map-keys', 'must be empty to be structural'],
  ['x-kubernetes-list-type', 'must be undefined to be structural'],
  ['x-kubernetes-map-type', 'must be undefined to be structural'],
  ['x-kubernetes-validations', 'must be empty to be structural'],
];

function nested(v: JSONSchemaProps, skipAnyOf: boolean, lvl: Level, p: string): FieldError[] {
  const errs = valueValidation(v, skipAnyOf, false, lvl, p);
  const items = subSchema(v.items);
  if (items) errs.push(...nested(items, false, lvl, child(p, 'items')));
  for (const [k, x] of Object.entries(v.properties ?? {}))
    errs.push(...nested(x, false, 'field', key(child(p, 'properties'), k)));
  for (const [name, msg] of forbiddenInNested) {
    const value = v[name];
    const set = name === 'default' ? value !== undefined && value !== null : !isZero(value);
    if (set) errs.push(field.forbidden(child(p, name), msg));
  }
  if (v.properties && 'metadata' in v.properties) {
    errs.push(
      field.forbidden(key(child(p, 'properties'), 'metadata'), 'must not be specified in a nested context'),
    );
  }
  return errs;
}

/** Every field a value validation names must be specified in the structural schema `s`. */
function completeness(
  v: JSONSchemaProps,
  s: JSONSchemaProps | undefined,
  sPath: string,
  vPath: string,
): FieldError[] {
  if (!s) return [field.required(sPath, `because it is defined in ${vPath}`)];
  const errs: FieldError[] = [];
  if (v.not) errs.push(...nestedCompleteness(v.not, s, sPath, child(vPath, 'not')));
  for (const [name, list] of [
    ['allOf', v.allOf],
    ['anyOf', v.anyOf],
    ['oneOf', v.oneOf],
  ] as const) {
    for (const [i, x] of (list ?? []).entries())
      errs.push(...nestedCompleteness(x, s, sPath, index(child(vPath, name), i)));
  }
  return errs;
}

function nestedCompleteness(
  v: JSONSchemaProps,
  s: JSONSchemaProps | undefined,
  sPath: string,
  vPath: string,
): FieldError[] {
  if (!s) return [field.required(sPath, `because it is defined in ${vPath}`)];
  const errs = completeness(v, s, sPath, vPath);
  const vItems = subSchema(v.items);
  if (vItems)
    errs.push(
      ...nestedCompleteness(vItems, subSchema(s.items), child(sPath, 'items'), child(vPath, 'items')),
    );
  for (const [k, x] of Object.entries(v.properties ?? {})) {
    const sp = key(child(sPath, 'properties'), k);
    const vp = key(child(vPath, 'properties'), k);
    const specified = s.properties?.[k];
    if (!specified) errs.push(field.required(sp, `because it is defined in ${vp}`));
    else errs.push(...nestedCompleteness(x, specified, sp, vp));
  }
  return errs;
}

/** Upstream's ValidateStructural: the invariants and the completeness, sorted by their text. */
export function validateStructural(schema: JSONSchemaProps, path: string): FieldError[] {
  const errs = [...invariants(schema, 'root', path), ...completeness(schema, schema, path, path)];
  return errs
    .map((e) => [fieldErrorString(e), e] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => e);
}
