import { LogBackend, type RetentionOptions } from './log-backend.ts';
import { MemoryDriver } from './memory/driver.ts';
import { SqliteDriver, type SqliteOptions } from './sqlite/driver.ts';
import type { Backend } from './types.ts';

export { isStorageError, StorageError, type StorageErrorCode } from './errors.ts';
export type * from './types.ts';

export type BackendOptions = RetentionOptions & SqliteOptions;

/**
 * Opens a backend by endpoint, as kine names its drivers: `memory:` or `sqlite:<file>`
 * (a bare path means SQLite).
 */
export function openBackend(endpoint: string, options: BackendOptions = {}): Backend {
  if (endpoint === 'memory:' || endpoint === 'memory://') return new LogBackend(new MemoryDriver(), options);
  const file = endpoint.startsWith('sqlite://')
    ? endpoint.slice('sqlite://'.length)
    : endpoint.startsWith('sqlite:')
      ? endpoint.slice('sqlite:'.length)
      : endpoint;
  if (/^[a-z][a-z0-9+]*:/.test(file)) throw new Error(`unsupported storage endpoint: ${endpoint}`);
  return new LogBackend(new SqliteDriver(file, options), options);
}
