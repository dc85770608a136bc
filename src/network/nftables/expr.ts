/**
 * Small constructors for the expressions and statements skiff uses, so rule builders read like
 * nft syntax: `match(payload('ip', 'daddr'), '==', '10.43.0.1')`.
 */
import type { Expr, Statement, Verdict } from './types.ts';

export const payload = (protocol: string, field: string): Expr => ({ payload: { protocol, field } });
export const meta = (key: string): Expr => ({ meta: { key } });
export const ct = (key: string): Expr => ({ ct: { key } });
export const fib = (flags: string[], result: 'type' | 'oif' | 'oifname' = 'type'): Expr => ({
  fib: { result, flags },
});
export const numgenRandom = (mod: number): Expr => ({ numgen: { mode: 'random', mod, offset: 0 } });
export const concat = (...parts: Expr[]): Expr => ({ concat: parts });
export const setRef = (name: string): string => `@${name}`;
export const anonSet = (elems: Expr[]): Expr => ({ set: elems });
export const bitAnd = (a: Expr, b: Expr): Expr => ({ '&': [a, b] });
export const bitOr = (a: Expr, b: Expr): Expr => ({ '|': [a, b] });
export const bitXor = (a: Expr, b: Expr): Expr => ({ '^': [a, b] });

/** An address or a CIDR as an nft expression: `10.42.0.0/16` becomes a prefix. */
export function addrOrPrefix(cidr: string): Expr {
  const slash = cidr.indexOf('/');
  if (slash < 0) return cidr;
  return { prefix: { addr: cidr.slice(0, slash), len: Number(cidr.slice(slash + 1)) } };
}

export function match(left: Expr, op: '==' | '!=' | 'in' | '<' | '>' | '<=' | '>=', right: Expr): Statement {
  return { match: { op, left, right } };
}

export const jump = (target: string): Verdict => ({ jump: { target } });
export const goto = (target: string): Verdict => ({ goto: { target } });
export const accept = (): Verdict => ({ accept: null });
export const drop = (): Verdict => ({ drop: null });
export const ret = (): Verdict => ({ return: null });
export const counter = (): Statement => ({ counter: null });
export const vmap = (key: Expr, data: Expr): Statement => ({ vmap: { key, data } });
export const masquerade = (fullyRandom = true): Statement => ({
  masquerade: fullyRandom ? { flags: 'fully-random' } : null,
});
export const reject = (): Statement => ({ reject: null });
export const setMark = (value: Expr): Statement => ({ mangle: { key: meta('mark'), value } });
export const updateSet = (name: string, elem: Expr): Statement => ({
  set: { op: 'update', elem, set: setRef(name) },
});
export function dnat(addr: string, port: number | undefined, family?: 'ip' | 'ip6'): Statement {
  const d: { family?: 'ip' | 'ip6'; addr: string; port?: number } = { addr };
  if (family) d.family = family;
  if (port !== undefined) d.port = port;
  return { dnat: d };
}

/** `dnat <family> to <key> map { k : addr . port, … }` — e.g. a numgen choice among endpoints. */
export function dnatMap(family: 'ip' | 'ip6', key: Expr, targets: Expr[]): Statement {
  return { dnat: { family, addr: { map: { key, data: { set: targets } } } } };
}
