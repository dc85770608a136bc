import type { KubeObject } from '../api/object.ts';
import type { ResourceStore } from '../registry/store.ts';
import { type EventHandlers, type IndexFunc, Informer, type ListWatch } from './informer.ts';
import { localListWatch } from './local.ts';

interface Entry {
  readonly informer: Informer;
  users: number;
}

/**
 * client-go's SharedInformerFactory for the controllers inside the server process: one
 * informer (one watch, one decode per event, one cache) per resource and namespace, however
 * many controllers look at it. `forStore` hands each user its own InformerHandle; the informer
 * starts with the first handle started and stops when the last started handle stops.
 */
export class SharedInformerFactory {
  private readonly entries = new Map<string, Entry>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private readonly listWatch: (store: ResourceStore, namespace?: string) => ListWatch;

  constructor(listWatch: (store: ResourceStore, namespace?: string) => ListWatch = localListWatch) {
    this.listWatch = listWatch;
  }

  /** A new handle on the shared informer of a store (all namespaces, or one). */
  forStore(store: ResourceStore, namespace?: string): InformerHandle {
    let id = this.ids.get(store);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(store, id);
    }
    return new InformerHandle(
      this,
      `${id}|${namespace ?? ''}`,
      () => new Informer(this.listWatch(store, namespace)),
    );
  }

  /** How many informers run now (for tests and diagnostics). */
  get running(): number {
    return this.entries.size;
  }

  /** @internal */
  acquire(key: string, create: () => Informer): Informer {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { informer: create(), users: 0 };
      this.entries.set(key, entry);
    }
    entry.users++;
    return entry.informer;
  }

  /** @internal */
  peek(key: string): Informer | undefined {
    return this.entries.get(key)?.informer;
  }

  /** @internal */
  release(key: string, informer: Informer): void {
    const entry = this.entries.get(key);
    if (!entry || entry.informer !== informer) return;
    if (--entry.users > 0) return;
    this.entries.delete(key);
    informer.stop();
  }
}

const factories = new WeakMap<object, SharedInformerFactory>();

/** The factory of one registry (one per server; a test's fresh registry gets a fresh one). */
export function sharedInformers(registry: object): SharedInformerFactory {
  let f = factories.get(registry);
  if (!f) {
    f = new SharedInformerFactory();
    factories.set(registry, f);
  }
  return f;
}

/**
 * One user's view of a shared informer, with a private informer's life cycle: its handlers hear
 * nothing before start() (then every cached object as an add, as a fresh informer's list would
 * give) and nothing after stop(). get/list/byIndex read the shared cache, whose objects must
 * not be changed.
 */
export class InformerHandle {
  private readonly factory: SharedInformerFactory;
  private readonly key: string;
  private readonly create: () => Informer;
  private readonly handlers: EventHandlers[] = [];
  private readonly indexers: [string, IndexFunc][] = [];
  private informer: Informer | undefined;
  private stopped = false;

  constructor(factory: SharedInformerFactory, key: string, create: () => Informer) {
    this.factory = factory;
    this.key = key;
    this.create = create;
  }

  /** True once started and every handler has been told of the whole first list. */
  get hasSynced(): boolean {
    return !!this.informer?.hasSynced && !this.stopped;
  }

  /** The resourceVersion the cache reflects ('' before it synced). */
  get revision(): string {
    return this.informer?.revision ?? '';
  }

  private get shared(): Informer | undefined {
    return this.informer ?? this.factory.peek(this.key);
  }

  addHandler(h: EventHandlers): void {
    if (this.stopped) return;
    // A wrapper of our own: removal by identity stays right if two handles share a handler.
    const own: EventHandlers = {
      add: h.add && ((o) => h.add!(o)),
      update: h.update && ((a, b) => h.update!(a, b)),
      delete: h.delete && ((o) => h.delete!(o)),
    };
    this.handlers.push(own);
    this.informer?.addHandler(own);
  }

  /** Adds an index to the shared informer (indexes are shared by name: same name, same function). */
  addIndexer(name: string, fn: IndexFunc): void {
    this.indexers.push([name, fn]);
    this.informer?.addIndexer(name, fn);
  }

  byIndex(name: string, value: string): KubeObject[] {
    const informer = this.shared;
    if (!informer) return [];
    if (!this.informer) for (const [n, fn] of this.indexers) informer.addIndexer(n, fn);
    return informer.byIndex(name, value);
  }

  get(key: string): KubeObject | undefined {
    return this.shared?.get(key);
  }

  list(): KubeObject[] {
    return this.shared?.list() ?? [];
  }

  start(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.informer) {
      const informer = this.factory.acquire(this.key, this.create);
      this.informer = informer;
      for (const [name, fn] of this.indexers) informer.addIndexer(name, fn);
      for (const h of this.handlers) informer.addHandler(h);
    }
    return this.informer.start();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const informer = this.informer;
    if (!informer) return;
    for (const h of this.handlers) informer.removeHandler(h);
    this.factory.release(this.key, informer);
  }
}
