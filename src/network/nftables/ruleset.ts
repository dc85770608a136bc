/**
 * A desired nftables table as plain data — its chains (with their rules) and its sets and maps
 * (with their elements) — and the two ways to get the kernel there in one transaction: a full
 * replace (`add`/`delete`/`add table`, then everything) or a diff against the previously applied
 * state (only the chains, sets and elements that changed).
 */
import type { ChainObj, Command, Expr, Family, Statement } from './types.ts';

export interface BaseChain {
  type: 'filter' | 'nat' | 'route';
  hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  prio: number;
  policy?: 'accept' | 'drop';
}

export interface RuleSpec {
  expr: Statement[];
  comment?: string;
}

export interface ChainSpec {
  base?: BaseChain;
  rules: RuleSpec[];
}

export interface SetSpec {
  type: string | string[];
  /** Set for a map: the data type (`verdict`). */
  map?: string;
  flags?: ('constant' | 'interval' | 'timeout' | 'dynamic')[];
  timeout?: number;
  /** Elements the agent owns (keys, or `[key, value]` pairs for a map). Dynamic sets have none. */
  elements: Expr[];
  comment?: string;
  /**
   * The elements by key with a signature (key and value), when the builder already knows them;
   * saves serializing every element of a large set on each diff. Must match `elements`.
   */
  index?: ElementIndex;
}

export type ElementIndex = Map<string, { elem: Expr; sig: string }>;

export class Ruleset {
  readonly family: Family;
  readonly table: string;
  readonly chains = new Map<string, ChainSpec>();
  readonly sets = new Map<string, SetSpec>();

  constructor(family: Family, table: string) {
    this.family = family;
    this.table = table;
  }

  /** Adds (or returns) a chain; the rules array is the chain's, to push onto. */
  chain(name: string, base?: BaseChain): RuleSpec[] {
    let c = this.chains.get(name);
    if (!c) {
      c = base ? { base, rules: [] } : { rules: [] };
      this.chains.set(name, c);
    }
    return c.rules;
  }

  rule(chain: string, expr: Statement[], comment?: string): void {
    const rules = this.chain(chain);
    rules.push(comment === undefined ? { expr } : { expr, comment });
  }

  set(name: string, spec: Omit<SetSpec, 'elements'> & { elements?: Expr[] }): Expr[] {
    let s = this.sets.get(name);
    if (!s) {
      s = { ...spec, elements: spec.elements ?? [] };
      delete s.index;
      this.sets.set(name, s);
    }
    return s.elements;
  }
}

const chainObj = (rs: Ruleset, name: string, spec?: ChainSpec): ChainObj => {
  const obj: ChainObj = { family: rs.family, table: rs.table, name };
  if (spec?.base) {
    obj.type = spec.base.type;
    obj.hook = spec.base.hook;
    obj.prio = spec.base.prio;
    obj.policy = spec.base.policy ?? 'accept';
  }
  return obj;
};

function setCommand(rs: Ruleset, name: string, s: SetSpec): Command {
  const obj = { family: rs.family, table: rs.table, name, type: s.type } as {
    family: Family;
    table: string;
    name: string;
    type: string | string[];
    map?: string;
    flags?: SetSpec['flags'];
    timeout?: number;
    comment?: string;
  };
  if (s.flags) obj.flags = s.flags;
  if (s.timeout !== undefined) obj.timeout = s.timeout;
  if (s.comment) obj.comment = s.comment;
  if (s.map) return { add: { map: { ...obj, map: s.map } } };
  return { add: { set: obj } };
}

const elementCommand = (verb: 'add' | 'delete', rs: Ruleset, name: string, elem: Expr[]): Command =>
  ({ [verb]: { element: { family: rs.family, table: rs.table, name, elem } } }) as Command;

function ruleCommands(rs: Ruleset, chain: string, rules: RuleSpec[], out: Command[]): void {
  for (const r of rules) {
    const rule = { family: rs.family, table: rs.table, chain, expr: r.expr } as {
      family: Family;
      table: string;
      chain: string;
      expr: Statement[];
      comment?: string;
    };
    if (r.comment) rule.comment = r.comment;
    out.push({ add: { rule } });
  }
}

/**
 * Replaces the whole table in one transaction: creating it first makes the delete safe when it
 * does not exist yet. Chains and sets come before the rules and elements that name them.
 */
