/**
 * Field selectors (`?fieldSelector=`): `f=v`, `f==v`, `f!=v`, comma-separated (AND).
 * Values may escape `\`, `,` and `=` with a backslash (upstream's fields.EscapeValue);
 * field names are not escaped, and the first operator in a term splits it.
 */
import { compareCodePoints, goQuote, SelectorError } from './errors.ts';

export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
}

/** Escapes a literal value for use in a field selector. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Undoes escapeFieldValue; throws on unknown escapes and on bare `,` or `=`. */
export function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let escaped = false;
  for (const ch of value) {
    if (escaped) {
      if (ch !== '\\' && ch !== ',' && ch !== '=') {
        throw new SelectorError(`invalid field selector: invalid escape sequence: \\${ch}`);
      }
      out += ch;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (ch === ',' || ch === '=') {
      // upstream prints the rune with %v, i.e. as its code point number
      throw new SelectorError(`invalid field selector: unescaped character in value: ${ch.codePointAt(0)}`);
    } else {
      out += ch;
    }
  }
  if (escaped) throw new SelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not backslash-escaped; the escapes stay in the terms. */
function splitTerms(text: string): string[] {
  if (text === '') return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (escaped) escaped = false;
    else if (ch === '\\') escaped = true;
    else if (ch === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

const termOperators = ['!=', '==', '='] as const;

/** Splits a term at the leftmost operator (`!=` and `==` win over `=` at the same spot). */
function splitTerm(term: string): [string, (typeof termOperators)[number], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

export class FieldSelector {
  readonly requirements: readonly FieldRequirement[];

  constructor(requirements: readonly FieldRequirement[] = []) {
    this.requirements = [...requirements];
  }

  static everything(): FieldSelector {
    return everythingSelector;
  }

  /** Whether every requirement holds; a field missing from the map counts as "". */
  matches(fields: Readonly<Record<string, string>>): boolean {
    for (const r of this.requirements) {
      const actual = Object.hasOwn(fields, r.field) ? fields[r.field] : '';
      if ((actual === r.value) !== (r.operator === '=')) return false;
    }
    return true;
  }

  isEverything(): boolean {
    return this.requirements.length === 0;
  }

  /** The value a field must equal if some `=` requirement pins it, else undefined. */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }

  /** The selector in query-string form, values escaped (`==` prints as `=`). */
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

const everythingSelector = new FieldSelector();

/**
 * Parses `?fieldSelector=` text as upstream's fields.ParseSelector does: terms are
 * sorted (as raw text), empty terms skipped, and a term with neither field nor value
 * (`=`, `!=`) dropped. Throws SelectorError with upstream's messages.
 */
export function parseFieldSelector(text: string): FieldSelector {
  const terms = splitTerms(text).sort(compareCodePoints);
  const requirements: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (!split) throw new SelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    const [field, op, raw] = split;
    const value = unescapeFieldValue(raw);
    if (field === '' && value === '') continue;
    requirements.push({ field, operator: op === '!=' ? '!=' : '=', value });
  }
  return requirements.length === 0 ? everythingSelector : new FieldSelector(requirements);
}

const genericFields = new Set(['metadata.name', 'metadata.namespace']);

/**
 * Rejects a selector that uses a field the kind cannot be selected by, with the message
 * kube-apiserver puts in its 400. Upstream has two wordings, depending on whether the
 * kind registers its own field-label conversion:
 *  - kinds with their own (Pod, Node, Namespace, Secret, Event, custom resources, ...):
 *    `field label not supported: <field>`;
 *  - kinds without (the default, metadata.name / metadata.namespace only):
 *    `"<field>" is not a known field selector: only "metadata.name", "metadata.namespace"`.
 * By default the first wording is used when `allowed` lists anything beyond the two
 * metadata fields; pass `ownConversion` to choose explicitly (true for custom resources).
 * `kind` names the resource kind for callers and readers; it does not change the text.
 */
export function checkFieldSelector(
  sel: FieldSelector,
  allowed: readonly string[],
  _kind: string,
  ownConversion?: boolean,
): void {
  const custom = ownConversion ?? allowed.some((f) => !genericFields.has(f));
  for (const r of sel.requirements) {
    if (allowed.includes(r.field)) continue;
    throw new SelectorError(
      custom
        ? `field label not supported: ${r.field}`
        : `${goQuote(r.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
    );
  }
}
