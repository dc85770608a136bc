/** Small readers for untyped pod JSON: wrong types read as absent, never throw. */
import { isObject } from '../../api/object.ts';

export type Obj = Record<string, unknown>;

export const asObject = (v: unknown): Obj => (isObject(v) ? v : {});

/** The objects of a list (entries that are not objects are skipped). */
export const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** `parent[key]` as an object, created (or replaced, when not an object) if need be. */
export function child(parent: Obj, key: string): Obj {
  const v = parent[key];
  if (isObject(v)) return v;
  const created: Obj = {};
  parent[key] = created;
  return created;
}

/** Sets `obj[key]` when it is absent (undefined or null). */
export function setDefault(obj: Obj, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

/** Every container of a pod spec with its field path (regular, then init, then ephemeral). */
export function containersOf(spec: Obj, path: string): { container: Obj; path: string; kind: string }[] {
  const all: { container: Obj; path: string; kind: string }[] = [];
  for (const kind of ['containers', 'initContainers', 'ephemeralContainers']) {
    const list = spec[kind];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (isObject(c)) all.push({ container: c, path: `${path}.${kind}[${i}]`, kind });
    });
  }
  return all;
}
