import { isObject } from '../../../api/object.ts';
import {
  applyRetainKeys,
  DELETE_FROM_PRIMITIVE_LIST,
  directiveTarget,
  type JsonMap,
  mapDirective,
  PATCH,
  sanitize,
  setKey,
} from './directives.ts';
import { applySetElementOrders, mergeList } from './lists.ts';
import { parseStrategy, type SmpSchema } from './schema.ts';

/**
 * Applies a strategic merge patch (application/strategic-merge-patch+json) to an object, as
 * kube-apiserver does: maps merge recursively and `null` deletes a key; lists follow their field's
 * patch strategy and merge key; the `$patch`, `$retainKeys`, `$setElementOrder/…` and
 * `$deleteFromPrimitiveList/…` directives are honoured and never left in the result. Without a schema
 * (or for fields the schema does not know) it behaves as a JSON merge patch plus directives.
 * Neither argument is modified. Throws a plain Error, with upstream's message, on a malformed patch.
 */
export function applyStrategicMergePatch(
  original: unknown,
  patch: unknown,
  schema: SmpSchema | undefined,
): unknown {
  if (original !== null && original !== undefined && !isObject(original))
    throw new Error('invalid JSON document');
  if (patch !== null && patch !== undefined && !isObject(patch)) throw new Error('invalid JSON document');
  const target: JsonMap = isObject(original) ? structuredClone(original) : {};
  if (!isObject(patch)) return target;
  return mergeMap(target, structuredClone(patch), schema);
}

/**
 * Merges `patch` into `original` and returns the result. Both are owned by the caller's clone and
 * may be modified in place.
 */
export function mergeMap(original: JsonMap, patch: JsonMap, schema: SmpSchema | undefined): JsonMap {
  if (Object.hasOwn(patch, PATCH)) return mapDirective(patch);
  applyRetainKeys(original, patch);
  applySetElementOrders(original, patch, schema);

  // Deletion lists run after the plain fields so that a value both added and deleted ends up deleted
  // (upstream's order here is Go's random map order).
  const deletions: [string, unknown][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      deletions.push([directiveTarget(key, DELETE_FROM_PRIMITIVE_LIST), value]);
    } else {
      mergeField(original, key, value, schema);
    }
  }
  for (const [key, value] of deletions) deleteFromList(original, key, value, schema);
  return original;
}

function kindOf(v: unknown): 'map' | 'list' | 'scalar' {
  if (Array.isArray(v)) return 'list';
  return isObject(v) ? 'map' : 'scalar';
}

/** Takes a patch value as is (minus directives and nulls); a value that is itself a directive drops the key. */
function takePatchValue(original: JsonMap, key: string, value: unknown): void {
  const clean = sanitize(value, true);
  if (clean === undefined) delete original[key];
  else setKey(original, key, clean);
}

function mergeField(original: JsonMap, key: string, value: unknown, schema: SmpSchema | undefined): void {
  if (value === null) {
    delete original[key];
    return;
  }
  const current = original[key];
  const kind = kindOf(value);
  if (!Object.hasOwn(original, key) || current === null || kindOf(current) !== kind || kind === 'scalar') {
    takePatchValue(original, key, value);
    return;
  }
  const field = schema?.field(key);
  const { strategy } = parseStrategy(field?.strategy);
  if (kind === 'map') {
    const merged =
      strategy === 'replace'
        ? (sanitize(value, false) as JsonMap)
        : mergeMap(current as JsonMap, value as JsonMap, field?.schema);
    setKey(original, key, merged);
  } else {
    setKey(original, key, mergeList(current as unknown[], value as unknown[], key, field, false));
  }
}

/**
 * `$deleteFromPrimitiveList/<field>: [values]` removes the values from the field's list, whatever
 * the field's strategy. Does nothing when the field is absent or not a list.
 */
function deleteFromList(original: JsonMap, key: string, value: unknown, schema: SmpSchema | undefined): void {
  const current = original[key];
  if (!Object.hasOwn(original, key) || !Array.isArray(current) || !Array.isArray(value)) return;
  setKey(original, key, mergeList(current, value, key, schema?.field(key), true));
}
