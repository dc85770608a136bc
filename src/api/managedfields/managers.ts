/**
 * metadata.managedFields in and out (apimachinery's managedfields/internal: fields.go,
 * managedfields.go): entries keyed by a manager identifier — the entry's JSON without fieldsType,
 * fieldsV1 and time, and without apiVersion for appliers — so an applier keeps one entry across
 * versions while an updater gets one per apiVersion and subresource.
 */
import { FieldSet } from './fieldset.ts';
import { type FieldsV1, fromFieldsV1, toFieldsV1 } from './fieldsv1.ts';
import { compareStrings, goJsonString, isMap, type Json } from './path.ts';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldsV1;
  subresource?: string;
}

export interface ManagerState {
  readonly set: FieldSet;
  readonly apiVersion: string;
  readonly applied: boolean;
  readonly time?: string | undefined;
  /** The entry this was decoded from, reused when the set is unchanged. */
  readonly original?: { readonly entry: ManagedFieldsEntry; readonly set: FieldSet } | undefined;
}

/** Managers by identifier, in insertion order. */
export type Managers = Map<string, ManagerState>;

/** BuildManagerIdentifier: `{"manager":"kubectl","operation":"Apply"}` and the like. */
export function managerIdentifier(e: {
  manager?: string | undefined;
  operation?: string | undefined;
  apiVersion?: string | undefined;
  subresource?: string | undefined;
}): string {
  const parts: string[] = [];
  if (e.manager) parts.push(`"manager":${goJsonString(e.manager)}`);
  if (e.operation) parts.push(`"operation":${goJsonString(e.operation)}`);
  if (e.apiVersion && e.operation !== 'Apply') parts.push(`"apiVersion":${goJsonString(e.apiVersion)}`);
  if (e.subresource) parts.push(`"subresource":${goJsonString(e.subresource)}`);
  return `{${parts.join(',')}}`;
}

/** The fields of an identifier. */
export function parseIdentifier(id: string): ManagedFieldsEntry {
  try {
    const v = JSON.parse(id) as unknown;
    return isMap(v) ? (v as ManagedFieldsEntry) : {};
  } catch {
    return {};
  }
}

const str = (v: Json | undefined) => (typeof v === 'string' ? v : undefined);

/** DecodeManagedFields; throws on entries that aren't objects or whose fieldsV1 doesn't parse. */
export function decodeManagedFields(list: unknown): Managers {
  const out: Managers = new Map();
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new Error('managedFields must be a list');
  for (const raw of list as unknown[]) {
    if (!isMap(raw)) throw new Error('managedFields entries must be objects');
    const entry: ManagedFieldsEntry = {};
    for (const k of ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'subresource'] as const) {
      const v = str(raw[k]);
      if (v !== undefined) entry[k] = v;
    }
    if (raw.fieldsV1 !== undefined && raw.fieldsV1 !== null) entry.fieldsV1 = raw.fieldsV1 as FieldsV1;
    let set: FieldSet;
    try {
      set = fromFieldsV1(entry.fieldsV1 ?? {});
    } catch (e) {
      throw new Error(
        `error decoding versioned set from ${JSON.stringify(raw)}: error decoding set: ${(e as Error).message}`,
      );
    }
    out.set(managerIdentifier(entry), {
      set,
      apiVersion: entry.apiVersion ?? '',
      applied: entry.operation === 'Apply',
      time: entry.time,
      original: { entry, set },
    });
  }
  return out;
}

const seconds = (t: string | undefined) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);

function byUpstreamOrder(p: ManagedFieldsEntry, q: ManagedFieldsEntry): number {
  const op = compareStrings(p.operation ?? '', q.operation ?? '');
  if (op !== 0) return op;
  const ps = seconds(p.time);
  const qs = seconds(q.time);
  if (ps !== qs) return ps < qs ? -1 : 1;
  return (
    compareStrings(p.manager ?? '', q.manager ?? '') ||
    compareStrings(p.apiVersion ?? '', q.apiVersion ?? '') ||
    compareStrings(p.subresource ?? '', q.subresource ?? '')
  );
}

