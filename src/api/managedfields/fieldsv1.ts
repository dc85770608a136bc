/**
 * FieldsV1, the managedFields encoding of a field set (fieldpath.Set.ToJSON / FromJSON): a trie of
 * serialized path elements, `{}` for a leaf member, and `".": {}` first in a child's object when
 * the element is itself a member as well as a parent. Keys come in path-element order (fields,
 * then keys, then values, then indexes), which JavaScript objects keep as inserted.
 */
import { FieldSet } from './fieldset.ts';
import { comparePE, isMap, parsePE, serializePE } from './path.ts';

export type FieldsV1 = { [key: string]: FieldsV1 };

function emit(set: FieldSet, includeSelf: boolean): FieldsV1 {
  const out: FieldsV1 = {};
  const members = set.sortedMembers();
  const children = set.sortedChildren().filter((c) => !c.set.empty());
  if (includeSelf && (members.length > 0 || children.length > 0)) out['.'] = {};
  let mi = 0;
  let ci = 0;
  while (mi < members.length || ci < children.length) {
    const m = members[mi];
    const c = children[ci];
    const cmp = m === undefined ? 1 : c === undefined ? -1 : comparePE(m, c.pe);
    if (cmp < 0 && m) {
      out[serializePE(m)] = {};
      mi++;
    } else if (cmp > 0 && c) {
      out[serializePE(c.pe)] = emit(c.set, false);
      ci++;
    } else if (c) {
      out[serializePE(c.pe)] = emit(c.set, true);
      mi++;
      ci++;
    }
  }
  return out;
}

/** The FieldsV1 object of a set, key for key as upstream writes it. */
export function toFieldsV1(set: FieldSet): FieldsV1 {
  return emit(set, false);
}

/** toFieldsV1 as the JSON text upstream stores in FieldsV1.Raw. */
export function fieldsV1Json(set: FieldSet): string {
  return JSON.stringify(toFieldsV1(set));
}

/** Reads one level: the children found and whether the level itself is a member. */
function read(obj: unknown, at: string): { children: FieldSet | undefined; isMember: boolean } {
  if (!isMap(obj)) throw new Error(`${at}: expected an object`);
  let children: FieldSet | undefined;
  let isMember = false;
  for (const [key, value] of Object.entries(obj)) {
    if (key === '.') {
      isMember = true;
      continue;
    }
    let pe: ReturnType<typeof parsePE>;
    try {
      pe = parsePE(key);
    } catch (e) {
      throw new Error(`parsing key as path element: ${(e as Error).message}`);
    }
    if (!pe) continue; // an element type from the future: dropped, as upstream does
    const sub = read(value, key);
    children ??= new FieldSet();
    if (sub.isMember) children.members.set(serializePE(pe), pe);
    if (sub.children) {
      const existing = children.children.get(serializePE(pe));
      const set = existing ? existing.set.union(sub.children) : sub.children;
      children.children.set(serializePE(pe), { pe, set });
    }
  }
  return { children, isMember: isMember || children === undefined };
}

/** Parses a FieldsV1 object (or its JSON text) into a set; throws on malformed input. */
export function fromFieldsV1(fields: unknown): FieldSet {
  const obj = typeof fields === 'string' ? (JSON.parse(fields) as unknown) : fields;
  return read(obj, 'fieldsV1').children ?? new FieldSet();
}
