/**
 * Resource quantities as upstream's resource.Quantity parses, compares and prints them
 * ("100m", "1.5", "128Mi", "1G", "1e3"). Values are exact: mantissa × 10^scale.
 */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  readonly mantissa: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
  /** The text as written, which upstream keeps (and prints) when it is already canonical. */
  readonly text?: string;
}

export const quantityFormatError =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const quantitySuffixError = "unable to parse quantity's suffix";

export class QuantityError extends Error {}

const decimalSuffixes: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByExponent = new Map(Object.entries(binarySuffixes).map(([s, e]) => [e, s]));

const maxInt64 = (1n << 63n) - 1n;
const nanoScale = -9;
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const abs = (n: bigint) => (n < 0n ? -n : n);
const pow10 = (n: number) => 10n ** BigInt(n);

interface Parts {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** Splits the text as upstream's parseQuantityString does (leading zeros dropped). */
function split(str: string): Parts {
  const end = str.length;
  let pos = 0;
  let positive = true;
  if (str[0] === '-' || str[0] === '+') {
    positive = str[0] === '+';
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, num: '0', denom: '', suffix: '' };
  let i = pos;
  while (isDigit(str[i])) i++;
  const num = str.slice(pos, i) || '0';
  pos = i;
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    pos = i;
  }
  const suffixStart = pos;
  while (pos < end && 'eEinumkKMGTP'.includes(str[pos]!)) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < end) throw new QuantityError(quantityFormatError);
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpret(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } {
  const dec = decimalSuffixes[suffix];
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = binarySuffixes[suffix];
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d+$/.test(suffix.slice(1))) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  throw new QuantityError(quantitySuffixError);
}

/** Rounds to `scale` (away from zero), as upstream's RoundUp. */
export function roundUp(q: Quantity, scale: number): Quantity {
  if (q.scale >= scale) return q;
  const factor = pow10(scale - q.scale);
  let m = q.mantissa / factor;
  if (q.mantissa % factor !== 0n) m += q.mantissa < 0n ? -1n : 1n;
  return { mantissa: m, scale, format: q.format };
}

/** Parses a quantity; throws QuantityError with upstream's message. */
export function parseQuantity(input: string): Quantity {
  const str = input.trim();
  if (str === '') throw new QuantityError(quantityFormatError);
  const { positive, num, denom, suffix } = split(str);
  const { base, exponent, format } = interpret(suffix);
  // The fast path (an int64 underneath) keeps the text when it is already canonical.
  let precision = -1;
  let scale = 0;
  let multiplier = 1n;
  if (base === 10) {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  } else if (denom.length === 0) {
    multiplier = 1n << BigInt(exponent);
    precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
  }
  if (precision >= 0) {
    scale -= denom.length;
    const shifted = num + denom;
    const value = BigInt(shifted);
    const result = value * multiplier;
    if (scale >= nanoScale && result <= maxInt64) {
      const canonical =
        base === 2 ? (value & 7n) !== 0n : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
      const q: Quantity = { mantissa: positive ? result : -result, scale, format };
      return canonical ? { ...q, text: str } : q;
    }
  }
  let mantissa = BigInt(num + denom);
  scale = -denom.length;
  if (base === 10) scale += exponent;
  else mantissa *= 1n << BigInt(exponent);
  let q: Quantity = { mantissa, scale, format };
  if (mantissa !== 0n) q = roundUp(q, nanoScale);
  if (format === 'BinarySI') {
    if (compareQuantities(q, { mantissa: maxInt64, scale: 0, format }) > 0)
      q = { ...q, mantissa: maxInt64, scale: 0 };
    if (q.mantissa !== 0n && compareQuantities(q, { mantissa: 1n, scale: 0, format }) < 0)
      q = { ...q, format: 'DecimalSI' };
  }
  return positive ? q : { ...q, mantissa: -q.mantissa };
}

/** A quantity from JSON: a string or a number, as upstream's UnmarshalJSON accepts. */
export function quantityFrom(value: unknown): Quantity {
  if (typeof value === 'number' && Number.isFinite(value)) return parseQuantity(String(value));
  if (typeof value === 'string') return parseQuantity(value);
  throw new QuantityError(quantityFormatError);
}

export function tryQuantity(value: unknown): Quantity | undefined {
  try {
    return quantityFrom(value);
  } catch {
    return undefined;
  }
}

function aligned(a: Quantity, b: Quantity): [bigint, bigint, number] {
  const scale = Math.min(a.scale, b.scale);
  return [a.mantissa * pow10(a.scale - scale), b.mantissa * pow10(b.scale - scale), scale];
}

/** -1, 0 or 1, as upstream's Cmp. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function addQuantities(a: Quantity, b: Quantity): Quantity {
  const [x, y, scale] = aligned(a, b);
  return { mantissa: x + y, scale, format: a.format };
}

/** The value in milli-units, rounded away from zero (upstream's MilliValue). */
export function milliValue(q: Quantity): bigint {
  const r = roundUp(q, -3);
  return r.scale >= -3 ? r.mantissa * pow10(r.scale + 3) : r.mantissa;
}

export const zeroQuantity: Quantity = { mantissa: 0n, scale: 0, format: 'DecimalSI' };

function isInteger(q: Quantity): boolean {
  return q.scale >= 0 || q.mantissa % pow10(-q.scale) === 0n;
}

/** The canonical text, as upstream's Quantity.String(). */
export function quantityString(q: Quantity): string {
  if (q.text !== undefined) return q.text;
  if (q.mantissa === 0n) return '0';
  const sign = q.mantissa < 0n ? '-' : '';
  let format = q.format;
  if (format === 'BinarySI') {
    const small =
      compareQuantities({ ...q, mantissa: abs(q.mantissa) }, { ...zeroQuantity, mantissa: 1024n }) < 0;
    if (small || !isInteger(q)) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let v = abs(q.scale >= 0 ? q.mantissa * pow10(q.scale) : q.mantissa / pow10(-q.scale));
    let e = 0;
    while (v >= 1024n && v % 1024n === 0n) {
      v /= 1024n;
      e += 10;
    }
    return `${sign}${v}${binaryByExponent.get(e) ?? ''}`;
  }
  let m = abs(q.mantissa);
  let e = q.scale;
  while (m >= 10n && m % 10n === 0n) {
    m /= 10n;
    e++;
  }
  while (e % 3 !== 0) {
    m *= 10n;
    e--;
  }
  let suffix: string;
  if (format === 'DecimalExponent') suffix = e === 0 ? '' : `e${e}`;
  else suffix = decimalByExponent.get(e) ?? `e${e}`;
  return `${sign}${m}${suffix}`;
}

/** A quantity's canonical text, or the value untouched when it does not parse. */
export function canonicalQuantity(value: unknown, roundToMilli = false): unknown {
  const q = tryQuantity(value);
  if (!q) return value;
  return quantityString(roundToMilli ? roundUp(q, -3) : q);
}
