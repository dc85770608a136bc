/** Checks on the byte maps of ConfigMaps and Secrets, shared by both kinds. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { isObject, type KubeObject } from '../../../api/object.ts';
import { statusErrors } from '../../../api/status.ts';
import { decodeBase64 } from './base64.ts';
import { configMapKeyErrors } from './formats.ts';
import { same } from './values.ts';

/** ConfigMaps and Secrets together may hold at most this many bytes of data. */
export const maxDataBytes = 1024 * 1024;

const typeOf = (v: unknown) => (Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v);

/**
 * Decodes a base64 map as the JSON decoder does, answering 400 for what it cannot read;
 * returns the total decoded size.
 */
export function decodedSize(obj: KubeObject, key: string): number {
  const map = obj[key];
  if (!isObject(map)) return 0;
  const kind = obj.kind ?? '';
  const fail = (why: string) =>
    statusErrors.badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: ${why}`);
  let total = 0;
  for (const value of Object.values(map)) {
    if (value === null) continue;
    if (typeof value !== 'string')
      throw fail(
        `json: cannot unmarshal ${typeOf(value)} into Go struct field ${kind}.${key} of type []uint8`,
      );
    const decoded = decodeBase64(value);
    if ('errorAt' in decoded) throw fail(`illegal base64 data at input byte ${decoded.errorAt}`);
    total += decoded.length;
  }
  return total;
}

/** upstream's IsConfigMapKey over a map's keys, reported at `<path>[<key>]`. */
export function validateKeys(map: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(isObject(map) ? map : {})) {
    for (const msg of configMapKeyErrors(k)) errs.push(field.invalid(`${path}[${k}]`, k, msg));
  }
  return errs;
}

/** Once `immutable: true`, it stays so and the listed maps do not change. */
export function validateImmutable(obj: KubeObject, old: KubeObject, maps: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  const msg = 'field is immutable when `immutable` is set';
  if (obj.immutable !== true) errs.push(field.forbidden('immutable', msg));
  for (const k of maps) if (!same(obj[k], old[k])) errs.push(field.forbidden(k, msg));
  return errs;
}