export function fullCommands(rs: Ruleset): Command[] {
  const table = { family: rs.family, name: rs.table };
  const out: Command[] = [{ add: { table } }, { delete: { table } }, { add: { table } }];
  for (const [name, spec] of rs.chains) out.push({ add: { chain: chainObj(rs, name, spec) } });
  for (const [name, s] of rs.sets) out.push(setCommand(rs, name, s));
  for (const [name, s] of rs.sets)
    if (s.elements.length) out.push(elementCommand('add', rs, name, s.elements));
  for (const [name, spec] of rs.chains) ruleCommands(rs, name, spec.rules, out);
  return out;
}

/** Only the table's removal (creating it first so a missing table is not an error). */
export function deleteTableCommands(family: Family, name: string): Command[] {
  const table = { family, name };
  return [{ add: { table } }, { delete: { table } }];
}

const keyOf = (e: Expr): Expr => (Array.isArray(e) && e.length === 2 ? (e[0] as Expr) : e);

// Serializations are cached per spec object: a Ruleset is diffed once as `next` and once as
// `prev`, so each sync serializes only the new state.
// Keyed by the rules array: a builder that reuses a chain's array from one build to the next
// (an unchanged Service) pays nothing for it.
const chainSigs = new WeakMap<RuleSpec[], string>();
const chainSig = (c: ChainSpec): string => {
  let sig = chainSigs.get(c.rules);
  if (sig === undefined) {
    sig = JSON.stringify(c.rules);
    chainSigs.set(c.rules, sig);
  }
  return sig;
};
const elementSigs = new WeakMap<SetSpec, ElementIndex>();
function elementIndex(s: SetSpec): ElementIndex {
  if (s.index) return s.index;
  let index = elementSigs.get(s);
  if (!index) {
    index = new Map();
    for (const elem of s.elements) {
      const sig = JSON.stringify(elem);
      const key = elem === keyOf(elem) ? sig : JSON.stringify(keyOf(elem));
      index.set(key, { elem, sig });
    }
    elementSigs.set(s, index);
  }
  return index;
}
const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const setShape = (s: SetSpec) => JSON.stringify([s.type, s.map, s.flags, s.timeout, s.comment]);

/**
 * The commands that take the table from `prev` (what was last applied) to `next`, or null when
 * the change is structural (a base chain or a set's type changed) and a full replace is needed.
 * Order: new chains and sets; stale elements out; changed chains flushed and refilled; new
 * elements in; then chains and sets no longer wanted flushed and deleted (nothing names them by
 * then).
 */
export function diffCommands(prev: Ruleset, next: Ruleset): Command[] | null {
  if (prev.family !== next.family || prev.table !== next.table) return null;
  const out: Command[] = [];
  for (const [name, spec] of next.chains) {
    const old = prev.chains.get(name);
    if (old && !sameJson(old.base, spec.base)) return null;
    if (!old) out.push({ add: { chain: chainObj(next, name, spec) } });
  }
  for (const [name, s] of next.sets) {
    const old = prev.sets.get(name);
    if (old && setShape(old) !== setShape(s)) return null;
    if (!old) out.push(setCommand(next, name, s));
  }
  const additions: Command[] = [];
  for (const [name, s] of next.sets) {
    const old = prev.sets.get(name);
    const before: ElementIndex = old ? elementIndex(old) : new Map();
    const after = elementIndex(s);
    const stale: Expr[] = [];
    const fresh: Expr[] = [];
    for (const [key, { elem, sig }] of after) {
      const was = before.get(key);
      if (was === undefined) fresh.push(elem);
      else if (was.sig !== sig) {
        stale.push(keyOf(elem));
        fresh.push(elem);
      }
    }
    for (const [key, { elem }] of before) if (!after.has(key)) stale.push(keyOf(elem));
    if (stale.length) out.push(elementCommand('delete', next, name, stale));
    if (fresh.length) additions.push(elementCommand('add', next, name, fresh));
  }
  for (const [name, spec] of next.chains) {
    const old = prev.chains.get(name);
    if (old && (old.rules === spec.rules || chainSig(old) === chainSig(spec))) continue;
    if (old) out.push({ flush: { chain: chainObj(next, name) } });
    ruleCommands(next, name, spec.rules, out);
  }
  out.push(...additions);
  for (const [name] of prev.chains) {
    if (next.chains.has(name)) continue;
    out.push({ flush: { chain: chainObj(prev, name) } });
  }
  for (const [name] of prev.chains) {
    if (!next.chains.has(name)) out.push({ delete: { chain: chainObj(prev, name) } });
  }
  for (const [name, s] of prev.sets) {
    if (next.sets.has(name)) continue;
    const obj = { family: prev.family, table: prev.table, name, type: s.type };
    out.push(s.map ? { delete: { map: { ...obj, map: s.map } } } : { delete: { set: obj } });
  }
  return out;
}
