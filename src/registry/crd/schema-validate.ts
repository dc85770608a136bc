/**
 * Validation of a value against a CRD's OpenAPI v3 schema, as kube-openapi's validate package does it
 * for apiextensions-apiserver: the same checks in the same order (type, allOf/anyOf/oneOf/not, string,
 * format, number, array, enum, object) and the same messages (`spec.replicas in body must be of type
 * integer: "string"`). `toFieldErrors` turns them into field errors as upstream's
 * kubeOpenAPIResultToFieldErrors does.
 */
import { isObject } from '../../api/object.ts';
import { goQuote } from './go-format.ts';
import { checkFormat, effectiveFormat } from './schema-formats.ts';
import { validateEnum, validateNumber, validateString } from './schema-scalars.ts';
import { Collector, deepEqual, jsonType, type SchemaError, schemaTypes } from './schema-util.ts';
import type { JSONSchemaProps } from './types.ts';

export {
  compilePattern,
  deepEqual,
  jsonType,
  type SchemaError,
  type SchemaErrorCode,
  schemaTypes,
} from './schema-util.ts';

const typeError = (name: string, type: string, actual: string): SchemaError => ({
  code: 'type',
  name,
  value: actual,
  message: `${name} in body must be of type ${type}: ${goQuote(actual)}`,
});

function validateType(
  s: JSONSchemaProps,
  types: string[],
  format: string,
  data: unknown,
  path: string,
  c: Collector,
) {
  if (types.length === 0 && !format) return;
  const actual = jsonType(data);
  if (actual === 'null') {
    if (types.length > 0 && !s.nullable) c.add(typeError(path, types.join(','), 'null'));
    return;
  }
  const dataFormat = actual === 'integer' ? 'int64' : actual === 'number' ? 'float64' : '';
  const isIntFloat = actual === 'integer' && types.includes('number');
  const scalar = actual !== 'string' && actual !== 'array';
  if (scalar && format && !(types.includes(actual) || dataFormat === format || isIntFloat)) {
    c.add(typeError(path, format, dataFormat));
    return;
  }
  if (!types.includes('number') && !types.includes('integer') && format && !scalar) return;
  if (!(types.includes(actual) || isIntFloat)) c.add(typeError(path, types.join(','), actual));
}

function validateComposition(s: JSONSchemaProps, data: unknown, path: string, c: Collector) {
  const composite = (message: string): SchemaError => ({
    code: 'other',
    name: path,
    message,
    composite: true,
  });
  if (s.anyOf?.length) {
    let best: SchemaError[] | undefined;
    let ok = false;
    for (const sub of s.anyOf) {
      const errs = validateValue(sub, data, path);
      if (errs.length === 0) {
        ok = true;
        best = undefined;
        break;
      }
      best ??= errs;
    }
    if (!ok) c.add(composite(`${goQuote(path)} must validate at least one schema (anyOf)`));
    if (best) c.merge(best);
  }
  if (s.oneOf?.length) {
    let best: SchemaError[] | undefined;
    let valid = 0;
    for (const sub of s.oneOf) {
      const errs = validateValue(sub, data, path);
      if (errs.length === 0) valid++;
      else if (valid === 0) best ??= errs;
    }
    if (valid !== 1) {
      const more = valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`;
      c.add(composite(`${goQuote(path)} must validate one and only one schema (oneOf). ${more}`));
      if (valid === 0 && best) c.merge(best);
    }
  }
  if (s.allOf?.length) {
    let valid = 0;
    for (const sub of s.allOf) {
      const errs = validateValue(sub, data, path);
      if (errs.length === 0) valid++;
      c.merge(errs);
    }
    if (valid !== s.allOf.length) {
      c.add(
        composite(
          `${goQuote(path)} must validate all the schemas (allOf)${valid === 0 ? '. None validated' : ''}`,
        ),
      );
    }
  }
  if (s.not && validateValue(s.not, data, path).length === 0) {
    c.add(composite(`${goQuote(path)} must not validate the schema (not)`));
  }
}

function validateArray(s: JSONSchemaProps, data: unknown[], path: string, c: Collector) {
  if (s.items && !Array.isArray(s.items)) {
    for (const [i, v] of data.entries()) c.merge(validateValue(s.items, v, `${path}[${i}]`));
  }
  if (s.minItems !== undefined && data.length < s.minItems) {
    c.add({
      code: 'other',
      name: path,
      value: data.length,
      message: `${path} in body should have at least ${s.minItems} items`,
    });
  }
  if (s.maxItems !== undefined && data.length > s.maxItems) {
    c.add({
      code: 'maxItems',
      name: path,
      value: data.length,
      limit: s.maxItems,
      message: `${path} in body should have at most ${s.maxItems} items`,
    });
  }
  if (s.uniqueItems && data.some((v, i) => data.slice(0, i).some((u) => deepEqual(u, v)))) {
    c.add({ code: 'other', name: path, message: `${path} in body shouldn't contain duplicates` });
  }
}

function validateObject(s: JSONSchemaProps, data: Record<string, unknown>, path: string, c: Collector) {
  const keys = Object.keys(data);
  if (s.minProperties !== undefined && keys.length < s.minProperties) {
    c.add({
      code: 'other',
      name: path,
      value: keys.length,
      message: `${path} in body should have at least ${s.minProperties} properties`,
    });
  }
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
    c.add({
      code: 'maxProperties',
      name: path,
      value: keys.length,
      limit: s.maxProperties,
      message: `${path} in body should have at most ${s.maxProperties} properties`,
    });
  }
  const props = s.properties ?? {};
  const extra = s.additionalProperties;
  for (const key of keys) {
    if (key in props) continue;
    if (extra === false) {
      c.add({
        code: 'other',
        name: path,
        value: key,
        message: `${path}.${key} in body is a forbidden property`,
      });
    } else if (isObject(extra)) {
      c.merge(validateValue(extra as JSONSchemaProps, data[key], `${path}.${key}`));
    }
  }
  for (const [name, sub] of Object.entries(props)) {
    if (name in data) c.merge(validateValue(sub, data[name], path ? `${path}.${name}` : name));
  }
  for (const k of s.required ?? []) {
    if (!(k in data))
      c.add({ code: 'required', name: `${path}.${k}`, message: `${path}.${k} in body is required` });
  }
}

/** Every way `data` breaks `schema`; `path` is where it sits (empty at the root). */
export function validateValue(schema: JSONSchemaProps | undefined, data: unknown, path = ''): SchemaError[] {
  if (!schema) return [];
  const c = new Collector();
  const types = schemaTypes(schema);
  const format = effectiveFormat(schema.format, types);
  if (data === null || data === undefined) {
    validateType(schema, types, format, null, path, c);
    validateEnum(schema, null, path, c);
    return c.errors;
  }
  validateType(schema, types, format, data, path, c);
  validateComposition(schema, data, path, c);
  if (typeof data === 'string') {
    validateString(schema, data, path, c);
    if (format && !checkFormat(format, data)) {
      c.add({
        code: 'type',
        name: path,
        value: data,
        message: `${path} in body must be of type ${format}: ${goQuote(data)}`,
      });
    }
  }
  if (typeof data === 'number') validateNumber(schema, types, format, data, path, c);
  if (Array.isArray(data)) validateArray(schema, data, path, c);
  validateEnum(schema, data, path, c);
  if (isObject(data)) validateObject(schema, data, path, c);
  return c.errors;
}
