/** How Go's fmt prints values in the messages upstream builds with %v and %q. */

/** %v of a float64: shortest digits, exponent form below 1e-4 or from 1e+06 on (`1e+06`). */
export function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return '0';
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e >= -4 && e < 6) return String(n);
  const abs = Math.abs(e);
  return `${mantissa}e${e < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
}

/** %v of a number that Go holds as int64 (integers) or float64 (the rest). */
export function goNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63 ? String(n) : goFloat(n);
}

/** %q of a string. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** %v of a []interface{} (an enum's values): `[a 1 true]`. */
export function goList(values: readonly unknown[]): string {
  return `[${values.map((v) => (typeof v === 'string' ? v : typeof v === 'number' ? goNumber(v) : JSON.stringify(v))).join(' ')}]`;
}

/** Field paths as upstream's field.Path prints them. */
export const fieldPath = {
  child: (p: string, name: string) => (p ? `${p}.${name}` : name),
  key: (p: string, k: string) => `${p}[${k}]`,
  index: (p: string, i: number) => `${p}[${i}]`,
};

/** %v of a JSON value as Go's unstructured holds it (`map[a:1]`, `[x y]`, `<nil>`). */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return goNumber(v);
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goValue(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

/** %T of a JSON value as Go's unstructured holds it. */
export function goType(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  return 'string';
}
