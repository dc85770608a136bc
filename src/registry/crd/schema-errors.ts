/**
 * Schema validation errors as field errors, the way apiextensions-apiserver's
 * kubeOpenAPIResultToFieldErrors maps kube-openapi's errors: Required, NotSupported for enums, TooLong,
 * TooMany, a type error as TypeInvalid, everything else Invalid with the validator's message.
 */
import type { FieldError } from '../../api/field-errors.ts';
import type { SchemaError } from './schema-validate.ts';

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** `prefix` is where the validated value sits (`status`, `spec.x.default`); '' for a whole object. */
export function toFieldErrors(errors: readonly SchemaError[], prefix = ''): FieldError[] {
  const root = prefix || '<nil>';
  return errors.map((e): FieldError => {
    if (e.composite) return { type: 'Invalid', field: root, value: '', detail: e.message };
    const name = e.name.startsWith('.') ? e.name.slice(1) : e.name;
    const field = name && e.name !== '.' ? (prefix ? `${prefix}.${name}` : name) : root;
    switch (e.code) {
      case 'required':
        return { type: 'Required', field };
      case 'enum':
        return {
          type: 'NotSupported',
          field,
          value: e.value,
          detail: `supported values: ${(e.values ?? [])
            .map((v) => JSON.stringify(typeof v === 'string' ? v : JSON.stringify(v)))
            .join(', ')}`,
        };
      case 'tooLong': {
        const max = e.limit ?? -1;
        return {
          type: 'TooLong',
          field,
          detail:
            max >= 0 ? `may not be more than ${max} ${plural(max, 'byte', 'bytes')}` : 'value is too long',
        };
      }
      case 'maxItems':
      case 'maxProperties': {
        const max = e.limit ?? -1;
        return {
          type: 'TooMany',
          field,
          value: e.value,
          detail:
            max >= 0 ? `must have at most ${max} ${plural(max, 'item', 'items')}` : 'has too many items',
        };
      }
      case 'type':
        return { type: 'TypeInvalid', field, value: e.value ?? '', detail: e.message };
      default:
        return { type: 'Invalid', field, value: e.value ?? '', detail: e.message };
    }
  });
}
