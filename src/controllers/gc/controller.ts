import type { Logger } from 'pino';
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { isStatusError, statusErrors } from '../../api/status.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import type { ResourceStore } from '../../registry/store.ts';
import { runWorkers } from '../run-workers.ts';
import { decide, type OwnerState } from './decide.ts';
import {
  foregroundFinalizer,
  type GraphActions,
  type GraphNode,
  ObjectGraph,
  orphanFinalizer,
  toNode,
} from './graph.ts';

export interface GarbageCollectorOptions {
  readonly workers?: number;
  /** How often the set of watched resources is compared with the registry's (CRDs come and go). */
  readonly resourceResyncMs?: number;
}

/** upstream's DefaultIgnoredResources: events are never owners nor collected. */
const ignored = new Set(['/events', 'events.k8s.io/events']);
const resourceId = (s: ResourceStore) => `${s.info.group}/${s.info.plural}`;
const groupOf = (apiVersion: string) =>
  apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
const notFound = (e: unknown) => isStatusError(e) && e.code === 404;

/**
 * upstream's garbage collector: an ownerReferences graph over every resource the registry
 * serves, fed by informers. Dependents whose owners are all gone are deleted (background);
 * owners deleted with the `orphan` finalizer first have their dependents' references removed;
 * owners deleted in the foreground (`foregroundDeletion`) wait until their blocking
 * dependents are gone. Call syncResources() after the registry serves new resources.
 */
export class GarbageCollector {
  readonly graph = new ObjectGraph();
  private readonly registry: Registry;
  private readonly log: Logger;
  private readonly monitors = new Map<string, InformerHandle>();
  private readonly deleteQueue = new WorkQueue<string>();
  private readonly orphanQueue = new WorkQueue<string>();
  private readonly workers: number;
  private readonly resyncMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(registry: Registry, log: Logger, options: GarbageCollectorOptions = {}) {
    this.registry = registry;
    this.log = log.child({ controller: 'garbage-collector' });
    this.workers = options.workers ?? 5;
    this.resyncMs = options.resourceResyncMs ?? 30_000;
  }