/** encodeManagedFields: entries in upstream's order (operation, time, manager, apiVersion, subresource). */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const [id, m] of managers) {
    const orig = m.original;
    const reuse =
      orig?.entry.fieldsV1 !== undefined &&
      orig.entry.apiVersion === m.apiVersion &&
      (orig.entry.operation === 'Apply') === m.applied &&
      orig.set.equals(m.set);
    const who = parseIdentifier(id);
    const entry: ManagedFieldsEntry = {};
    if (who.manager) entry.manager = who.manager;
    const operation = m.applied ? 'Apply' : who.operation;
    if (operation) entry.operation = operation;
    if (m.apiVersion) entry.apiVersion = m.apiVersion;
    if (m.time) entry.time = m.time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = reuse && orig?.entry.fieldsV1 ? orig.entry.fieldsV1 : toFieldsV1(m.set);
    if (who.subresource) entry.subresource = who.subresource;
    out.push(entry);
  }
  return out.sort(byUpstreamOrder);
}

/** The entries of managers whose sets aren't empty. */
export function withoutEmpty(managers: Managers): Managers {
  return new Map([...managers].filter(([, m]) => !m.set.empty()));
}

export const DefaultMaxUpdateManagers = 10;

/** capManagersManager: merges the oldest Update entries into "ancient-changes" per apiVersion. */
export function capUpdateManagers(managers: Managers, max = DefaultMaxUpdateManagers): Managers {
  const updaters = [...managers].filter(([, m]) => !m.applied).map(([id]) => id);
  if (updaters.length <= max) return managers;
  const out = new Map(managers);
  updaters.sort((a, b) => {
    const sa = seconds(out.get(a)?.time);
    const sb = seconds(out.get(b)?.time);
    return sa !== sb ? sa - sb : compareStrings(a, b);
  });
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i] as string;
    const m = out.get(id) as ManagerState;
    const bucket = managerIdentifier({
      manager: 'ancient-changes',
      operation: 'Update',
      apiVersion: m.apiVersion,
    });
    const first = firstByVersion.get(m.apiVersion);
    if (first === undefined) {
      firstByVersion.set(m.apiVersion, id);
      continue;
    }
    if (!out.has(bucket)) {
      out.set(bucket, out.get(first) as ManagerState);
      out.delete(first);
    }
    const b = out.get(bucket) as ManagerState;
    out.set(bucket, { set: m.set.union(b.set), apiVersion: m.apiVersion, applied: m.applied, time: m.time });
    out.delete(id);
    length--;
  }
  return out;
}

/** The fields never tracked: apiVersion, kind, metadata itself and the server-owned metadata. */
export const strippedFields = FieldSet.of(
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...[
    'name',
    'namespace',
    'creationTimestamp',
    'selfLink',
    'uid',
    'clusterName',
    'generation',
    'managedFields',
    'resourceVersion',
  ].map((f) => [{ field: 'metadata' }, { field: f }]),
);

/** stripMetaManager.stripFields for one manager. */
export function stripManager(managers: Managers, id: string): Managers {
  const m = managers.get(id);
  if (!m) return managers;
  const out = new Map(managers);
  const set = m.set.difference(strippedFields);
  if (set.empty()) out.delete(id);
  else out.set(id, { ...m, set });
  return out;
}

/** The manager named by the fieldManager parameter or else the User-Agent up to its first '/'. */
export function managerName(fieldManager: string | null | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  let out = '';
  for (const ch of (userAgent ?? '').split('/')[0] ?? '') {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) continue; // Go's unicode.IsPrint
    if (Buffer.byteLength(out + ch) > 128) break;
    out += ch;
  }
  return out;
}
