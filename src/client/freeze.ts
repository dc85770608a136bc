/**
 * Informer caches hand the same objects to every controller, so nobody may change them. Under
 * test the informer deep-freezes what it caches and a write to a cached object throws a
 * TypeError where it happens (strict mode: every ES module).
 */
export function freezeCachedObjects(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.SKIFF_FREEZE_CACHE === '0') return false;
  return env.SKIFF_FREEZE_CACHE === '1' || env.NODE_ENV === 'test' || env.NODE_TEST_CONTEXT !== undefined;
}

export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value as object)) deepFreeze(v);
  return value;
}
