/**
 * The few Reflect metadata functions tsyringe (a dependency of @peculiar/x509) insists on at
 * load time: getMetadata, getOwnMetadata, defineMetadata, hasMetadata and metadata. Installed
 * only when no polyfill (reflect-metadata, core-js) is there already. Import it before
 * @peculiar/x509 — x509.ts does.
 */
type PropertyKey = string | symbol | undefined;
type MetadataMap = Map<unknown, unknown>;

interface ReflectMetadata {
  getMetadata?: (key: unknown, target: object, property?: PropertyKey) => unknown;
  getOwnMetadata?: (key: unknown, target: object, property?: PropertyKey) => unknown;
  hasMetadata?: (key: unknown, target: object, property?: PropertyKey) => boolean;
  defineMetadata?: (key: unknown, value: unknown, target: object, property?: PropertyKey) => void;
  metadata?: (key: unknown, value: unknown) => (target: object, property?: PropertyKey) => void;
}

const store = new WeakMap<object, Map<PropertyKey, MetadataMap>>();

function ownMap(target: object, property: PropertyKey, create: boolean): MetadataMap | undefined {
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let map = byProperty.get(property);
  if (!map && create) {
    map = new Map();
    byProperty.set(property, map);
  }
  return map;
}

function lookup(key: unknown, target: object, property: PropertyKey): { found: boolean; value: unknown } {
  for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t)) {
    const map = ownMap(t, property, false);
    if (map?.has(key)) return { found: true, value: map.get(key) };
  }
  return { found: false, value: undefined };
}

const reflect = Reflect as unknown as ReflectMetadata;
if (typeof reflect.getMetadata !== 'function') {
  const defineMetadata = (key: unknown, value: unknown, target: object, property?: PropertyKey): void => {
    ownMap(target, property, true)!.set(key, value);
  };
  Object.assign(reflect, {
    defineMetadata,
    getMetadata: (key: unknown, target: object, property?: PropertyKey) =>
      lookup(key, target, property).value,
    getOwnMetadata: (key: unknown, target: object, property?: PropertyKey) =>
      ownMap(target, property, false)?.get(key),
    hasMetadata: (key: unknown, target: object, property?: PropertyKey) =>
      lookup(key, target, property).found,
    metadata: (key: unknown, value: unknown) => (target: object, property?: PropertyKey) =>
      defineMetadata(key, value, target, property),
  } satisfies ReflectMetadata);
}
