import type { KeyValue } from './types.ts';

/**
 * A page of keys as they were at an older revision, from current rows and the changes made
 * since. `current` are current rows in key order as read (at most `fetched` were asked for);
 * `changed` maps each key changed since that revision to its state then (undefined: absent).
 * Keys in `changed` are skipped among current rows and taken from `changed` instead.
 */
export function pageAtRevision(
  current: readonly KeyValue[],
  exhausted: boolean,
  changed: ReadonlyMap<string, KeyValue | undefined>,
  limit: number,
): { items: KeyValue[]; more: boolean } {
  // Past the last current row read, unread rows may sort before a changed key: only keys up to
  // that row are known to be complete unless the range was read to its end.
  const boundary = exhausted ? undefined : current.at(-1)?.key;
  const merged: KeyValue[] = current.filter((kv) => !changed.has(kv.key));
  for (const [key, then] of changed) {
    if (then && (boundary === undefined || key <= boundary)) merged.push(then);
  }
  merged.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (limit > 0 && merged.length > limit) return { items: merged.slice(0, limit), more: true };
  return { items: merged, more: !exhausted };
}
