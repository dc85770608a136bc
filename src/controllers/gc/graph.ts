/**
 * The owner/dependent graph of upstream's garbage collector (graph_builder.go) over plain
 * objects: one node per uid with its owner references, an index from owner uid to
 * dependents, and for every observed change the uids to check for deletion or orphaning.
 */
import type { KubeObject, OwnerReference } from '../../api/object.ts';

export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';

/** Where a node's object lives: enough to read, update and delete it. */
export interface Coordinates {
  /** `<group>/<plural>` of its resource. */
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly name: string;
}

export interface GraphNode extends Coordinates {
  readonly uid: string;
  readonly owners: readonly OwnerReference[];
  /** Has a deletionTimestamp. */
  readonly beingDeleted: boolean;
  /** Being deleted in the foreground: waits for its blocking dependents. */
  readonly deletingDependents: boolean;
  /** Being deleted with the orphan finalizer: its dependents lose their reference to it. */
  readonly orphaning: boolean;
}

export interface GraphActions {
  /** Items whose owners may be gone, or whose foreground deletion may progress. */
  readonly attemptToDelete: string[];
  /** Owners whose dependents must be orphaned. */
  readonly attemptToOrphan: string[];
}

export function toNode(resource: string, obj: KubeObject): GraphNode {
  const m = obj.metadata;
  const finalizers = m.finalizers ?? [];
  const beingDeleted = m.deletionTimestamp !== undefined;
  return {
    resource,
    namespace: m.namespace || undefined,
    name: m.name ?? '',
    uid: m.uid ?? '',
    owners: m.ownerReferences ?? [],
    beingDeleted,
    deletingDependents: beingDeleted && finalizers.includes(foregroundFinalizer),
    orphaning: beingDeleted && finalizers.includes(orphanFinalizer),
  };
}

export class ObjectGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** The known dependents of an owner (nodes whose owner references name its uid). */
  dependentsOf(uid: string): GraphNode[] {
    return [...(this.dependents.get(uid) ?? [])].map((d) => this.nodes.get(d)).filter((n) => n !== undefined);
  }

  /** Dependents that hold up the owner's foreground deletion (blockOwnerDeletion). */
  blockingDependentsOf(uid: string): GraphNode[] {
    return this.dependentsOf(uid).filter((d) =>
      d.owners.some((r) => r.uid === uid && r.blockOwnerDeletion === true),
    );
  }

  private link(node: GraphNode): void {
    for (const r of node.owners) {
      let set = this.dependents.get(r.uid);
      if (!set) {
        set = new Set();
        this.dependents.set(r.uid, set);
      }
      set.add(node.uid);
    }
  }

  private unlink(node: GraphNode): void {
    for (const r of node.owners) {
      const set = this.dependents.get(r.uid);
      set?.delete(node.uid);
      if (set?.size === 0) this.dependents.delete(r.uid);
    }
  }

  /** An object was added or changed. */
  upsert(node: GraphNode): GraphActions {
    const actions: GraphActions = { attemptToDelete: [], attemptToOrphan: [] };
    const old = this.nodes.get(node.uid);
    if (old) this.unlink(old);
    this.nodes.set(node.uid, node);
    this.link(node);
    const oldOwners = new Map((old?.owners ?? []).map((r) => [r.uid, r]));
    const newOwners = new Set(node.owners.map((r) => r.uid));
    for (const r of node.owners) {
      const owner = this.nodes.get(r.uid);
      const previous = oldOwners.get(r.uid);
      // An owner not seen (yet) may not exist; one deleting its dependents wants this gone.
      if (!owner || owner.deletingDependents) actions.attemptToDelete.push(node.uid);
      // A reference that now blocks (or stops blocking) an owner in foreground deletion.
      if (owner?.deletingDependents && previous && previous.blockOwnerDeletion !== r.blockOwnerDeletion)
        actions.attemptToDelete.push(owner.uid);
    }
    for (const uid of oldOwners.keys()) {
      // A dependent let go of an owner that was waiting for it.
      if (!newOwners.has(uid) && this.nodes.get(uid)?.deletingDependents) actions.attemptToDelete.push(uid);
    }
    if (node.orphaning) actions.attemptToOrphan.push(node.uid);
    if (node.deletingDependents) {
      for (const d of this.dependentsOf(node.uid)) actions.attemptToDelete.push(d.uid);
      actions.attemptToDelete.push(node.uid);
    }
    // A dependent started deleting: an owner waiting for it may be able to proceed later.
    if (node.beingDeleted && !old?.beingDeleted) {
      for (const r of node.owners)
        if (this.nodes.get(r.uid)?.deletingDependents) actions.attemptToDelete.push(r.uid);
    }
    return dedupe(actions);
  }

  /** An object is gone: its dependents may be orphans now, owners waiting on it may finish. */
  remove(uid: string): GraphActions {
    const actions: GraphActions = { attemptToDelete: [], attemptToOrphan: [] };
    const node = this.nodes.get(uid);
    if (!node) return actions;
    this.unlink(node);
    this.nodes.delete(uid);
    for (const d of this.dependentsOf(uid)) actions.attemptToDelete.push(d.uid);
    for (const r of node.owners)
      if (this.nodes.get(r.uid)?.deletingDependents) actions.attemptToDelete.push(r.uid);
    return dedupe(actions);
  }
}

function dedupe(a: GraphActions): GraphActions {
  return {
    attemptToDelete: [...new Set(a.attemptToDelete)],
    attemptToOrphan: [...new Set(a.attemptToOrphan)],
  };
}
