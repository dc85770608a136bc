/**
 * The subset of libnftables' JSON schema (`man libnftables-json`, nft 1.0.6) that skiff writes.
 * A document is `{nftables: Command[]}`; each command wraps one object (table, chain, rule,
 * set, map, element) under its verb.
 */

export type Family = 'ip' | 'ip6' | 'inet';

/** An expression: a literal, a reference (`@set`), or one of the tagged objects below. */
export type Expr =
  | string
  | number
  | boolean
  | Expr[]
  | { payload: { protocol: string; field: string } }
  | { meta: { key: string } }
  | { ct: { key: string } }
  | { fib: { result: 'type' | 'oif' | 'oifname'; flags: string[] } }
  | { numgen: { mode: 'random' | 'inc'; mod: number; offset?: number } }
  | { prefix: { addr: string; len: number } }
  | { range: [Expr, Expr] }
  | { concat: Expr[] }
  | { set: Expr[] }
  | { '&': [Expr, Expr] }
  | { '|': [Expr, Expr] }
  | { '^': [Expr, Expr] }
  | { map: { key: Expr; data: Expr } }
  | Verdict;

export type Verdict =
  | { accept: null }
  | { drop: null }
  | { continue: null }
  | { return: null }
  | { jump: { target: string } }
  | { goto: { target: string } };

/** A statement: one element of a rule's `expr` array. */
export type Statement =
  | { match: { op: '==' | '!=' | 'in' | '<' | '>' | '<=' | '>='; left: Expr; right: Expr } }
  | { counter: null | { packets: number; bytes: number } }
  | { mangle: { key: Expr; value: Expr } }
  | { vmap: { key: Expr; data: Expr } }
  | { dnat: { family?: 'ip' | 'ip6'; addr: Expr; port?: number } }
  | { snat: { family?: 'ip' | 'ip6'; addr: string; port?: number } }
  | { masquerade: null | { flags?: string | string[] } }
  | { reject: null | { type?: string; expr?: string } }
  | { set: { op: 'add' | 'update'; elem: Expr; set: string } }
  | Verdict;

export interface TableObj {
  family: Family;
  name: string;
}

export interface ChainObj {
  family: Family;
  table: string;
  name: string;
  type?: 'filter' | 'nat' | 'route';
  hook?: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  prio?: number;
  policy?: 'accept' | 'drop';
}

export interface RuleObj {
  family: Family;
  table: string;
  chain: string;
  expr: Statement[];
  comment?: string;
  handle?: number;
}

export interface SetObj {
  family: Family;
  table: string;
  name: string;
  /** One data type name, or an array for a concatenation (`ipv4_addr . inet_proto . inet_service`). */
  type: string | string[];
  flags?: ('constant' | 'interval' | 'timeout' | 'dynamic')[];
  /** Seconds. */
  timeout?: number;
  elem?: Expr[];
  comment?: string;
}

export interface MapObj extends SetObj {
  /** The data type the map yields: `verdict` for a verdict map. */
  map: string;
}

export interface ElementObj {
  family: Family;
  table: string;
  name: string;
  /** Set elements, or `[key, value]` pairs for a map. */
  elem: Expr[];
}

export type NftObject =
  | { table: TableObj }
  | { chain: ChainObj }
  | { rule: RuleObj }
  | { set: SetObj }
  | { map: MapObj }
  | { element: ElementObj };

export type Command =
  | { add: NftObject }
  | { create: NftObject }
  | { flush: NftObject }
  | { delete: NftObject }
  | { replace: NftObject };

export interface NftDocument {
  nftables: Command[];
}
