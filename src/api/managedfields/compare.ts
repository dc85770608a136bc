/**
 * typed.Compare: the fields added, modified and removed between two values of a type. A non-leaf
 * node missing on one side is itself added/removed (so a new container, or a new map, becomes a
 * member: the `".": {}` of FieldsV1). Upstream compares objects decoded into Go types, where
 * non-pointer structs and fields without omitempty are always present and empty optional ones are
 * not; decodedValue stands in for that on typed kinds, so filling in `spec.strategy` does not count
 * as adding the struct itself, and `labels: {}` counts as no labels.
 */
import { FieldSet } from './fieldset.ts';
import { isMap, type Json, type Path, type PathElement, peString, valuesEqual } from './path.ts';
import { decodedValue, fieldType, type SchemaType } from './schema.ts';
import { indexItems, type Kind, kindOf, type ListType } from './typed.ts';

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

type V = Json | undefined;

export function compare(lhs: Json, rhs: Json, type: SchemaType): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  node(c, lhs, rhs, type, [], true);
  return c;
}

/** Removes the given fields (and everything below them) from each part of a comparison. */
export function excludeFields(c: Comparison, fields: FieldSet): Comparison {
  if (fields.empty()) return c;
  return {
    added: c.added.recursiveDifference(fields),
    modified: c.modified.recursiveDifference(fields),
    removed: c.removed.recursiveDifference(fields),
  };
}

export function isSame(c: Comparison): boolean {
  return c.added.empty() && c.modified.empty() && c.removed.empty();
}

function node(c: Comparison, l: V, r: V, t: SchemaType, path: Path, root: boolean): void {
  if (l === undefined && r === undefined) return;
  const lk = l === undefined ? undefined : kindOf(t, l);
  const rk = r === undefined ? undefined : kindOf(t, r);
  const state = { inLeaf: false };
  if (r === undefined) handle(c, lk as Kind, l, r, t, path, root, state);
  else if (l === undefined || lk === rk) handle(c, rk as Kind, l, r, t, path, root, state);
  else {
    handle(c, lk as Kind, l, r, t, path, root, { inLeaf: false });
    handle(c, rk as Kind, l, r, t, path, root, state);
  }
  if (!state.inLeaf) {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
  }
}

function leaf(c: Comparison, l: V, r: V, path: Path, state: { inLeaf: boolean }): void {
  if (state.inLeaf) return;
  state.inLeaf = true;
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
  else if (!valuesEqual(l, r)) c.modified.insert(path);
}

function handle(
  c: Comparison,
  kind: Kind,
  l: V,
  r: V,
  t: SchemaType,
  path: Path,
  root: boolean,
  state: { inLeaf: boolean },
): void {
  if (kind === 'leaf') {
    leaf(c, l, r, path, state);
  } else if (kind === 'map') {
    const lm = isMap(l) ? l : undefined;
    const rm = isMap(r) ? r : undefined;
    const lEmpty = !lm || Object.keys(lm).length === 0;
    const rEmpty = !rm || Object.keys(rm).length === 0;
    if (lEmpty && rEmpty) {
      leaf(c, l, r, path, state);
      return;
    }
    const keys = new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})]);
    for (const k of keys) {
      const lv = lm ? decodedValue(t, k, Object.hasOwn(lm, k) ? lm[k] : undefined, root) : undefined;
      const rv = rm ? decodedValue(t, k, Object.hasOwn(rm, k) ? rm[k] : undefined, root) : undefined;
      node(c, lv, rv, fieldType(t, k, root).type, [...path, { field: k }], false);
    }
  } else {
    const la = Array.isArray(l) ? l : [];
    const ra = Array.isArray(r) ? r : [];
    if (la.length === 0 && ra.length === 0) leaf(c, l, r, path, state);
    else if (t.t === 'list') compareItems(c, t, la, ra, path);
  }
}

interface Group {
  readonly pe: PathElement;
  readonly items: Json[];
}

function group(t: ListType, list: readonly Json[], into: Map<string, Group>, order: PathElement[]): void {
  for (const { pe, item } of indexItems(t, list)) {
    const k = peString(pe);
    const g = into.get(k);
    if (g) g.items.push(item);
    else {
      into.set(k, { pe, items: [item] });
      order.push(pe);
    }
  }
}

function compareItems(
  c: Comparison,
  t: ListType,
  la: readonly Json[],
  ra: readonly Json[],
  path: Path,
): void {
  const lhs = new Map<string, Group>();
  const rhs = new Map<string, Group>();
  const order: PathElement[] = [];
  group(t, la, lhs, order);
  const rOrder: PathElement[] = [];
  group(t, ra, rhs, rOrder);
  for (const pe of rOrder) if (!lhs.has(peString(pe))) order.push(pe);
  for (const pe of order) {
    const l = lhs.get(peString(pe))?.items ?? [];
    const r = rhs.get(peString(pe))?.items ?? [];
    const p = [...path, pe];
    if (l.length <= 1 && r.length <= 1) node(c, l[0], r[0], t.elem, p, false);
    else if (l.length >= 2 && r.length >= 2) {
      if (l.length !== r.length || l.some((x, i) => !valuesEqual(x, r[i] as Json))) c.modified.insert(p);
    } else if (l.length >= 2) {
      if (r.length > 0) node(c, undefined, r[0], t.elem, p, false);
      c.removed.insert(p);
    } else {
      if (l.length > 0) node(c, l[0], undefined, t.elem, p, false);
      c.added.insert(p);
    }
  }
}
