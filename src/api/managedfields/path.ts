/**
 * Path elements of structured-merge-diff's fieldpath package: how one step into an object is named
 * (`f:name`, `k:{"name":"c"}`, `v:"x"`, `i:0`), ordered, printed (`.spec.containers[name="c"]`) and
 * serialized. Values follow SMD's value package: numbers < strings < booleans < lists < maps < null.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type PathElement =
  | { readonly field: string }
  | { readonly key: readonly (readonly [string, Json])[] }
  | { readonly value: Json }
  | { readonly index: number };

export type Path = readonly PathElement[];

export const isMap = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's strings.Compare: byte order of UTF-8, which is code point order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function rank(v: Json): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v === null) return 5;
  return 4;
}

/** SMD's value.Compare: a total order over JSON values. */
export function compareValues(a: Json, b: Json): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i] as Json, b[i] as Json);
      if (c !== 0) return c;
    }
    return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a).sort(compareStrings);
    const kb = Object.keys(b).sort(compareStrings);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const c = compareStrings(ka[i] as string, kb[i] as string);
      if (c !== 0) return c;
      const d = compareValues(a[ka[i] as string] as Json, b[kb[i] as string] as Json);
      if (d !== 0) return d;
    }
    return ka.length < kb.length ? -1 : ka.length > kb.length ? 1 : 0;
  }
  return 0;
}

export function valuesEqual(a: Json, b: Json): boolean {
  return compareValues(a, b) === 0;
}

const peRank = (pe: PathElement) => ('field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3);

/** fieldpath.PathElement.Compare: fields, then keys, then values, then indexes. */
export function comparePE(a: PathElement, b: PathElement): number {
  const ra = peRank(a);
  const rb = peRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if ('field' in a && 'field' in b) return compareStrings(a.field, b.field);
  if ('key' in a && 'key' in b) {
    for (let i = 0; i < Math.min(a.key.length, b.key.length); i++) {
      const [an, av] = a.key[i] as readonly [string, Json];
      const [bn, bv] = b.key[i] as readonly [string, Json];
      const c = compareStrings(an, bn) || compareValues(av, bv);
      if (c !== 0) return c;
    }
    return a.key.length < b.key.length ? -1 : a.key.length > b.key.length ? 1 : 0;
  }
  if ('value' in a && 'value' in b) return compareValues(a.value, b.value);
  if ('index' in a && 'index' in b) return a.index < b.index ? -1 : a.index > b.index ? 1 : 0;
  return 0;
}

export function comparePaths(a: Path, b: Path): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = comparePE(a[i] as PathElement, b[i] as PathElement);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** A key element from a list item's key fields, sorted by name as SMD keeps them. */
export function keyElement(fields: [string, Json][]): PathElement {
  return { key: [...fields].sort((x, y) => compareStrings(x[0], y[0])) };
}

const shortEscapes: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A JSON string as Go's encoders write it: HTML-sensitive characters and U+2028/9 escaped. */
export function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    const short = shortEscapes[ch];
    if (short) out += short;
    else if (code < 0x20 || ch === '<' || ch === '>' || ch === '&' || code === 0x2028 || code === 0x2029)
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** JSON as Go's encoding/json (and jsoniter's compatible mode) writes it: sorted keys, no spaces. */
export function goJson(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  const keys = Object.keys(v).sort(compareStrings);
  return `{${keys.map((k) => `${goJsonString(k)}:${goJson(v[k] as Json)}`).join(',')}}`;
}

/** Go's %q for a string. */
export function goQuote(s: string): string {
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    const esc = shortEscapes[ch] ?? named[ch];
    if (esc) out += esc;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's %v of a number: integers as such, other floats as %g (exponent form outside [1e-4, 1e6)). */
function goFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp >= -4 && exp < 6) return String(n);
  const [mant, e] = n.toExponential().split('e') as [string, string];
  const sign = e.startsWith('-') ? '-' : '+';
  return `${mant}e${sign}${e.replace(/^[-+]/, '').padStart(2, '0')}`;
}

/** SMD's value.ToString, used in paths printed for people. */
export function valueString(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return goFloat(v);
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  return Object.entries(v)
    .map(([k, x]) => `${k}=${valueString(x)}`)
    .join('');
}

const printed = new WeakMap<PathElement, string>();
const serialized = new WeakMap<PathElement, string>();

/** fieldpath.PathElement.String: `.name`, `[name="c"]`, `[="x"]`, `[0]`. */
export function peString(pe: PathElement): string {
  let s = printed.get(pe);
  if (s === undefined) {
    if ('field' in pe) s = `.${pe.field}`;
    else if ('key' in pe) s = `[${pe.key.map(([k, v]) => `${k}=${valueString(v)}`).join(',')}]`;
    else if ('value' in pe) s = `[=${valueString(pe.value)}]`;
    else s = `[${pe.index}]`;
    printed.set(pe, s);
  }
  return s;
}

export function pathString(path: Path): string {
  return path.map(peString).join('');
}

/** The FieldsV1 key of a path element: `f:name`, `k:{"name":"c"}`, `v:"x"`, `i:0`. */
export function serializePE(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  let s = serialized.get(pe);
  if (s === undefined) {
    if ('key' in pe) s = `k:{${pe.key.map(([k, v]) => `${goJsonString(k)}:${goJson(v)}`).join(',')}}`;
    else if ('value' in pe) s = `v:${goJson(pe.value)}`;
    else s = `i:${(pe as { index: number }).index}`;
    serialized.set(pe, s);
  }
  return s;
}

/** Parses a FieldsV1 key; undefined for an unknown element type (upstream skips those). */
export function parsePE(s: string): PathElement | undefined {
  if (s.length < 2) throw new Error('key must be 2 characters long:');
  if (s[1] !== ':') throw new Error(`missing colon: ${s}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return { field: body };
    case 'v':
      return { value: JSON.parse(body) as Json };
    case 'k': {
      const obj = JSON.parse(body) as unknown;
      if (!isMap(obj)) throw new Error(`expected an object in key ${s}`);
      return keyElement(Object.entries(obj));
    }
    case 'i': {
      if (!/^-?\d+$/.test(body)) throw new Error(`invalid index: ${s}`);
      return { index: Number(body) };
    }
    default:
      return undefined;
  }
}
