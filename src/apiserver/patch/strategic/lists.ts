import { isObject } from '../../../api/object.ts';
import { mergeMap } from './apply.ts';
import {
  directiveTarget,
  errBadArgType,
  errBadPatchType,
  errNoMergeKey,
  goString,
  type JsonMap,
  PATCH,
  SET_ELEMENT_ORDER,
  sanitize,
  setKey,
  validateSetElementOrder,
} from './directives.ts';
import { findByKey, type Identity, normalizeElementOrder, partition } from './order.ts';
import { parseStrategy, type SmpField, type SmpSchema } from './schema.ts';

type ElementKind = 'map' | 'string' | 'number' | 'boolean' | 'null';

function kindOf(v: unknown): ElementKind | 'list' {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (isObject(v)) return 'map';
  return typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string';
}

/** The common kind of the elements of some lists; undefined when they are all empty. */
function elementKind(...lists: (readonly unknown[])[]): ElementKind | undefined {
  let kind: ElementKind | 'list' | undefined;
  for (const list of lists) {
    for (const item of list) {
      const k = kindOf(item);
      if (kind === undefined) {
        if (k === 'list') throw new Error('lists of lists are not supported');
        kind = k;
      } else if (k !== kind) {
        throw new Error(`list element types are not identical: ${goString(lists)}`);
      }
    }
  }
  return kind as ElementKind | undefined;
}

function identity(kind: ElementKind | undefined, mergeKey: string): Identity {
  return { mergeKey, byKey: kind === 'map' && mergeKey !== '' };
}

/**
 * Merges a list field. Lists whose strategy is not 'merge' are replaced by the patch, except that a
 * `$deleteFromPrimitiveList` list always deletes.
 */
export function mergeList(
  original: unknown[],
  patch: unknown[],
  name: string,
  field: SmpField | undefined,
  isDeleteList: boolean,
): unknown[] {
  return mergeListWithView(original, patch, name, field, isDeleteList).merged;
}

/**
 * A merged list, plus the live order the `$setElementOrder` pass ranks server-only elements by.
 * Upstream deletes matching elements by shifting the live slice in place and then appends new
 * elements into the freed tail, so its `$setElementOrder` pass sees the surviving live elements
 * followed by as many appended elements as were deleted. Reproducing that keeps element order
 * identical to kube-apiserver when a patch both deletes and adds (e.g. a renamed container).
 */
interface MergedList {
  readonly merged: unknown[];
  readonly view: readonly unknown[];
}

function mergeListWithView(
  original: unknown[],
  patch: unknown[],
  name: string,
  field: SmpField | undefined,
  isDeleteList: boolean,
): MergedList {
  const { strategy } = parseStrategy(field?.strategy);
  if (strategy !== 'merge' && !isDeleteList)
    return { merged: sanitize(patch, false) as unknown[], view: original };
  const mergeKey = field?.mergeKey ?? '';
  if (original.length === 0 && patch.length === 0) return { merged: original, view: original };
  const kind = elementKind(original, patch);
  if (kind !== 'map') {
    // A set of primitives: union (duplicates collapse), or removal for a deletion list.
    if (isDeleteList) return { merged: original.filter((v) => !patch.includes(v)), view: original };
    const merged = [...new Set([...original, ...patch])];
    const id = identity(kind, '');
    const [inPatch, serverOnly] = partition(merged, patch, id);
    return { merged: normalizeElementOrder(inPatch, serverOnly, patch, original, id), view: original };
  }
  if (mergeKey === '') throw new Error(`cannot merge lists without merge key for ${name}`);
  const { live, replacement, items } = applyElementDirectives(
    original as JsonMap[],
    patch as JsonMap[],
    mergeKey,
  );
  const base = replacement ?? live;
  const merged = mergeByKey(base, items, mergeKey, field?.schema);
  const id = identity(kind, mergeKey);
  const [inPatch, serverOnly] = partition(merged, items, id);
  const removed = original.length - live.length;
  const view =
    replacement !== undefined ? live : [...live, ...merged.slice(base.length, base.length + removed)];
  return { merged: normalizeElementOrder(inPatch, serverOnly, items, base, id), view };
}

/**
 * Handles the directive elements of a patch list of maps: `{$patch: delete, <key>: v}` removes every
 * element with that key, `{$patch: replace}` makes the rest of the patch list the whole list.
 * Returns the live list left after deletions, the replacement list if any, and the elements to merge.
 */
function applyElementDirectives(
  original: JsonMap[],
  patch: JsonMap[],
  mergeKey: string,
): { live: unknown[]; replacement: unknown[] | undefined; items: JsonMap[] } {
  let live: unknown[] = original;
  let replace = false;
  const items: JsonMap[] = [];
  for (const element of patch) {
    if (!Object.hasOwn(element, PATCH)) {
      items.push(element);
      continue;
    }
    const directive = element[PATCH];
    if (directive === 'delete') {
      if (!Object.hasOwn(element, mergeKey)) throw errNoMergeKey(element, mergeKey);
      const value = element[mergeKey];
      live = live.filter((item) => (item as JsonMap)[mergeKey] !== value);
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw new Error('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(directive, element);
    }
  }
  if (replace) return { live, replacement: items.map((item) => sanitize(item, false)), items: [] };
  return { live, replacement: undefined, items };
}

/** Merges patch elements into the elements with the same key; unmatched ones are appended. */
function mergeByKey(
  base: readonly unknown[],
  items: readonly JsonMap[],
  mergeKey: string,
  schema: SmpSchema | undefined,
): unknown[] {
  const merged = base.slice();
  for (const item of items) {
    if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    const at = findByKey(merged, mergeKey, item[mergeKey]);
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonMap, item, schema);
    else merged.push(sanitize(item, false));
  }
  return merged;
}

function listValue(container: JsonMap, key: string): unknown[] | undefined {
  if (!Object.hasOwn(container, key)) return undefined;
  const value = container[key];
  if (!Array.isArray(value)) throw errBadArgType('list', value);
  return value;
}

/**
 * `$setElementOrder/<field>`: merges the field's patch list (if any) into the original, then orders
 * the result: elements named by the directive in its order, server-only elements interleaved where
 * they were. Consumes the directive and the field's patch list.
 */
export function applySetElementOrders(
  original: JsonMap,
  patch: JsonMap,
  schema: SmpSchema | undefined,
): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType('list', order);
    const target = directiveTarget(key, SET_ELEMENT_ORDER);
    const originalList = listValue(original, target);
    const patchList = listValue(patch, target);
    const field = schema?.field(target);
    parseStrategy(field?.strategy);
    const mergeKey = field?.mergeKey ?? '';
    validateSetElementOrder(patchList ?? [], order, mergeKey);

    let merged: unknown[];
    let view: readonly unknown[] = originalList ?? [];
    if (originalList !== undefined && patchList !== undefined) {
      ({ merged, view } = mergeListWithView(originalList, patchList, target, field, false));
    } else if (originalList !== undefined) {
      merged = originalList;
    } else if (patchList !== undefined) {
      merged = sanitize(patchList, true) as unknown[];
    } else {
      continue;
    }
    delete patch[target];
    const kind = elementKind(originalList ?? [], patchList ?? []);
    const id = identity(kind, mergeKey);
    const [named, serverOnly] = partition(merged, order, id);
    setKey(original, target, normalizeElementOrder(named, serverOnly, order, view, id));
  }
}
