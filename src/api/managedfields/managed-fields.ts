/**
 * managedFields bookkeeping for ordinary writes (create, update, patch): upstream's "Update"
 * operation. The writer's entry gains the fields whose values it set or changed; other managers lose
 * the fields it changed or removed; entries left empty go away.
 */
import type { KubeObject } from '../object.ts';
import { type Comparison, compare, excludeFields } from './compare.ts';
import { FieldSet } from './fieldset.ts';
import {
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  type Managers,
  managerIdentifier,
  stripManager,
} from './managers.ts';
import { type Json, valuesEqual } from './path.ts';
import { fieldType, rootType, type SchemaType } from './schema.ts';
import { toFieldSet } from './typed.ts';

export { managerName } from './managers.ts';

/** The fields an object sets: leaves, list items and map entries, FieldsV1-ready. */
export function fieldSetOf(obj: KubeObject, group: string, version: string, kind: string): FieldSet {
  return toFieldSet(obj as unknown as Json, rootType(group, version, kind));
}

export function parseApiVersion(apiVersion: string | undefined): { group: string; version: string } {
  const av = apiVersion ?? '';
  const i = av.indexOf('/');
  return i < 0 ? { group: '', version: av } : { group: av.slice(0, i), version: av.slice(i + 1) };
}

/**
 * Fields a write through a subresource doesn't own (upstream's reset fields): status for the main
 * resource of a typed kind, spec for its status subresource.
 */
export function defaultResetFields(type: SchemaType, subresource: string | undefined): FieldSet {
  const has = (f: string) => type.t === 'map' && fieldType(type, f, true).named;
  if (subresource === undefined && has('status')) return FieldSet.of([{ field: 'status' }]);
  if (subresource === 'status' && has('spec')) return FieldSet.of([{ field: 'spec' }]);
  return new FieldSet();
}

export type UpdateResult =
  | { managers: Managers; comparison: Comparison }
  | { conflicts: Map<string, FieldSet> };

/**
 * Updater.update: compares live and next; every manager but the current one loses the fields that
 * were removed, and — when forced, else they are conflicts — the fields that were changed or added.
 */
export function updateManagers(
  live: Json,
  next: Json,
  type: SchemaType,
  managers: Managers,
  current: string,
  ignored: FieldSet,
  force: boolean,
): UpdateResult {
  const comparison = excludeFields(compare(live, next, type), ignored);
  const changed = comparison.modified.union(comparison.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [id, m] of managers) {
    if (id === current) continue;
    const c = m.set.intersection(changed);
    if (!c.empty()) conflicts.set(id, c);
  }
  if (!force && conflicts.size > 0) return { conflicts };
  const out: Managers = new Map();
  for (const [id, m] of managers) {
    const set =
      id === current
        ? m.set
        : m.set.difference(conflicts.get(id) ?? new FieldSet()).difference(comparison.removed);
    if (!set.empty()) out.set(id, set === m.set ? m : { ...m, set });
  }
  return { managers: out, comparison };
}

const CURRENT = 'current-operation';

/**
 * One Update by manager (an identifier), as managedFieldsUpdater + stripMetaManager + the SMD
 * Updater do it: the writer's new fields are computed as a separate "current-operation" so its own
 * earlier fields are pruned when removed, then folded into its entry with a fresh time.
 */
export function applyUpdate(
  live: Json,
  next: Json,
  type: SchemaType,
  managers: Managers,
  id: string,
  apiVersion: string,
  ignored: FieldSet,
  now: string | undefined,
): Managers {
  const r = updateManagers(live, next, type, managers, CURRENT, ignored, true);
  if ('conflicts' in r) return managers;
  const c = r.comparison;
  const set = c.modified.union(c.added).recursiveDifference(ignored);
  let out: Managers = r.managers;
  if (!set.empty()) out.set(CURRENT, { set, apiVersion, applied: false });
  out = stripManager(out, CURRENT);
  const mine = out.get(CURRENT);
  if (mine) {
    out.delete(CURRENT);
    const prev = out.get(id);
    out.set(id, {
      set: prev ? mine.set.union(prev.set) : mine.set,
      apiVersion,
      applied: false,
      time: now,
      original: prev?.original,
    });
  }
  return capUpdateManagers(out);
}

