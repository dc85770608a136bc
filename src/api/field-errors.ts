import { StatusError } from './status.ts';

/**
 * Field errors as upstream's validation reports them. Each renders as
 * `<field>: <type>[: "<value>"][: <detail>]` and becomes one cause of a 422 Invalid.
 */
export type FieldErrorType =
  | 'Required'
  | 'Invalid'
  | 'NotSupported'
  | 'Forbidden'
  | 'Duplicate'
  | 'TooLong'
  | 'TooMany'
  | 'NotFound'
  | 'TypeInvalid';

const typeText: Record<FieldErrorType, string> = {
  Required: 'Required value',
  Invalid: 'Invalid value',
  NotSupported: 'Unsupported value',
  Forbidden: 'Forbidden',
  Duplicate: 'Duplicate value',
  TooLong: 'Too long',
  TooMany: 'Too many',
  NotFound: 'Not found',
  TypeInvalid: 'Invalid value',
};

/** Types whose message shows the bad value, as upstream's ErrorBody does. */
const showsValue = new Set<FieldErrorType>([
  'Invalid',
  'NotSupported',
  'Duplicate',
  'NotFound',
  'TypeInvalid',
]);

export interface FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly value?: unknown;
  readonly detail?: string;
}

/** A value shown exactly as given (Go syntax such as `map[string]string{"a":"b"}`), not as JSON. */
export class Verbatim {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

function renderValue(value: unknown): string {
  if (value instanceof Verbatim) return value.text;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The message without the field: `Invalid value: "x": must be ...`. */
export function fieldErrorBody(e: FieldError): string {
  let s = typeText[e.type];
  // TooMany shows the count when the error carries one (upstream's TooMany always does).
  if (showsValue.has(e.type) || (e.type === 'TooMany' && e.value !== undefined))
    s += `: ${renderValue(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

export const field = {
  required: (f: string, detail?: string): FieldError => ({
    type: 'Required',
    field: f,
    ...(detail ? { detail } : {}),
  }),
  invalid: (f: string, value: unknown, detail: string): FieldError => ({
    type: 'Invalid',
    field: f,
    value,
    detail,
  }),
  notSupported: (f: string, value: unknown, supported: readonly string[]): FieldError => ({
    type: 'NotSupported',
    field: f,
    value,
    detail: `supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}`,
  }),
  forbidden: (f: string, detail: string): FieldError => ({ type: 'Forbidden', field: f, detail }),
  duplicate: (f: string, value: unknown): FieldError => ({ type: 'Duplicate', field: f, value }),
  notFound: (f: string, value: unknown): FieldError => ({ type: 'NotFound', field: f, value }),
  tooLong: (f: string, max: number): FieldError => ({
    type: 'TooLong',
    field: f,
    detail: `may not be more than ${max} bytes`,
  }),
};

/** `Kind[.group] "name" is invalid: ...` with one cause per field error: a 422. */
export function invalidError(
  kind: string,
  group: string,
  name: string,
  errs: readonly FieldError[],
): StatusError {
  const qualified = group ? `${kind}.${group}` : kind;
  const list = errs.map(fieldErrorString);
  const aggregate = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${qualified} "${name}" is invalid: ${aggregate}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: errs.map((e) => ({ reason: `FieldValue${e.type}`, message: fieldErrorBody(e), field: e.field })),
  });
}
