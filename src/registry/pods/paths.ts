/**
 * Path rules shared by volume and container validation (upstream's validateLocalDescendingPath,
 * validatePathNoBacksteps, ValidateLocalNonReservedPath), and a few message constants.
 */
import { type FieldError, field } from '../../api/field-errors.ts';
import { dns1123Subdomain } from '../../api/names.ts';

export const nonNegativeMessage = 'must be greater than or equal to 0';
export const fileModeMessage = 'must be a number between 0 and 0777 (octal), both inclusive';
export const rangeMessage = (lo: number, hi: number) => `must be between ${lo} and ${hi}, inclusive`;

export function noBacksteps(path: string, f: string): FieldError[] {
  return path.replaceAll('\\', '/').split('/').includes('..')
    ? [field.invalid(f, path, "must not contain '..'")]
    : [];
}

export function localDescendingPath(path: string, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (path.startsWith('/')) errs.push(field.invalid(f, path, 'must be a relative path'));
  errs.push(...noBacksteps(path, f));
  return errs;
}

export function localNonReservedPath(path: string, f: string): FieldError[] {
  const errs = localDescendingPath(path, f);
  if (path.startsWith('..') && !path.startsWith('../'))
    errs.push(field.invalid(f, path, "must not start with '..'"));
  return errs;
}

/** A file mode (defaultMode, mode) outside 0..0777. */
export function fileModeErrors(mode: unknown, f: string): FieldError[] {
  if (typeof mode !== 'number') return [];
  return mode < 0 || mode > 0o777 ? [field.invalid(f, mode, fileModeMessage)] : [];
}

export function nonNegative(value: unknown, f: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [field.invalid(f, value, nonNegativeMessage)] : [];
}

const portNameCharset = /^[-a-z0-9]+$/;

/** Upstream's IsValidPortName. */
export function portNameMessages(port: string): string[] {
  const msgs: string[] = [];
  if (port.length > 15) msgs.push('must be no more than 15 characters');
  if (!portNameCharset.test(port))
    msgs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) msgs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) msgs.push('must not contain consecutive hyphens');
  if (port.startsWith('-') || port.endsWith('-')) msgs.push('must not begin or end with a hyphen');
  return msgs;
}

export const portNumMessages = (port: number): string[] =>
  Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [rangeMessage(1, 65535)];

/** An IntOrString port: a number in 1..65535 or a port name. */
export function portNumOrName(port: unknown, f: string): FieldError[] {
  if (typeof port === 'string') return portNameMessages(port).map((m) => field.invalid(f, port, m));
  const n = typeof port === 'number' ? port : 0;
  return portNumMessages(n).map((m) => field.invalid(f, n, m));
}

/** NameIsDNSSubdomain, with upstream's prefix rule (a trailing '-' is allowed in a prefix). */
export function subdomainName(name: string, prefix = false): string[] {
  return dns1123Subdomain(prefix && name.endsWith('-') ? `${name.slice(0, -1)}a` : name);
}
