/** IntOrString fields that hold a count or a percentage (maxSurge, minAvailable, ...). */
import type { FieldError } from '../../../api/field-errors.ts';
import { percentErrors } from './formats.ts';
import { goIntOrString } from './go-syntax.ts';
import { invalidGo, nonNegative } from './values.ts';

/** The percentage of a valid percent string, else undefined. */
function percentValue(v: unknown): number | undefined {
  return typeof v === 'string' && percentErrors(v).length === 0 ? Number.parseInt(v, 10) : undefined;
}

/** upstream's getIntOrPercentValue: a percentage's number, an int, or a string's Atoi (0 if none). */
export function intOrPercentValue(v: unknown): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return v;
  return typeof v === 'string' && /^[+-]?\d+$/.test(v) ? Number.parseInt(v, 10) : 0;
}

/** upstream's ValidatePositiveIntOrPercent. */
export function validateIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return percentErrors(v).map((msg) => invalidGo(path, goIntOrString(v), msg));
  return nonNegative(v, path);
}

/** upstream's IsNotMoreThan100Percent. */
export function notMoreThan100Percent(v: unknown, path: string): FieldError[] {
  const p = percentValue(v);
  return p !== undefined && p > 100
    ? [invalidGo(path, goIntOrString(v), 'must not be greater than 100%')]
    : [];
}
