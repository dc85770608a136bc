import { isObject } from '../../../api/object.ts';
import { errBadArgType, errNoMergeKey, type JsonMap, PATCH } from './directives.ts';

/*
 * Element order of merged lists. Upstream's rules: the elements the patch names come in the patch's
 * order (or the $setElementOrder list's), the server-only elements keep the live order, and the two
 * runs are interleaved so that a server-only element stays in front of a patch element it preceded
 * in the live list.
 */

/** How list elements are identified: by the value under a merge key, or (primitives) by themselves. */
export interface Identity {
  readonly mergeKey: string;
  readonly byKey: boolean;
}

function identify(item: unknown, id: Identity): unknown {
  if (!id.byKey) return item;
  return isObject(item) ? item[id.mergeKey] : undefined;
}

function indexIn(list: readonly unknown[], item: unknown, id: Identity): number {
  const wanted = identify(item, id);
  return list.findIndex((candidate) => identify(candidate, id) === wanted);
}

/** Index of the first map in `list` whose merge key holds `value`; every element must be a map. */
export function findByKey(list: readonly unknown[], mergeKey: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isObject(item)) throw new Error(`value for key ${i} is not a map`);
    if (Object.hasOwn(item, mergeKey) && item[mergeKey] === value) return i;
  }
  return -1;
}

/** Splits `merged` into the elements present in `by` and the rest, both in `merged`'s order. */
export function partition(
  merged: readonly unknown[],
  by: readonly unknown[],
  id: Identity,
): [unknown[], unknown[]] {
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const item of merged) {
    let found: boolean;
    if (id.byKey) {
      if (!isObject(item)) throw errBadArgType('map', item);
      if (!Object.hasOwn(item, id.mergeKey)) throw errNoMergeKey(item, id.mergeKey);
      found = findByKey(by, id.mergeKey, item[id.mergeKey]) >= 0;
    } else {
      found = by.includes(item);
    }
    (found ? present : absent).push(item);
  }
  return [present, absent];
}

function requireMergeKeys(list: readonly unknown[], mergeKey: string): void {
  for (const item of list) {
    if (!isObject(item)) throw errBadArgType('map', item);
    if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
  }
}

/**
 * Stable sort of `toSort` by position in `order`. Elements `order` does not mention (which upstream's
 * callers never produce) keep their relative order after the others; deletion directives go last.
 */
function sortByOrder(toSort: readonly unknown[], order: readonly unknown[], id: Identity): unknown[] {
  let items = toSort;
  let deletions: unknown[] = [];
  if (id.byKey) {
    requireMergeKeys(toSort, id.mergeKey);
    requireMergeKeys(order, id.mergeKey);
    items = toSort.filter((item) => (item as JsonMap)[PATCH] !== 'delete');
    deletions = toSort.filter((item) => (item as JsonMap)[PATCH] === 'delete');
  }
  const ranked = items.map((item, i) => {
    const at = indexIn(order, item, id);
    return { item, rank: at < 0 ? Number.POSITIVE_INFINITY : at, i };
  });
  ranked.sort((a, b) => (a.rank === b.rank ? a.i - b.i : a.rank < b.rank ? -1 : 1));
  return [...ranked.map((r) => r.item), ...deletions];
}

/**
 * Interleaves two runs: each server-only element (`left`) is placed before the next patch element
 * (`right`) when both appear in the live list and the server-only one came first there.
 */
function mergeSorted(
  left: unknown[],
  right: unknown[],
  serverOrder: readonly unknown[],
  id: Identity,
): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) {
      out.push(left[i++]);
    } else if (i >= left.length) {
      out.push(right[j++]);
    } else {
      const li = indexIn(serverOrder, left[i], id);
      const ri = indexIn(serverOrder, right[j], id);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** Orders a merged list: `inPatch` by `patchOrder`, `serverOnly` by `serverOrder`, then interleaved. */
export function normalizeElementOrder(
  inPatch: readonly unknown[],
  serverOnly: readonly unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  id: Identity,
): unknown[] {
  const patchSorted = sortByOrder(inPatch, patchOrder, id);
  const serverSorted = sortByOrder(serverOnly, serverOrder, id);
  return mergeSorted(serverSorted, patchSorted, serverOrder, id);
}