  async start(): Promise<void> {
    await this.syncResources();
    void runWorkers(this.deleteQueue, (uid) => this.attemptToDelete(uid), this.workers, this.log);
    void runWorkers(this.orphanQueue, (uid) => this.attemptToOrphan(uid), this.workers, this.log);
    this.timer = setInterval(() => void this.syncResources().catch(() => {}), this.resyncMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.deleteQueue.shutDown();
    this.orphanQueue.shutDown();
    for (const m of this.monitors.values()) m.stop();
    this.monitors.clear();
  }

  /** Watches every deletable resource now served; resolves once the new ones are listed. */
  async syncResources(): Promise<void> {
    const wanted = new Map<string, ResourceStore>();
    for (const s of this.registry.all()) {
      const v = s.info.verbs;
      if (v.includes('list') && v.includes('watch') && v.includes('delete') && !ignored.has(resourceId(s)))
        wanted.set(resourceId(s), s);
    }
    for (const [id, m] of this.monitors) {
      if (!wanted.has(id)) {
        m.stop();
        this.monitors.delete(id);
      }
    }
    const started: Promise<void>[] = [];
    for (const [id, store] of wanted) {
      if (this.monitors.has(id)) continue;
      const m = sharedInformers(this.registry).forStore(store);
      const upsert = (o: KubeObject) => this.enqueue(this.graph.upsert(toNode(id, o)));
      m.addHandler({
        add: upsert,
        update: (_old, o) => upsert(o),
        delete: (o) => this.enqueue(this.graph.remove(o.metadata.uid ?? '')),
      });
      this.monitors.set(id, m);
      started.push(m.start());
    }
    await Promise.all(started);
  }

  private enqueue(a: GraphActions): void {
    for (const uid of a.attemptToDelete) this.deleteQueue.add(uid);
    for (const uid of a.attemptToOrphan) this.orphanQueue.add(uid);
  }

  private store(resource: string): ResourceStore | undefined {
    return this.registry.all().find((s) => resourceId(s) === resource);
  }

  /** The store an owner reference points at, by group and kind (any served version). */
  private storeForRef(ref: OwnerReference): ResourceStore | undefined {
    const group = groupOf(ref.apiVersion);
    return this.registry.all().find((s) => s.info.group === group && s.info.kind === ref.kind);
  }

  /** Reads a node's object as stored now; undefined when gone or replaced by another uid. */
  private async latest(node: GraphNode): Promise<{ store: ResourceStore; obj: KubeObject } | undefined> {
    const store = this.store(node.resource);
    if (!store) return undefined;
    try {
      const obj = await store.get(node.namespace, node.name);
      return obj.metadata.uid === node.uid ? { store, obj } : undefined;
    } catch (e) {
      if (notFound(e)) return undefined;
      throw e;
    }
  }

  private async ownerState(
    ref: OwnerReference,
    dependent: KubeObject,
    store: ResourceStore,
  ): Promise<OwnerState> {
    const owners = this.storeForRef(ref);
    if (!owners) return 'unknown';
    // A cluster-scoped object cannot be owned by a namespaced one.
    if (owners.info.namespaced && !store.info.namespaced) return 'dangling';
    try {
      const owner = await owners.get(
        owners.info.namespaced ? dependent.metadata.namespace : undefined,
        ref.name,
      );
      if (owner.metadata.uid !== ref.uid) return 'dangling';
      const foreground = owner.metadata.finalizers?.includes(foregroundFinalizer) ?? false;
      return owner.metadata.deletionTimestamp && foreground ? 'waiting' : 'solid';
    } catch (e) {
      if (notFound(e)) return 'dangling';
      throw e;
    }
  }

  /** Changes an object if it is still the one the graph knows (same uid). */
  private async patch(node: GraphNode, change: (o: KubeObject) => void): Promise<void> {
    const store = this.store(node.resource);
    if (!store) return;
    try {
      await store.guaranteedUpdate(node.namespace, node.name, (cur) => {
        if (!cur) throw statusErrors.notFound(store.groupResource, node.name);
        if (cur.metadata.uid === node.uid) change(cur);
        return cur;
      });
    } catch (e) {
      if (!notFound(e)) throw e;
    }
  }

  private dropOwnerRefs(node: GraphNode, uids: ReadonlySet<string>): Promise<void> {
    return this.patch(node, (o) => {
      const refs = (o.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
      if (refs.length > 0) o.metadata.ownerReferences = refs;
      else delete o.metadata.ownerReferences;
    });
  }

  private dropFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    return this.patch(node, (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      if (o.metadata.finalizers.length === 0) delete o.metadata.finalizers;
    });
  }

  /** upstream's attemptToDeleteItem. */
  async attemptToDelete(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    const found = await this.latest(node);
    if (!found) return;
    const { store, obj } = found;
    if (obj.metadata.deletionTimestamp) {
      if (obj.metadata.finalizers?.includes(foregroundFinalizer)) await this.processDeletingDependents(node);
      return;
    }
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const states = new Map<string, OwnerState>();
    for (const ref of refs) states.set(ref.uid, await this.ownerState(ref, obj, store));
    const deps = this.graph.dependentsOf(uid);
    const d = decide(obj, states, {
      any: deps.length > 0,
      deletingDependents: deps.some((x) => x.deletingDependents),
    });
    if (d.action === 'none') return;
    if (d.action === 'removeOwnerReferences') {
      this.log.debug({ uid, owners: d.uids }, 'removing dangling owner references');
      return this.dropOwnerRefs(node, new Set(d.uids));
    }
    let rv = obj.metadata.resourceVersion;
    if (d.unblock.length > 0) {
      const unblock = new Set(d.unblock);
      await this.patch(node, (o) => {
        for (const r of o.metadata.ownerReferences ?? [])
          if (unblock.has(r.uid)) r.blockOwnerDeletion = false;
      });
      rv = undefined;
    }
    this.log.debug({ uid, name: node.name, resource: node.resource, policy: d.policy }, 'deleting dependent');
    try {
      await store.delete(node.namespace, node.name, {
        propagationPolicy: d.policy,
        preconditions: { uid, ...(rv ? { resourceVersion: rv } : {}) },
      });
    } catch (e) {
      if (!notFound(e)) throw e;
    }
  }

  /** An owner in foreground deletion: its finalizer goes once no blocking dependent is left. */
  private async processDeletingDependents(node: GraphNode): Promise<void> {
    const blocking = this.graph.blockingDependentsOf(node.uid);
    if (blocking.length === 0) return this.dropFinalizer(node, foregroundFinalizer);
    for (const d of blocking) if (!d.deletingDependents) this.deleteQueue.add(d.uid);
  }

  /** upstream's attemptToOrphan: dependents lose the reference, then the owner its finalizer. */
  async attemptToOrphan(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    const found = await this.latest(node);
    if (!found?.obj.metadata.deletionTimestamp || !found.obj.metadata.finalizers?.includes(orphanFinalizer))
      return;
    const only = new Set([uid]);
    await Promise.all(this.graph.dependentsOf(uid).map((d) => this.dropOwnerRefs(d, only)));
    await this.dropFinalizer(node, orphanFinalizer);
  }
}