function withoutManagedFields(obj: KubeObject | undefined): Json {
  if (!obj) return {};
  const { managedFields: _, ...metadata } = obj.metadata ?? {};
  return { ...obj, metadata } as unknown as Json;
}

/** Sets (or, when empty, removes) metadata.managedFields. */
export function withManagedFields(obj: Json, managers: Managers): KubeObject {
  const o = obj as unknown as KubeObject;
  const { managedFields: _, ...metadata } = o.metadata ?? {};
  const entries = encodeManagedFields(managers);
  return { ...o, metadata: entries.length > 0 ? { ...metadata, managedFields: entries } : metadata };
}

/**
 * IgnoreManagedFieldsTimestampsTransformer: when nothing but managedFields timestamps changed, keep
 * the old managedFields so a no-op write doesn't bump the object.
 */
export function revertNoopTimestamps(old: KubeObject | undefined, updated: KubeObject): KubeObject {
  const before = old?.metadata?.managedFields;
  const after = updated.metadata?.managedFields;
  if (!old || !Array.isArray(before) || !Array.isArray(after) || before.length !== after.length)
    return updated;
  const noTime = (e: unknown) => {
    const { time: _, ...rest } = (e ?? {}) as Record<string, Json>;
    return rest as Json;
  };
  if (!before.every((e, i) => valuesEqual(noTime(e), noTime(after[i])))) return updated;
  if (!valuesEqual(withoutManagedFields(old), withoutManagedFields(updated))) return updated;
  return { ...updated, metadata: { ...updated.metadata, managedFields: before } };
}

export interface UpdateOptions {
  /** Fields this write doesn't own; defaults to defaultResetFields. */
  readonly resetFields?: FieldSet;
}

/**
 * managedFields after an ordinary write of updated over old (undefined on create). managedFields a
 * client sent in updated win when they decode and aren't empty (not for subresources); an existing
 * object without managedFields stays untracked, as upstream.
 */
export function updateManagedFields(
  old: KubeObject | undefined,
  updated: KubeObject,
  manager: string,
  operation: 'Update',
  subresource: string | undefined,
  now: string,
  options: UpdateOptions = {},
): KubeObject {
  let managers: Managers = new Map();
  if (!subresource) {
    try {
      managers = decodeManagedFields(updated.metadata?.managedFields);
    } catch {
      managers = new Map();
    }
  }
  if (managers.size === 0) {
    try {
      managers = decodeManagedFields(old?.metadata?.managedFields);
    } catch {
      // UpdateNoErrors: managedFields that can't be read are dropped rather than failing the write.
      return withManagedFields(withoutManagedFields(updated), new Map());
    }
  }
  const next = withoutManagedFields(updated);
  if (managers.size === 0 && old?.metadata?.uid) return withManagedFields(next, managers);
  const { group, version } = parseApiVersion(updated.apiVersion ?? old?.apiVersion);
  const kind = updated.kind ?? old?.kind ?? '';
  const type = rootType(group, version, kind);
  const apiVersion = updated.apiVersion ?? old?.apiVersion ?? '';
  const id = managerIdentifier({ manager, operation, apiVersion, subresource });
  const ignored = options.resetFields ?? defaultResetFields(type, subresource);
  // Upstream's ScaleHandler looks the time up under the Scale's identifier, which never matches.
  const time = subresource === 'scale' ? undefined : now;
  const out = applyUpdate(withoutManagedFields(old), next, type, managers, id, apiVersion, ignored, time);
  return revertNoopTimestamps(old, withManagedFields(next, out));
}
