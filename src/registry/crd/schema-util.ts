/** What schema validation shares: its error type, JSON type names, equality and patterns. */
import { isObject } from '../../api/object.ts';
import type { JSONSchemaProps } from './types.ts';

export type SchemaErrorCode =
  | 'required'
  | 'enum'
  | 'tooLong'
  | 'maxItems'
  | 'maxProperties'
  | 'type'
  | 'other';

export interface SchemaError {
  readonly code: SchemaErrorCode;
  /** The validator's path (`spec.replicas`, `.spec` for a required field at the root). */
  readonly name: string;
  readonly message: string;
  readonly value?: unknown;
  /** The limit a maxLength, maxItems or maxProperties error broke. */
  readonly limit?: number;
  readonly values?: readonly unknown[];
  /** A composite error (anyOf, oneOf, …) that upstream reports without a field. */
  readonly composite?: boolean;
}

/** The JSON type of a value as the validator names it. */
export function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

/** The types a schema allows: x-kubernetes-int-or-string means integer or string. */
export function schemaTypes(s: JSONSchemaProps): string[] {
  if (s['x-kubernetes-int-or-string']) return ['integer', 'string'];
  return s.type ? [s.type] : [];
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

const regexCache = new Map<string, RegExp | Error>();

export function compilePattern(pattern: string): RegExp | Error {
  let r = regexCache.get(pattern);
  if (!r) {
    try {
      r = new RegExp(pattern, 'u');
    } catch {
      try {
        r = new RegExp(pattern);
      } catch (e) {
        r = e as Error;
      }
    }
    regexCache.set(pattern, r);
  }
  return r;
}

export class Collector {
  readonly errors: SchemaError[] = [];
  add(e: SchemaError): void {
    if (!this.errors.some((x) => x.name === e.name && x.message === e.message)) this.errors.push(e);
  }
  merge(errs: readonly SchemaError[]): void {
    for (const e of errs) this.add(e);
  }
}
