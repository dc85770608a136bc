/**
 * go-spew's `%#v` (ConfigState{Indent: " ", SortKeys, DisableMethods, SpewKeys}, spew
 * d8f796a as Kubernetes vendors it) of the Go value a JSON pod template decodes to in
 * kube-controller-manager 1.32: what upstream's DeepHashObject feeds to FNV-32a. Field order and
 * Go type names come from go-types-1.32.json. The JSON is read as the controller gets it over
 * protobuf: an empty list or map is nil.
 */
import { parseQuantity, quantityString } from '../../registry/pods/index.ts';
import goTypes from './go-types-1.32.json' with { type: 'json' };

/** A value this renderer cannot reproduce exactly (a set timestamp, an inf.Dec quantity). */
export class UnsupportedValue extends Error {}

interface Field {
  readonly goName: string;
  /** undefined: inlined into the parent's JSON object; null: never in JSON. */
  readonly json: string | undefined | null;
  readonly type: string;
}

const structs = new Map<string, Field[]>();
for (const [name, spec] of Object.entries(goTypes.structs as Record<string, string>)) {
  structs.set(
    name,
    spec.split(' ').map((f) => {
      const [goName = '', json = '', type = ''] = f.split(':');
      return { goName, json: json === '' ? undefined : json === '-' ? null : json, type };
    }),
  );
}
const named = goTypes.named as Record<string, string>;

const ints = new Set([
  'int',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
]);
const zeroTime = '{Time:(time.Time){wall:(uint64)0 ext:(int64)0 loc:(*time.Location)<nil>}}';

const isEmpty = (v: unknown) =>
  v === undefined ||
  v === null ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

/** The element and key types of `[]T` and `map[K]V` type names. */
function mapParts(t: string): [key: string, value: string] {
  let depth = 0;
  for (let i = 4; i < t.length; i++) {
    if (t[i] === '[') depth++;
    else if (t[i] === ']' && depth-- === 0) return [t.slice(4, i), t.slice(i + 1)];
  }
  throw new UnsupportedValue(`bad map type ${t}`);
}

/** One value: `(type)` unless the caller already showed it, then the value itself. */
export function spew(type: string, v: unknown, ignoreType = false): string {
  if (type.startsWith('*')) {
    if (v === undefined || v === null) return ignoreType ? '<nil>' : `(${type})<nil>`;
    return (ignoreType ? '<*>' : `(${type})`) + spew(type.slice(1), v, true);
  }
  return (ignoreType ? '' : `(${type})`) + body(type, v);
}

function body(type: string, v: unknown): string {
  if (type.startsWith('[]')) {
    if (isEmpty(v)) return '<nil>';
    if (!Array.isArray(v)) throw new UnsupportedValue(`${type}: not a list`);
    return `[${v.map((e) => spew(type.slice(2), e, true)).join(' ')}]`;
  }
  if (type.startsWith('map[')) {
    if (isEmpty(v)) return '<nil>';
    if (typeof v !== 'object' || Array.isArray(v)) throw new UnsupportedValue(`${type}: not a map`);
    const [kt, vt] = mapParts(type);
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `map[${entries.map(([k, e]) => `${spew(kt, k, true)}:${spew(vt, e, true)}`).join(' ')}]`;
  }
  if (type === 'string' || type === 'types.UID') {
    if (v !== undefined && v !== null && typeof v !== 'string') throw new UnsupportedValue(`${type}: ${v}`);
    return (v as string | undefined) ?? '';
  }
  if (ints.has(type)) {
    if (v === undefined || v === null) return '0';
    if (!Number.isInteger(v)) throw new UnsupportedValue(`${type}: ${v}`);
    return String(v);
  }
  if (type === 'bool') return v === true ? 'true' : 'false';
  if (type === 'v1.Time') {
    if (v !== undefined && v !== null) throw new UnsupportedValue('a set metav1.Time');
    return zeroTime;
  }
  if (type === 'intstr.IntOrString') {
    if (typeof v === 'string') return `{Type:(intstr.Type)1 IntVal:(int32)0 StrVal:(string)${v}}`;
    return `{Type:(intstr.Type)0 IntVal:(int32)${v ?? 0} StrVal:(string)}`;
  }
  if (type === 'resource.Quantity') return quantity(v);
  const underlying = named[type];
  if (underlying !== undefined) return body(underlying, v);
  const fields = structs.get(type);
  if (!fields) throw new UnsupportedValue(`unknown Go type ${type}`);
  if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v)))
    throw new UnsupportedValue(`${type}: not an object`);
  const obj = (v ?? {}) as Record<string, unknown>;
  const parts = fields.map((f) => {
    const value = f.json === undefined ? obj : f.json === null ? undefined : obj[f.json];
    return `${f.goName}:${spew(f.type, value)}`;
  });
  return `{${parts.join(' ')}}`;
}

const decimalExponents: Record<string, number> = {
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
const binaryExponents: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/**
 * resource.Quantity as ParseQuantity leaves it for the canonical string the apiserver sends:
 * int64Amount{value, scale}, no inf.Dec, the string cached when it was already canonical.
 */
function quantity(v: unknown): string {
  if (v === undefined || v === null) return render(0n, 0, '', '');
  let str: string;
  try {
    str = quantityString(parseQuantity(String(v)));
  } catch {
    throw new UnsupportedValue(`quantity ${String(v)}`);
  }
  if (str === '0') return render(0n, 0, '0', 'DecimalSI');
  const m = /^(-?)0*(\d*)(?:\.(\d*))?(.*)$/.exec(str);
  if (!m) throw new UnsupportedValue(`quantity ${str}`);
  const [, sign = '', digits = '', denom = '', suffix = ''] = m;
  const num = digits === '' ? '0' : digits;
  let format: string;
  let exponent: number;
  let precision: number;
  let mantissa = 1n;
  let scale = 0;
  if (suffix in binaryExponents) {
    format = 'BinarySI';
    exponent = binaryExponents[suffix]!;
    if (denom !== '') throw new UnsupportedValue(`quantity ${str}`);
    mantissa = 1n << BigInt(exponent);
    precision = 15 - num.length - Math.trunc(Math.fround((Math.fround(exponent) * 3) / 10)) - 1;
  } else {
    const e = /^[eE]([+-]?\d+)$/.exec(suffix);
    format = e ? 'DecimalExponent' : 'DecimalSI';
    exponent = e ? Number(e[1]) : decimalExponents[suffix]!;
    if (exponent === undefined) throw new UnsupportedValue(`quantity ${str}`);
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  scale -= denom.length;
  if (precision < 0 || scale < -9) throw new UnsupportedValue(`quantity ${str}`);
  const shifted = num + denom;
  let value = BigInt(shifted) * mantissa;
  if (value >= 1n << 63n) throw new UnsupportedValue(`quantity ${str}`);
  if (sign) value = -value;
  const canonical =
    format === 'BinarySI'
      ? exponent % 10 === 0 && (BigInt(shifted) & 7n) !== 0n
      : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
  return render(value, scale, canonical ? str : '', format);
}

function render(value: bigint, scale: number, s: string, format: string): string {
  return (
    `{i:(resource.int64Amount){value:(int64)${value} scale:(resource.Scale)${scale}} ` +
    `d:(resource.infDecAmount){Dec:(*inf.Dec)<nil>} s:(string)${s} Format:(resource.Format)${format}}`
  );
}
