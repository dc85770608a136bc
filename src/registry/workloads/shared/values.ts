/** Small helpers over plain JSON objects, and the checks upstream's validation repeats. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { isObject, type KubeObject } from '../../../api/object.ts';
import { goValue } from './go-syntax.ts';

export type Obj = Record<string, unknown>;

export const negativeMsg = 'must be greater than or equal to 0';
export const immutableMsg = 'field is immutable';

/** The object at `key`, created (replacing a non-object) when missing. */
export function child(parent: Obj, key: string): Obj {
  const v = parent[key];
  if (isObject(v)) return v;
  const created: Obj = {};
  parent[key] = created;
  return created;
}

/** The object at `key`, or an empty one that is not attached. */
export function view(parent: unknown, key: string): Obj {
  if (!isObject(parent)) return {};
  const v = parent[key];
  return isObject(v) ? v : {};
}

export const spec = (obj: KubeObject): Obj => child(obj, 'spec');
export const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const objects = (v: unknown): Obj[] => list(v).map((x) => (isObject(x) ? x : {}));
export const strings = (v: unknown): string[] => list(v).map((x) => String(x));
export const present = (v: unknown): boolean => v !== undefined && v !== null;

/** Sets `obj[key]` when it is missing (undefined or null). */
export function setDefault(obj: Obj, key: string, value: unknown): void {
  if (!present(obj[key])) obj[key] = value;
}

/** A map of strings, or undefined when the value is not an object. */
export function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

/** upstream's ValidateNonnegativeField, for a value that is present. */
export function nonNegative(v: unknown, path: string): FieldError[] {
  const n = num(v);
  return n !== undefined && n < 0 ? [field.invalid(path, n, negativeMsg)] : [];
}

/**
 * Drops what Go's semantic equality does not tell apart from absence: null, empty lists and
 * empty maps (nil and empty slices and maps compare equal upstream).
 */
export function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.map(normalize);
  if (isObject(v)) {
    const out: Obj = {};
    for (const k of Object.keys(v).sort()) {
      const x = normalize(v[k]);
      if (x !== undefined) out[k] = x;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v === null ? undefined : v;
}

export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalize(a) ?? null) === JSON.stringify(normalize(b) ?? null);
}

/**
 * upstream's ValidateImmutableField: the new value, shown as `render` prints it (strings and
 * numbers as they are, null when absent), must equal the old one.
 */
export function immutable(
  next: unknown,
  old: unknown,
  path: string,
  render?: (v: unknown) => string,
): FieldError[] {
  if (same(next, old)) return [];
  const shown = render ? goValue(render(next)) : present(next) ? next : null;
  return [field.invalid(path, shown, immutableMsg)];
}

/** A field error with the value printed as Go prints it. */
export function invalidGo(path: string, text: string, detail: string): FieldError {
  return field.invalid(path, goValue(text), detail);
}

/** Go's `[%s]` rendering of a map key in a field path. */
export const key = (path: string, k: string): string => `${path}[${k}]`;
