import type { KubeObject } from '../../api/object.ts';
import type { InformerHandle } from '../../client/shared.ts';
import type { ResourceStore } from '../store.ts';

/**
 * Reads admission makes on every create (the pod's namespace, the PriorityClasses), served from
 * an informer's cache once one runs, and from the store before that. The cache is used only
 * while it is known to be current: every write through this process's store is counted while
 * in flight and its resourceVersion remembered, and until the informer has seen that version
 * (and no write is in flight) reads go to the store. So a pod created right after its
 * Namespace or PriorityClass never meets a stale "not found" (nor a stale object).
 */
export class CachedReads {
  private readonly store: ResourceStore;
  private informer: InformerHandle | undefined;
  private inFlight = 0;
  private newestWrite = 0;

  constructor(store: ResourceStore) {
    this.store = store;
    trackWrites(store, {
      begin: () => this.inFlight++,
      end: (rv) => {
        this.inFlight--;
        const n = Number(rv);
        if (Number.isFinite(n) && n > this.newestWrite) this.newestWrite = n;
      },
    });
  }

  /** Serves reads from this informer's cache (started by the caller) from now on. */
  useInformer(informer: InformerHandle | undefined): void {
    this.informer = informer;
  }

  /** The cache, when it reflects every write this process made; undefined otherwise. */
  private current(): InformerHandle | undefined {
    const i = this.informer;
    if (!i?.hasSynced || this.inFlight > 0) return undefined;
    return Number(i.revision) >= this.newestWrite ? i : undefined;
  }

  /** The object of that name, or undefined when it does not exist (a miss is checked in the store). */
  async get(name: string): Promise<KubeObject | undefined> {
    const hit = this.current()?.get(name);
    if (hit) return hit;
    return this.store.get(undefined, name).catch((e: unknown) => {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    });
  }

  /** Every object (read-only: the cache's own when the cache is current). */
  async list(): Promise<KubeObject[]> {
    const cache = this.current();
    if (cache) return cache.list();
    return (await this.store.list(undefined)).items;
  }
}

/** Calls begin before and end (with the result's resourceVersion) after each write of a store. */
function trackWrites(
  store: ResourceStore,
  hooks: { begin(): void; end(resourceVersion: string | undefined): void },
): void {
  const track = async <T>(write: () => Promise<T>, rvOf: (r: T) => string | undefined): Promise<T> => {
    hooks.begin();
    let rv: string | undefined;
    try {
      const r = await write();
      rv = rvOf(r);
      return r;
    } finally {
      hooks.end(rv);
    }
  };
  const create = store.create.bind(store);
  const update = store.guaranteedUpdate.bind(store);
  const del = store.delete.bind(store);
  store.create = (...args) =>
    track(
      () => create(...args),
      (o) => o.metadata.resourceVersion,
    );
  store.guaranteedUpdate = (...args) =>
    track(
      () => update(...args),
      (r) => r.object.metadata.resourceVersion,
    );
  store.delete = (...args) =>
    track(
      () => del(...args),
      (r) => r.object.metadata.resourceVersion,
    );
}
