/** IP and CIDR checks with upstream's messages (k8s.io/utils/net semantics). */
import { isIPv4, isIPv6 } from 'node:net';
import { type FieldError, field } from '../../../api/field-errors.ts';

/** The 16 bytes of an address (IPv4 mapped into ::ffff:0:0/96), or undefined. */
export function ipBytes(s: string): number[] | undefined {
  if (isIPv4(s)) return [...Array(10).fill(0), 0xff, 0xff, ...s.split('.').map(Number)];
  if (!isIPv6(s)) return undefined;
  let text = s;
  let tail: number[] = [];
  const dotted = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = text.slice(dotted + 1);
    tail = v4.split('.').map(Number);
    text = `${text.slice(0, dotted + 1)}0:0`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (g: string) => (g === '' ? [] : g.split(':').map((x) => Number.parseInt(x, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

export const isIP = (s: string): boolean => ipBytes(s) !== undefined;
export const is4 = (s: string): boolean => isIPv4(s);

/** upstream's IsValidIP. */
export function validIP(path: string, value: string): FieldError[] {
  return isIP(value)
    ? []
    : [field.invalid(path, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

export interface Cidr {
  bytes: number[];
  /** Prefix length counted over the 16-byte form. */
  bits: number;
  v4: boolean;
}

export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = s.slice(0, slash);
  const len = s.slice(slash + 1);
  const bytes = ipBytes(ip);
  if (!bytes || !/^\d{1,3}$/.test(len)) return undefined;
  const v4 = isIPv4(ip);
  const n = Number(len);
  if (n > (v4 ? 32 : 128)) return undefined;
  return { bytes, bits: v4 ? n + 96 : n, v4 };
}

/** upstream's IsValidCIDR. */
export function validCidr(path: string, value: string): FieldError[] {
  return parseCidr(value)
    ? []
    : [field.invalid(path, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

/** Whether `inner`'s network address lies in `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  for (let bit = 0; bit < outer.bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((outer.bytes[byte]! & mask) !== (inner.bytes[byte]! & mask)) return false;
  }
  return true;
}

/**
 * upstream's ValidateNonSpecialIP for endpoint addresses: unspecified, link-local and
 * link-local multicast addresses are refused. (Loopback is refused upstream too; skiff allows
 * it because its own `kubernetes` endpoints use the default advertise address 127.0.0.1.)
 */
export function nonSpecialIP(path: string, value: string): FieldError[] {
  const b = ipBytes(value);
  if (!b) return [field.invalid(path, value, 'must be a valid IP address')];
  const v4 = b.slice(0, 12).every((x, i) => x === (i < 10 ? 0 : 0xff));
  const errs: FieldError[] = [];
  const zero = v4 ? b.slice(12).every((x) => x === 0) : b.every((x) => x === 0);
  if (zero) errs.push(field.invalid(path, value, `may not be unspecified (${value})`));
  const linkLocal = v4 ? b[12] === 169 && b[13] === 254 : b[0] === 0xfe && (b[1]! & 0xc0) === 0x80;
  if (linkLocal)
    errs.push(field.invalid(path, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  const mcast = v4 ? b[12] === 224 && b[13] === 0 && b[14] === 0 : b[0] === 0xff && (b[1]! & 0x0f) === 0x02;
  if (mcast)
    errs.push(
      field.invalid(path, value, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'),
    );
  return errs;
}
