/**
 * Server-side apply (upstream's FieldManager.Apply and the SMD Updater.Apply beneath it): merge the
 * applied configuration into the live object, prune what this manager applied last time and no
 * longer does (unless another manager owns it), record an "Apply" entry holding exactly the
 * configuration's fields, and refuse — unless forced — to change fields other managers own.
 * The caller persists the result (creating the object when current is undefined).
 */
import type { KubeObject } from '../object.ts';
import { StatusError, statusErrors } from '../status.ts';
import { compare } from './compare.ts';
import { ApplyConflictError, type Conflict, conflictsFrom } from './conflict.ts';
import { FieldSet } from './fieldset.ts';
import { lastAppliedAnnotation, syncLastApplied } from './last-applied.ts';
import {
  applyUpdate,
  defaultResetFields,
  parseApiVersion,
  revertNoopTimestamps,
  updateManagers,
  withManagedFields,
} from './managed-fields.ts';
import { decodeManagedFields, type Managers, managerIdentifier, stripManager } from './managers.ts';
import { merge } from './merge.ts';
import { isMap, type Json } from './path.ts';
import { rootType, type SchemaType } from './schema.ts';
import { ensureNamedFieldsAreMembers, removeItems, TypedError, toFieldSet, validate } from './typed.ts';

export { ApplyConflictError } from './conflict.ts';

export interface ApplyOptions {
  readonly manager: string;
  readonly force: boolean;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly now: string;
  readonly subresource?: string;
  /** The name (and namespace) in the URL, checked against the result as upstream's checkName. */
  readonly name?: string;
  readonly namespace?: string;
  /** Fields this apply doesn't own (upstream's reset fields); defaults to defaultResetFields. */
  readonly resetFields?: FieldSet;
}

const gvkString = (group: string, version: string, kind: string) => `${group}/${version}, Kind=${kind}`;

/** An error upstream returns as a plain error: a 500 whose message is the error's text. */
const plainError = (message: string) => new StatusError(500, '', message);

function withoutManagedFields(obj: KubeObject | undefined): Json {
  if (!obj) return {};
  const { managedFields: _, ...metadata } = obj.metadata ?? {};
  return { ...obj, metadata } as unknown as Json;
}

/** Updater.prune: removes what lastSet held and nobody owns any more, and nothing else. */
function prune(merged: Json, managers: Managers, last: FieldSet | undefined, type: SchemaType): Json {
  if (!last || last.empty()) return merged;
  const named = (s: FieldSet) => ensureNamedFieldsAreMembers(s, type);
  const lastNamed = named(last);
  const pruned = removeItems(merged, lastNamed, type);
  let managed = new FieldSet();
  for (const m of managers.values()) managed = managed.union(m.set);
  const mergedSet = named(toFieldSet(merged, type));
  // addBackOwnedItems: whatever any manager (or the new configuration) owns comes back.
  const owned = removeItems(
    merged,
    mergedSet.difference(named(toFieldSet(pruned, type)).union(named(managed))),
    type,
  );
  // addBackDanglingItems: only what this manager applied last time may go.
  const gone = mergedSet.difference(named(toFieldSet(owned, type))).intersection(lastNamed);
  return removeItems(merged, gone, type);
}

type Outcome = { object: Json; managers: Managers } | { conflicts: Conflict[] };

function applyOnce(
  live: Json,
  applied: Json,
  managers: Managers,
  type: SchemaType,
  o: ApplyOptions,
  force: boolean,
): Outcome {
  const apiVersion = o.group ? `${o.group}/${o.version}` : o.version;
  const ignored = o.resetFields ?? defaultResetFields(type, o.subresource);
  let ms = managers;
  if (ms.size === 0) {
    // skipNonAppliedManager: fields set before the first apply belong to "before-first-apply".
    const before = managerIdentifier({
      manager: 'before-first-apply',
      operation: 'Update',
      apiVersion,
      subresource: o.subresource,
    });
    ms = applyUpdate({}, live, type, ms, before, apiVersion, ignored, o.now);
  }
  let merged: Json;
  try {
    merged = merge(live, applied, type);
  } catch (e) {
    throw plainError(`failed to merge config: ${(e as Error).message}`);
  }
  const id = managerIdentifier({ manager: o.manager, operation: 'Apply', subresource: o.subresource });
  const last = ms.get(id);
  const next: Managers = new Map(ms);
  next.set(id, {
    set: toFieldSet(applied, type).recursiveDifference(ignored),
    apiVersion,
    applied: true,
    time: last?.time,
    original: last?.original,
  });
  const object = prune(merged, next, last?.set, type);
  const r = updateManagers(live, object, type, next, id, ignored, force);
  if ('conflicts' in r) return { conflicts: conflictsFrom(r.conflicts) };
  const out = stripManager(r.managers, id);
  const mine = out.get(id);
  if (mine) out.set(id, { ...mine, time: o.now });
  return { object, managers: out };
}

