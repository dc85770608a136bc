/** The checks of strings, numbers and enums, with kube-openapi's messages. */
import { goNumber } from './go-format.ts';
import { type Collector, compilePattern, deepEqual } from './schema-util.ts';
import type { JSONSchemaProps } from './types.ts';

export function validateString(s: JSONSchemaProps, data: string, path: string, c: Collector) {
  const length = [...data].length;
  if (s.maxLength !== undefined && length > s.maxLength) {
    c.add({
      code: 'tooLong',
      name: path,
      value: data,
      limit: s.maxLength,
      message: `${path} in body should be at most ${s.maxLength} chars long`,
    });
    return;
  }
  if (s.minLength !== undefined && length < s.minLength) {
    c.add({
      code: 'other',
      name: path,
      value: data,
      message: `${path} in body should be at least ${s.minLength} chars long`,
    });
    return;
  }
  if (s.pattern) {
    const r = compilePattern(s.pattern);
    if (r instanceof Error) {
      c.add({
        code: 'other',
        name: path,
        value: data,
        message: `${path} in body should match '${s.pattern}, but pattern is invalid: ${r.message}'`,
      });
    } else if (!r.test(data)) {
      c.add({
        code: 'other',
        name: path,
        value: data,
        message: `${path} in body should match '${s.pattern}'`,
      });
    }
  }
}

export function validateNumber(
  s: JSONSchemaProps,
  types: string[],
  format: string,
  data: number,
  path: string,
  c: Collector,
) {
  const integer = Number.isInteger(data);
  if (
    types.length === 1 &&
    types[0] === 'integer' &&
    format === 'int32' &&
    (data > 2 ** 31 - 1 || data < -(2 ** 31))
  ) {
    c.add({
      code: 'other',
      name: '',
      composite: true,
      message: `Checked value must be of type integer with format int32 in ${path}`,
    });
  }
  const bound = (b: number) => (integer ? goNumber(Math.trunc(b)) : goNumber(b));
  const cmp = (b: number) => (integer ? Math.trunc(b) : b);
  if (s.multipleOf !== undefined) {
    const f = s.multipleOf;
    const ok =
      integer && Number.isInteger(f) ? data % f === 0 : Number.isInteger(f < 1 ? (1 / f) * data : data / f);
    if (f <= 0)
      c.add({
        code: 'other',
        name: path,
        value: f,
        message: `factor MultipleOf declared for ${path} must be positive: ${goNumber(f)}`,
      });
    else if (!ok)
      c.add({
        code: 'other',
        name: path,
        value: data,
        message: `${path} in body should be a multiple of ${goNumber(f)}`,
      });
  }
  if (s.minimum !== undefined) {
    const m = cmp(s.minimum);
    const fails = s.exclusiveMinimum ? data <= m : data < m;
    const words = s.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
    if (fails)
      c.add({
        code: 'other',
        name: path,
        value: data,
        message: `${path} in body should be ${words} ${bound(s.minimum)}`,
      });
  }
  if (s.maximum !== undefined) {
    const m = cmp(s.maximum);
    const fails = s.exclusiveMaximum ? data >= m : data > m;
    const words = s.exclusiveMaximum ? 'less than' : 'less than or equal to';
    if (fails)
      c.add({
        code: 'other',
        name: path,
        value: data,
        message: `${path} in body should be ${words} ${bound(s.maximum)}`,
      });
  }
}

export function validateEnum(s: JSONSchemaProps, data: unknown, path: string, c: Collector) {
  if (!s.enum?.length) return;
  if (data !== null && data !== undefined && s.enum.some((e) => e !== null && deepEqual(data, e))) return;
  c.add({
    code: 'enum',
    name: path,
    value: data ?? null,
    values: s.enum,
    message: `${path} in body should be one of [...]`,
  });
}
