/**
 * Label key and value rules, with the messages kube-apiserver (1.32) prints for them.
 * Lengths are counted in UTF-8 bytes, as Go's len() does.
 */
import { dns1123Subdomain } from '../names.ts';

const nameFormat = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const nameRe = new RegExp(`^${nameFormat}$`);
const valueFormat = `(${nameFormat})?`;
const valueRe = new RegExp(`^${valueFormat}$`);
const maxNameBytes = 63;

function regexHint(message: string, format: string, examples: readonly string[]): string {
  const shown = examples.map((e) => `'${e}', `).join(' or ');
  return `${message} (e.g. ${shown}regex used for validation is '${format}')`;
}

const nameRule = regexHint(
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  nameFormat,
  ['MyName', 'my.name', '123-abc'],
);

const valueRule = regexHint(
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  valueFormat,
  ['MyValue', 'my_value', '12345'],
);

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Problems with a label key (a "qualified name": optional DNS subdomain prefix, '/', name). */
export function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const msg of dns1123Subdomain(prefix)) errs.push(`prefix part ${msg}`);
  } else {
    return [
      `a qualified name ${nameRule} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLength(name) > maxNameBytes)
    errs.push(`name part must be no more than ${maxNameBytes} characters`);
  if (!nameRe.test(name)) errs.push(`name part ${nameRule}`);
  return errs;
}

/** Problems with a label value (may be empty). */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > maxNameBytes) errs.push(`must be no more than ${maxNameBytes} characters`);
  if (!valueRe.test(value)) errs.push(valueRule);
  return errs;
}
