/**
 * Walks of a JSON value against its SMD type (structured-merge-diff's typed package): the set of
 * fields a value sets (ToFieldSet), removal of a set of fields (RemoveItems), validation of list
 * keys, and EnsureNamedFieldsAreMembers. Compare and Merge live in compare.ts and merge.ts.
 */
import { FieldSet } from './fieldset.ts';
import {
  isMap,
  type Json,
  keyElement,
  type Path,
  type PathElement,
  pathString,
  peString,
  serializePE,
} from './path.ts';
import { fieldType, type SchemaType } from './schema.ts';

export type Kind = 'leaf' | 'list' | 'map';

/** How a value of type t is walked: as a whole (leaf, atomic), per list item, or per map entry. */
export function kindOf(t: SchemaType, v: Json | undefined): Kind {
  switch (t.t) {
    case 'list':
      return !t.atomic && (Array.isArray(v) || v === null) ? 'list' : 'leaf';
    case 'map':
      return !t.atomic && (isMap(v) || v === null) ? 'map' : 'leaf';
    case 'deduced':
    case 'untyped':
      return isMap(v) ? 'map' : 'leaf';
    default:
      return 'leaf';
  }
}

export type ListType = Extract<SchemaType, { t: 'list' }>;

const goStrings = (xs: readonly string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/** The path element of an item of an associative list, or an error message. */
export function itemPE(t: ListType, item: Json): PathElement | string {
  if (t.keys.length > 0) {
    if (item === null) return 'associative list with keys may not have a null element';
    if (!isMap(item)) return 'associative list with keys may not have non-map elements';
    const fields: [string, Json][] = [];
    for (const k of t.keys) {
      if (Object.hasOwn(item, k)) fields.push([k, item[k] as Json]);
      else if (t.keyDefaults && Object.hasOwn(t.keyDefaults, k)) fields.push([k, t.keyDefaults[k] as Json]);
    }
    if (fields.length === 0)
      return `associative list with keys has an element that omits all key fields ${goStrings(t.keys)} (and doesn't have default values for any key fields)`;
    return keyElement(fields);
  }
  if (isMap(item)) return "associative list without keys has an element that's a map type";
  if (Array.isArray(item)) return 'not supported: associative list with lists as elements';
  if (item === null) return "associative list without keys has an element that's an explicit null";
  return { value: item };
}

export class TypedError extends Error {
  override name = 'TypedError';
}

/** Validates list keys (and, unless duplicates are allowed, their uniqueness), as AsTyped does. */
export function validate(v: Json, t: SchemaType, allowDuplicates: boolean): void {
  const errs: string[] = [];
  const walk = (v: Json, t: SchemaType, path: Path, root: boolean) => {
    const kind = kindOf(t, v);
    if (kind === 'map' && isMap(v)) {
      for (const [k, x] of Object.entries(v))
        walk(x, fieldType(t, k, root).type, [...path, { field: k }], false);
    } else if (kind === 'list' && Array.isArray(v) && t.t === 'list') {
      const seen = new Set<string>();
      for (const [i, item] of v.entries()) {
        const pe = itemPE(t, item);
        if (typeof pe === 'string') {
          errs.push(`${pathString(path)}: element ${i}: ${pe}`);
          return;
        }
        const key = peString(pe);
        if (seen.has(key) && !allowDuplicates)
          errs.push(`${pathString(path)}: duplicate entries for key ${key}`);
        seen.add(key);
        walk(item, t.elem, [...path, pe], false);
      }
    }
  };
  walk(v, t, [], true);
  if (errs.length === 1) throw new TypedError(errs[0]);
  if (errs.length > 1) throw new TypedError(['errors:', ...errs.map((e) => `  ${e}`)].join('\n'));
}

/** Indexes a list's items by path element; items whose element can't be built are skipped. */
export function indexItems(t: ListType, list: readonly Json[]): { pe: PathElement; item: Json; i: number }[] {
  const out: { pe: PathElement; item: Json; i: number }[] = [];
  for (const [i, item] of list.entries()) {
    const pe = itemPE(t, item);
    if (typeof pe !== 'string') out.push({ pe, item, i });
  }
  return out;
}

/** typed.ToFieldSet: leaves, list items, and map entries that aren't struct fields (or are empty). */
export function toFieldSet(value: Json, type: SchemaType): FieldSet {
  const set = new FieldSet();
  collect(value, type, set, undefined, true);
  return set;
}

/** Adds what v (at element pe of parent, or the root) sets; child sets are made only when used. */
function collect(v: Json, t: SchemaType, parent: FieldSet, pe: PathElement | undefined, root: boolean): void {
  const kind = kindOf(t, v);
  if (kind === 'leaf') {
    if (pe) parent.members.set(serializePE(pe), pe);
    return;
  }
  let sub: FieldSet | undefined;
  const here = () => {
    sub ??= pe ? parent.descend(pe) : parent;
    return sub;
  };
  if (kind === 'list' && Array.isArray(v) && t.t === 'list') {
    const items = indexItems(t, v);
    const counts = new Map<string, number>();
    for (const { pe: ipe } of items) counts.set(serializePE(ipe), (counts.get(serializePE(ipe)) ?? 0) + 1);
    for (const { pe: ipe, item } of items) {
      here().members.set(serializePE(ipe), ipe);
      if (counts.get(serializePE(ipe)) === 1) collect(item, t.elem, here(), ipe, false);
    }
  } else if (kind === 'map' && isMap(v)) {
    for (const [k, x] of Object.entries(v)) {
      const ft = fieldType(t, k, root);
      const fpe = { field: k };
      collect(x, ft.type, here(), fpe, false);
      if (x === null || (isMap(x) && Object.keys(x).length === 0) || !ft.named)
        here().members.set(`f:${k}`, fpe);
    }
  }
}

/** typed.RemoveItems: drops the members of set (and prunes below its children). */
export function removeItems(value: Json, set: FieldSet, type: SchemaType): Json {
  return removeWalk(value, set, type, true) ?? null;
}

function removeWalk(v: Json, set: FieldSet, t: SchemaType, root: boolean): Json | undefined {
  const kind = kindOf(t, v);
  if (kind === 'leaf') return t.t === 'scalar' || !(isMap(v) || Array.isArray(v)) ? v : undefined;
  if (kind === 'list' && t.t === 'list') {
    if (!Array.isArray(v) || v.length === 0) return undefined;
    const out: Json[] = [];
    for (const item of v) {
      const pe = itemPE(t, item);
      if (typeof pe === 'string') {
        out.push(item);
        continue;
      }
      if (set.hasMember(pe)) continue;
      const sub = set.withPrefix(pe);
      out.push(sub.empty() ? item : (removeWalk(item, sub, t.elem, false) ?? null));
    }
    return out.length > 0 ? out : undefined;
  }
  if (!isMap(v) || Object.keys(v).length === 0) return undefined;
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) {
    const pe = { field: k };
    if (set.hasMember(pe)) continue;
    const sub = set.withPrefix(pe);
    const kept = sub.empty() ? x : removeWalk(x, sub, fieldType(t, k, root).type, false);
    // Upstream leaves null here, which the Go types then drop: drop it directly.
    if (kept !== undefined && !(kept === null && !sub.empty())) out[k] = kept;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** fieldpath.Set.EnsureNamedFieldsAreMembers: struct fields with owned children become members. */
export function ensureNamedFieldsAreMembers(
  set: FieldSet,
  type: SchemaType | undefined,
  root = true,
): FieldSet {
  const out = new FieldSet();
  for (const [k, pe] of set.members) out.members.set(k, pe);
  const mapLike = type !== undefined && (type.t === 'map' || type.t === 'untyped' || type.t === 'deduced');
  for (const [k, c] of set.children) {
    let childType: SchemaType | undefined;
    if ('field' in c.pe && mapLike && type) {
      const ft = fieldType(type, c.pe.field, root);
      childType = ft.type;
      if (ft.named) out.members.set(k, c.pe);
    } else if ('key' in c.pe && type?.t === 'list') {
      childType = type.elem;
    }
    out.children.set(k, { pe: c.pe, set: ensureNamedFieldsAreMembers(c.set, childType, false) });
  }
  return out;
}
