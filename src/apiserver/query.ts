import { statusErrors } from '../api/status.ts';

/** An optional non-negative integer query parameter; 400 when it is not one. */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw statusErrors.badRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return Number(v);
}

const truthy = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/** A boolean as Go's strconv.ParseBool reads it (clients send `true`, `True` or `1`). */
export function isTrue(value: string | null): boolean {
  return value !== null && truthy.has(value);
}

export function boolParam(q: URLSearchParams, name: string): boolean {
  return isTrue(q.get(name));
}
