/** Validation of a CRD's names, subresources and printer columns, with upstream's messages. */
import { type FieldError, field } from '../../api/field-errors.ts';
import { dns1035Label } from './names.ts';
import type {
  CustomResourceColumnDefinition,
  CustomResourceDefinitionNames,
  CustomResourceSubresources,
} from './types.ts';

const columnTypes = ['boolean', 'date', 'integer', 'number', 'string'];
const columnFormats = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

export function validateNames(n: CustomResourceDefinitionNames | undefined, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = n ?? {};
  const label = (f: string, v: string | undefined, prefix = '') => {
    if (!v) return;
    const e = dns1035Label(prefix ? v.toLowerCase() : v);
    if (e.length > 0) errs.push(field.invalid(`${p}.${f}`, v, prefix + e.join(',')));
  };
  label('plural', names.plural);
  label('singular', names.singular);
  label('kind', names.kind, 'may have mixed case, but should otherwise match: ');
  label('listKind', names.listKind, 'may have mixed case, but should otherwise match: ');
  for (const [i, s] of (names.shortNames ?? []).entries()) {
    const e = dns1035Label(s);
    if (e.length > 0) errs.push(field.invalid(`${p}.shortNames[${i}]`, s, e.join(',')));
  }
  if (names.kind && names.kind === names.listKind) {
    errs.push(field.invalid(`${p}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  }
  for (const [i, c] of (names.categories ?? []).entries()) {
    const e = dns1035Label(c);
    if (e.length > 0) errs.push(field.invalid(`${p}.categories[${i}]`, c, e.join(',')));
  }
  return errs;
}

function simpleJsonPath(s: string, p: string): FieldError[] {
  if (s.length === 0) return [field.invalid(p, s, 'must not be empty')];
  if (s[0] !== '.') return [field.invalid(p, s, 'must be a simple json path starting with .')];
  return [];
}

export function validateSubresources(sub: CustomResourceSubresources | undefined, p: string): FieldError[] {
  const scale = sub?.scale;
  if (!scale) return [];
  const errs: FieldError[] = [];
  const under = (f: 'specReplicasPath' | 'statusReplicasPath', prefix: string) => {
    const v = scale[f];
    const at = `${p}.scale.${f}`;
    if (!v) errs.push(field.required(at));
    else {
      const e = simpleJsonPath(v, at);
      if (e.length > 0) errs.push(...e);
      else if (!v.startsWith(`.${prefix}.`))
        errs.push(field.invalid(at, v, `should be a json path under .${prefix}`));
    }
  };
  under('specReplicasPath', 'spec');
  under('statusReplicasPath', 'status');
  const sel = scale.labelSelectorPath;
  if (sel) {
    const at = `${p}.scale.labelSelectorPath`;
    const e = simpleJsonPath(sel, at);
    if (e.length > 0) errs.push(...e);
    else if (!sel.startsWith('.spec.') && !sel.startsWith('.status.')) {
      errs.push(field.invalid(at, sel, 'should be a json path under either .spec or .status'));
    }
  }
  return errs;
}

export function validateColumn(col: CustomResourceColumnDefinition, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!col.name) errs.push(field.required(`${p}.name`));
  const types = `must be one of ${columnTypes.join(',')}`;
  if (!col.type) errs.push(field.required(`${p}.type`, types));
  else if (!columnTypes.includes(col.type)) errs.push(field.invalid(`${p}.type`, col.type, types));
  if (col.format && !columnFormats.includes(col.format)) {
    errs.push(field.invalid(`${p}.format`, col.format, `must be one of ${columnFormats.join(',')}`));
  }
  if (!col.jsonPath) errs.push(field.required(`${p}.JSONPath`));
  else errs.push(...simpleJsonPath(col.jsonPath, `${p}.JSONPath`));
  return errs;
}

/** Whether every version has the same value: upstream then holds it once, at the top. */
