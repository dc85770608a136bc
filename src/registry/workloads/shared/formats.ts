/** String formats from upstream's util/validation, with its messages. */
import type { NameValidator } from '../../../api/names.ts';

function regexError(msg: string, format: string, examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${format}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${format}')`;
}

export const maxLenError = (n: number): string => `must be no more than ${n} characters`;
export const inclusiveRangeError = (lo: number, hi: number): string =>
  `must be between ${lo} and ${hi}, inclusive`;

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

const dns1035Format = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035Re = new RegExp(`^${dns1035Format}$`);

/** upstream's IsDNS1035Label (Service names). */
export const dns1035Label: NameValidator = (value) => {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!dns1035Re.test(value)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        dns1035Format,
        ['my-name', 'abc-123'],
      ),
    );
  }
  return errs;
};

const wildcardFormat = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const wildcardRe = new RegExp(`^${wildcardFormat}$`);

/** upstream's IsWildcardDNS1123Subdomain (Ingress hosts with a `*`). */
export function wildcardDns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 253) errs.push(maxLenError(253));
  if (!wildcardRe.test(value)) {
    errs.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        wildcardFormat,
        ['*.example.com'],
      ),
    );
  }
  return errs;
}

/** upstream's IsValidPortNum. */
export function portNumErrors(port: unknown): string[] {
  const n = typeof port === 'number' ? port : 0;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** upstream's IsValidPortName (IANA_SVC_NAME). */
export function portNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (byteLength(name) > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(name))
    errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (name.length > 0 && (name.startsWith('-') || name.endsWith('-')))
    errs.push('must not begin or end with a hyphen');
  return errs;
}

const configKeyFormat = '[-._a-zA-Z0-9]+';

/** upstream's IsConfigMapKey (ConfigMap and Secret data keys). */
export function configMapKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (byteLength(key) > 253) errs.push(maxLenError(253));
  if (!new RegExp(`^${configKeyFormat}$`).test(key)) {
    errs.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        configKeyFormat,
        ['key.name', 'KEY_NAME', 'key-name'],
      ),
    );
  }
  if (key === '.') errs.push(`must not be '.'`);
  else if (key === '..') errs.push(`must not be '..'`);
  else if (key.startsWith('..')) errs.push(`must not start with '..'`);
  return errs;
}

/** upstream's IsValidPercent. */
export function percentErrors(value: string): string[] {
  return /^[0-9]+%$/.test(value)
    ? []
    : [
        regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', [
          '1%',
          '93%',
        ]),
      ];
}
