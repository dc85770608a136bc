/** One store under benchmark: the same workloads run against skiff's SQLite backend and etcd. */
export interface BenchTarget {
  readonly name: string;
  /** Creates a key that must not exist yet; resolves once the write is durable. */
  create(key: string, value: string): Promise<void>;
  /** Compare-and-swap on the key's mod revision; resolves to the new mod revision. */
  update(key: string, value: string, expectedModRevision: number): Promise<number>;
  /** The key's value and mod revision, or undefined. */
  get(key: string): Promise<{ value: string; modRevision: number } | undefined>;
  /** Every key under the prefix with its value, in one consistent read; resolves to the count. */
  list(prefix: string): Promise<number>;
  /** Calls `onEvent` for each change under the prefix from now on; resolves once the watch is live. */
  watch(prefix: string, onEvent: (key: string, value: string) => void): Promise<() => void>;
  close(): Promise<void>;
}