/**
 * lastAppliedManager: for manager "kubectl", conflicts on fields the client-side-apply annotation
 * still describes exactly are allowed (upgrading from client-side apply).
 */
function allowedFromLastApplied(live: Json, type: SchemaType, apiVersion: string): FieldSet | undefined {
  const text =
    isMap(live) && isMap(live.metadata) && isMap(live.metadata.annotations)
      ? live.metadata.annotations[lastAppliedAnnotation]
      : undefined;
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    const last = JSON.parse(text) as Json;
    if (!isMap(last) || last.apiVersion !== apiVersion) return undefined;
    validate(last, type, true);
    const c = compare(last, live, type);
    return toFieldSet(last, type).difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}

function checkRequest(applied: KubeObject, o: ApplyOptions): void {
  const av = typeof applied.apiVersion === 'string' ? applied.apiVersion : '';
  const gv = av.split('/').length > 2 ? { group: '', version: '' } : parseApiVersion(av);
  const kind = typeof applied.kind === 'string' ? applied.kind : '';
  if (gv.group !== o.group || gv.version !== o.version || kind !== o.kind) {
    throw statusErrors.badRequest(`invalid object type: ${gvkString(gv.group, gv.version, kind)}`);
  }
  const mf = isMap(applied.metadata) ? applied.metadata.managedFields : undefined;
  if (mf !== undefined && mf !== null) throw statusErrors.badRequest('metadata.managedFields must be nil');
}

function checkName(obj: KubeObject, o: ApplyOptions): void {
  const name = obj.metadata?.name ?? '';
  if (o.name !== undefined && name !== o.name) {
    throw statusErrors.badRequest(
      `the name of the object (${name}) does not match the name on the URL (${o.name})`,
    );
  }
  const ns = obj.metadata?.namespace;
  if (o.namespace && ns && ns !== o.namespace) {
    throw statusErrors.badRequest(
      `the namespace of the object (${ns}) does not match the namespace on the URL (${o.namespace})`,
    );
  }
}

/**
 * Applies a configuration to current (undefined when the object doesn't exist: the result is then
 * the object to create). Throws ApplyConflictError (409) on conflicts, a 400 StatusError for a body
 * of the wrong kind or one carrying managedFields, and a 500 for lists it cannot key.
 */
export function serverSideApply(
  current: KubeObject | undefined,
  applied: KubeObject,
  opts: ApplyOptions,
): { object: KubeObject } {
  checkRequest(applied, opts);
  const type = rootType(opts.group, opts.version, opts.kind);
  const config = applied as unknown as Json;
  try {
    validate(config, type, false);
  } catch (e) {
    if (!(e instanceof TypedError)) throw e;
    throw plainError(
      `failed to create typed patch object (${gvkString(opts.group, opts.version, opts.kind)}): ${e.message}`,
    );
  }
  let managers: Managers;
  try {
    managers = decodeManagedFields(current?.metadata?.managedFields);
  } catch (e) {
    throw plainError(`failed to decode managed fields: ${(e as Error).message}`);
  }
  const live = withoutManagedFields(current);
  let outcome = applyOnce(live, config, managers, type, opts, opts.force);
  if ('conflicts' in outcome && opts.manager === 'kubectl') {
    const allowed = allowedFromLastApplied(live, type, String(applied.apiVersion));
    if (allowed) {
      const left = outcome.conflicts.filter((c) => !allowed.has(c.path));
      outcome = left.length > 0 ? { conflicts: left } : applyOnce(live, config, managers, type, opts, true);
    }
  }
  if ('conflicts' in outcome) throw new ApplyConflictError(outcome.conflicts);
  let object = withManagedFields(structuredClone(outcome.object), outcome.managers);
  if (opts.manager === 'kubectl') object = syncLastApplied(object, applied);
  checkName(object, opts);
  return { object: revertNoopTimestamps(current, object) };
}
