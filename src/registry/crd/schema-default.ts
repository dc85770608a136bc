/**
 * Defaulting from a structural schema's `default`s, as apiextensions-apiserver's defaulting package
 * does it: missing fields (and nulls where the schema is not nullable) get the default; then
 * non-nullable nulls without a default are dropped.
 */
import { isObject } from '../../api/object.ts';
import type { JSONSchemaProps } from './types.ts';

const schemaOf = (s: JSONSchemaProps | boolean | undefined): JSONSchemaProps | undefined =>
  isObject(s) ? (s as JSONSchemaProps) : undefined;

const itemsOf = (s: JSONSchemaProps | undefined): JSONSchemaProps | undefined =>
  s && !Array.isArray(s.items) ? s.items : undefined;

const isNonNullableNull = (x: unknown, s: JSONSchemaProps | undefined) =>
  x === null && s !== undefined && !s.nullable;

/** Fills defaults into `x` in place. */
export function applyDefaults(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (isObject(x)) {
    for (const [k, prop] of Object.entries(s.properties ?? {})) {
      if (prop.default === undefined || prop.default === null) continue;
      if (!(k in x) || isNonNullableNull(x[k], prop)) x[k] = structuredClone(prop.default);
    }
    const extra = schemaOf(s.additionalProperties);
    for (const k of Object.keys(x)) {
      const prop = s.properties?.[k];
      if (prop) applyDefaults(x[k], prop);
      else if (s.additionalProperties !== undefined) {
        if (isNonNullableNull(x[k], extra)) x[k] = structuredClone(extra?.default ?? null);
        applyDefaults(x[k], extra);
      }
    }
  } else if (Array.isArray(x)) {
    const items = itemsOf(s);
    for (let i = 0; i < x.length; i++) {
      if (isNonNullableNull(x[i], items)) x[i] = structuredClone(items?.default ?? null);
      applyDefaults(x[i], items);
    }
  }
}

function fieldSchema(k: string, s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  if (!s) return undefined;
  return s.properties?.[k] ?? schemaOf(s.additionalProperties);
}

/** Drops nulls the schema neither allows (nullable) nor defaults. */
export function pruneNonNullableNulls(x: unknown, s: JSONSchemaProps | undefined): void {
  if (isObject(x)) {
    for (const k of Object.keys(x)) {
      const sub = fieldSchema(k, s);
      if (x[k] === null && sub !== undefined && !sub.nullable && (sub.default ?? null) === null) delete x[k];
      else pruneNonNullableNulls(x[k], sub);
    }
  } else if (Array.isArray(x)) {
    for (const v of x) pruneNonNullableNulls(v, itemsOf(s));
  }
}
