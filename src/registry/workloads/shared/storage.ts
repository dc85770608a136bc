/** What PVCs and PVs share: access modes, volume modes, storage quantities, class names. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { dns1123Subdomain } from '../../../api/names.ts';
import { parseQuantity, quantityFormatError, quantityText } from './quantity.ts';
import { type Obj, present, str, strings } from './values.ts';

export const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const volumeModes = ['Block', 'Filesystem'];

export function validateAccessModes(s: Obj, path: string, requiredDetail: string): FieldError[] {
  const modes = strings(s.accessModes);
  const errs: FieldError[] = [];
  if (modes.length === 0) errs.push(field.required(path, requiredDetail));
  for (const mode of modes)
    if (!accessModes.includes(mode)) errs.push(field.notSupported(path, mode, accessModes));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1)
    errs.push(field.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

export function validateVolumeMode(s: Obj, path: string): FieldError[] {
  if (!present(s.volumeMode)) return [];
  const mode = str(s.volumeMode);
  return volumeModes.includes(mode) ? [] : [field.notSupported(path, mode, volumeModes)];
}

export function validateClassName(s: Obj, path: string): FieldError[] {
  const name = str(s.storageClassName);
  return name === '' ? [] : dns1123Subdomain(name).map((msg) => field.invalid(path, name, msg));
}

/** upstream's ValidatePositiveQuantityValue plus the value checks of ValidateResourceQuantityValue. */
export function validatePositiveQuantity(v: unknown, path: string): FieldError[] {
  const n = parseQuantity(v);
  if (n === undefined) return [field.invalid(path, quantityText(v), quantityFormatError)];
  return n > 0 ? [] : [field.invalid(path, quantityText(v), 'must be greater than zero')];
}

/** upstream's ValidateNonnegativeQuantity. */
export function validateNonNegativeQuantity(v: unknown, path: string): FieldError[] {
  const n = parseQuantity(v);
  if (n === undefined) return [field.invalid(path, quantityText(v), quantityFormatError)];
  return n < 0 ? [field.invalid(path, quantityText(v), 'must be greater than or equal to 0')] : [];
}

/** A short description of what changed between two specs (upstream appends a go-cmp diff). */
export function specDiff(type: string, old: Obj, next: Obj): string {
  const lines = [`  ${type}{`];
  for (const k of [...new Set([...Object.keys(old), ...Object.keys(next)])].sort()) {
    const a = JSON.stringify(old[k] ?? null);
    const b = JSON.stringify(next[k] ?? null);
    if (a !== b) lines.push(`- \t${k}: ${a},`, `+ \t${k}: ${b},`);
  }
  lines.push('  }');
  return lines.join('\n');
}
