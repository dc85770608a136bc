/**
 * The error every selector function throws, plus the little bits of Go-style
 * formatting needed to make its messages read exactly like kube-apiserver's.
 */

/** A label or field selector that could not be parsed, converted or accepted. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

const namedEscapes: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** A double-quoted string the way Go's `%q` prints it (ASCII control characters as `\xNN`). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const named = namedEscapes[ch];
    if (named !== undefined) {
      out += named;
      continue;
    }
    const code = ch.codePointAt(0) ?? 0;
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
  }
  return out + '"';
}

/** A string slice the way Go's `%#v` prints it; `null` stands for a nil slice. */
export function goStringSlice(values: readonly string[] | null): string {
  if (values === null) return '[]string(nil)';
  return `[]string{${values.map(goQuote).join(', ')}}`;
}

/** One upstream `field.Invalid` error: `<path>: Invalid value: <value>: <detail>`. */
export function invalidValue(path: string, value: string | readonly string[] | null, detail: string): string {
  const shown = typeof value === 'string' ? goQuote(value) : goStringSlice(value);
  return `${path}: Invalid value: ${shown}: ${detail}`;
}

/** Upstream's aggregate error text: a lone message as is, several (deduplicated) in brackets. */
export function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  if (unique.length === 1) return unique[0]!;
  return `[${unique.join(', ')}]`;
}

/** Orders strings by code point (the same order as Go's byte-wise comparison of UTF-8). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}
