/**
 * typed.Merge with upstream's keep-RHS rule: the applied configuration (rhs) merged into the live
 * object (lhs). Leaves and atomic values take the rhs; maps merge per entry; associative lists merge
 * per item, keeping live items the configuration doesn't mention in place and the configuration's
 * items in its own order. A null left where a value was (an explicit null in the configuration) is
 * dropped, as decoding into the Go types would.
 */
import { isMap, type Json, type PathElement, pathString, peString } from './path.ts';
import { fieldType, type SchemaType } from './schema.ts';
import { itemPE, type Kind, kindOf, type ListType, TypedError } from './typed.ts';

type V = Json | undefined;

export function merge(lhs: Json, rhs: Json, type: SchemaType): Json {
  return node(lhs, rhs, type, [], true) ?? {};
}

function node(l: V, r: V, t: SchemaType, path: PathElement[], root: boolean): V {
  if (l === undefined && r === undefined) return undefined;
  const kind: Kind = r === undefined ? kindOf(t, l as Json) : kindOf(t, r);
  if (kind === 'leaf') return r !== undefined ? r : l;
  if (kind === 'map') {
    const lm = isMap(l) ? l : undefined;
    const rm = isMap(r) ? r : undefined;
    if (isEmpty(lm) && isEmpty(rm)) return r !== undefined ? r : l;
    const out: Record<string, Json> = {};
    const keys = new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})]);
    for (const k of keys) {
      const lv = lm && Object.hasOwn(lm, k) ? lm[k] : undefined;
      const rv = rm && Object.hasOwn(rm, k) ? rm[k] : undefined;
      const v = node(lv, rv, fieldType(t, k, root).type, [...path, { field: k }], false);
      if (v !== undefined && v !== null) out[k] = v;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  const la = Array.isArray(l) ? l : [];
  const ra = Array.isArray(r) ? r : [];
  if (la.length === 0 && ra.length === 0) return r !== undefined ? r : l;
  if (t.t !== 'list') return r !== undefined ? r : l;
  const out = mergeItems(t, la, ra, path);
  return out.length > 0 ? out : undefined;
}

const isEmpty = (m: Record<string, Json> | undefined) => !m || Object.keys(m).length === 0;

interface Indexed {
  readonly pes: PathElement[];
  /** Item by element; null when the live list holds the element more than once. */
  readonly byKey: Map<string, Json>;
}

function index(t: ListType, list: readonly Json[], allowDuplicates: boolean, path: PathElement[]): Indexed {
  const pes: PathElement[] = [];
  const byKey = new Map<string, Json>();
  for (const [i, item] of list.entries()) {
    const pe = itemPE(t, item);
    if (typeof pe === 'string') throw new TypedError(`${pathString(path)}: element ${i}: ${pe}`);
    const k = peString(pe);
    if (byKey.has(k)) {
      if (!allowDuplicates) throw new TypedError(`${pathString(path)}: duplicate entries for key ${k}`);
      byKey.set(k, null);
    } else byKey.set(k, item);
    pes.push(pe);
  }
  return { pes, byKey };
}

function mergeItems(t: ListType, la: readonly Json[], ra: readonly Json[], path: PathElement[]): Json[] {
  const rhs = index(t, ra, false, path);
  const lhs = index(t, la, true, path);
  const out: Json[] = [];
  const push = (pe: PathElement, l: V, r: V) => {
    const v = node(l, r, t.elem, [...path, pe], false);
    if (v !== undefined) out.push(v);
  };
  const shared = rhs.pes.filter((pe) => lhs.byKey.has(peString(pe))).map(peString);
  let next = shared.shift();
  const merged = new Set<string>();
  let li = 0;
  let ri = 0;
  while (li < lhs.pes.length || ri < rhs.pes.length) {
    if (li < lhs.pes.length && ri < rhs.pes.length) {
      const k = peString(lhs.pes[li] as PathElement);
      if (k === peString(rhs.pes[ri] as PathElement)) {
        merged.add(k);
        push(lhs.pes[li] as PathElement, lhs.byKey.get(k), rhs.byKey.get(k));
        li++;
        ri++;
        next = shared.shift();
        continue;
      }
      if (rhs.byKey.has(k) && next !== undefined && next !== k) {
        li++;
        continue;
      }
    }
    if (li < lhs.pes.length) {
      const pe = lhs.pes[li] as PathElement;
      const k = peString(pe);
      if (!rhs.byKey.has(k)) {
        push(pe, la[li], undefined);
        li++;
        continue;
      }
      if (merged.has(k)) li++;
    }
    if (ri < rhs.pes.length) {
      const pe = rhs.pes[ri] as PathElement;
      const k = peString(pe);
      merged.add(k);
      push(pe, lhs.byKey.get(k), rhs.byKey.get(k));
      ri++;
      if (next === k) next = shared.shift();
    }
  }
  return out;
}
