import { isObject } from '../../../api/object.ts';

export type JsonMap = Record<string, unknown>;

export const PATCH = '$patch';
export const RETAIN_KEYS = '$retainKeys';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
export const SET_ELEMENT_ORDER = '$setElementOrder';

/** True for the keys the strategic merge patch format reserves for its directives. */
export function isDirectiveKey(key: string): boolean {
  return (
    key === PATCH ||
    key === RETAIN_KEYS ||
    key.startsWith(DELETE_FROM_PRIMITIVE_LIST) ||
    key.startsWith(SET_ELEMENT_ORDER)
  );
}

/** Assigns a key without letting `__proto__` reach the prototype setter. */
export function setKey(obj: JsonMap, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

// ---- upstream-like error messages (Go's %v and reflect type names) ----

/** Renders a JSON value the way Go's `%v` prints the decoded interface{}. */
export function goString(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goString(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** The Go type name of a decoded JSON value, as reflect.TypeOf prints it. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (isObject(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

export function errNoMergeKey(m: unknown, key: string): Error {
  return new Error(`map: ${goString(m)} does not contain declared merge key: ${key}`);
}

export function errBadArgType(expected: 'map' | 'list', actual: unknown): Error {
  const want = expected === 'map' ? 'map[string]interface {}' : '[]interface {}';
  return new Error(`expected a ${want}, but received a ${goTypeName(actual)}`);
}

export function errBadPatchType(type: unknown, m: unknown): Error {
  return new Error(`unknown patch type: ${goString(type)} in map: ${goString(m)}`);
}

export const MSG_PRIMITIVE_LIST = 'invalid patch format of primitive list';
export const MSG_RETAIN_KEYS = 'invalid patch format of retainKeys';
export const MSG_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';

// ---- directive handling ----

/**
 * A patch value taken as the new content of a field, with what the directives leave behind removed:
 * null map values are discarded, directive keys are stripped, and with `dropDirectiveMaps` a map
 * carrying `$patch` is dropped as a whole (upstream's removeDirectives, used where the original has
 * nothing to merge into). Returns undefined when the value itself is dropped. Always a fresh copy.
 */
export function sanitize(value: unknown, dropDirectiveMaps: boolean): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const clean = sanitize(item, dropDirectiveMaps);
      if (clean !== undefined) out.push(clean);
    }
    return out;
  }
  if (isObject(value)) {
    if (dropDirectiveMaps && Object.hasOwn(value, PATCH)) return undefined;
    const out: JsonMap = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === null || isDirectiveKey(key)) continue;
      const clean = sanitize(item, dropDirectiveMaps);
      if (clean !== undefined) setKey(out, key, clean);
    }
    return out;
  }
  return value;
}

/** `$patch` on a map: `replace` yields the patch itself, `delete` an empty map, anything else is an error. */
export function mapDirective(patch: JsonMap): JsonMap {
  const directive = patch[PATCH];
  if (directive === 'replace') {
    delete patch[PATCH];
    return sanitize(patch, false) as JsonMap;
  }
  if (directive === 'delete') return {};
  throw errBadPatchType(directive, patch);
}

/**
 * `$retainKeys`: every key set by the patch must be listed, and keys of the original that are not
 * listed are cleared. Removes the directive from the patch.
 */
export function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw new Error(MSG_RETAIN_KEYS);
  const retained = new Set<unknown>(list);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) {
      continue;
    }
    if (!retained.has(key)) throw new Error(MSG_RETAIN_KEYS);
  }
  for (const key of Object.keys(original)) {
    if (!retained.has(key)) delete original[key];
  }
}

/** The field a `$deleteFromPrimitiveList/<field>` or `$setElementOrder/<field>` key refers to. */
export function directiveTarget(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw new Error(prefix === SET_ELEMENT_ORDER ? MSG_SET_ELEMENT_ORDER : MSG_PRIMITIVE_LIST);
  }
  return key.slice(slash + 1);
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey === '') return left === right;
  if (!isObject(left)) throw errBadArgType('map', left);
  if (!isObject(right)) throw errBadArgType('map', right);
  if (!Object.hasOwn(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!Object.hasOwn(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/**
 * Checks a `$setElementOrder` list against its patch list: the patch's elements (deletions and other
 * directive elements aside) must appear in the order list, in the same relative order.
 */
export function validateSetElementOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey !== '') {
    items = [];
    for (const item of patchList) {
      if (!isObject(item)) throw errBadArgType('map', item);
      if (item[PATCH] !== 'delete') items.push(item);
    }
  }
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isObject(item) && Object.hasOwn(item, PATCH)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(item, order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length && o >= order.length) {
    throw new Error(
      `The order in patch list:\n${goString(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goString(order)}\n`,
    );
  }
}
