import type { KeyValue } from './types.ts';

export type StorageErrorCode =
  | 'KeyExists'
  | 'KeyNotFound'
  | 'Conflict'
  | 'Compacted'
  | 'FutureRevision'
  | 'WatcherTooSlow'
  | 'Closed';

const brand = Symbol.for('skiff.StorageError');

/**
 * The one error type storage raises. The API server turns each code into its Status
 * (KeyExists → 409 AlreadyExists, KeyNotFound → 404, Conflict → 409, Compacted → 410 Expired).
 */
export class StorageError extends Error {
  readonly [brand] = true;
  readonly code: StorageErrorCode;
  readonly key: string | undefined;
  /** For Conflict: the value as it is now, so a retry need not read it again. */
  readonly current: KeyValue | undefined;
  /** For Compacted/FutureRevision: the revision asked for and the bound it crossed. */
  readonly revisions: { readonly requested: number; readonly bound: number } | undefined;

  constructor(
    code: StorageErrorCode,
    message: string,
    key?: string,
    current?: KeyValue,
    revisions?: { readonly requested: number; readonly bound: number },
  ) {
    super(message);
    this.name = 'StorageError';
    this.code = code;
    this.key = key;
    this.current = current;
    this.revisions = revisions;
  }
}

export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { [brand]?: boolean })[brand] === true &&
    (code === undefined || (error as StorageError).code === code)
  );
}

export const errors = {
  exists: (key: string) => new StorageError('KeyExists', `key exists: ${key}`, key),
  notFound: (key: string) => new StorageError('KeyNotFound', `key not found: ${key}`, key),
  conflict: (key: string, current: KeyValue) =>
    new StorageError(
      'Conflict',
      `revision conflict on ${key}: it is at ${current.modRevision}`,
      key,
      current,
    ),
  compacted: (requested: number, bound: number) =>
    new StorageError(
      'Compacted',
      `revision ${requested} has been compacted (oldest available: ${bound})`,
      undefined,
      undefined,
      { requested, bound },
    ),
  future: (requested: number, bound: number) =>
    new StorageError(
      'FutureRevision',
      `revision ${requested} is newer than the current revision ${bound}`,
      undefined,
      undefined,
      { requested, bound },
    ),
  tooSlow: (pending: number) =>
    new StorageError('WatcherTooSlow', `watcher fell behind by more than ${pending} events and was closed`),
  closed: () => new StorageError('Closed', 'storage is closed'),
};
