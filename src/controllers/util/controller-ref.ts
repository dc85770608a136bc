/**
 * Controller references (upstream's ControllerRefManager): an owner claims the objects its
 * selector matches, adopting orphans and releasing what it owns but no longer matches.
 */
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { isStatusError, statusErrors } from '../../api/status.ts';
import type { ResourceStore } from '../../registry/store.ts';

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** metav1.NewControllerRef: the reference a controller writes on what it creates or adopts. */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export interface ClaimOptions {
  readonly owner: KubeObject;
  readonly ownerRef: OwnerReference;
  /** Where the claimed kind is written (pods for a ReplicaSet, replicasets for a Deployment). */
  readonly store: ResourceStore;
  /** The owner's selector (and any other filter) applied to a candidate. */
  matches(obj: KubeObject): boolean;
  /**
   * Called once before the first adoption: a fresh read of the owner, throwing when it is gone
   * or being deleted (upstream's RecheckDeletionTimestamp).
   */
  canAdopt(): Promise<void>;
}

const isNotFound = (e: unknown) => isStatusError(e) && e.code === 404;

/** Adopts an orphan: adds the controller reference unless someone else got there first. */
async function adopt(o: ClaimOptions, obj: KubeObject): Promise<void> {
  const { namespace, name, uid } = obj.metadata;
  await o.store.guaranteedUpdate(namespace, name!, (cur) => {
    if (!cur || cur.metadata.uid !== uid) throw statusErrors.notFound(o.store.groupResource, name!);
    const owner = controllerOf(cur);
    if (owner && owner.uid !== o.ownerRef.uid) {
      throw statusErrors.conflict(o.store.groupResource, name!, 'Object is already controlled');
    }
    const others = (cur.metadata.ownerReferences ?? []).filter((r) => r.uid !== o.ownerRef.uid);
    cur.metadata.ownerReferences = [...others, o.ownerRef];
    return cur;
  });
}

/** Releases an object the owner no longer selects: drops the owner's reference. */
async function release(o: ClaimOptions, obj: KubeObject): Promise<void> {
  const { namespace, name, uid } = obj.metadata;
  await o.store.guaranteedUpdate(namespace, name!, (cur) => {
    if (!cur || cur.metadata.uid !== uid) throw statusErrors.notFound(o.store.groupResource, name!);
    const refs = (cur.metadata.ownerReferences ?? []).filter((r) => r.uid !== o.ownerRef.uid);
    if (refs.length > 0) cur.metadata.ownerReferences = refs;
    else delete cur.metadata.ownerReferences;
    return cur;
  });
}

/**
 * The objects the owner controls after adopting matching orphans and releasing owned ones
 * that no longer match. The first failure is thrown after the rest were tried, so the owner's
 * sync is retried.
 */
export async function claimObjects<T extends KubeObject>(o: ClaimOptions, candidates: T[]): Promise<T[]> {
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let adoptable: Promise<void> | undefined;
  const deleting = !!o.owner.metadata.deletionTimestamp;
  for (const obj of candidates) {
    const ref = controllerOf(obj);
    try {
      if (ref) {
        if (ref.uid !== o.ownerRef.uid) continue;
        if (o.matches(obj)) claimed.push(obj);
        else if (!deleting) await release(o, obj);
        continue;
      }
      if (deleting || !o.matches(obj) || obj.metadata.deletionTimestamp) continue;
      if (o.owner.metadata.namespace !== obj.metadata.namespace) continue;
      adoptable ??= o.canAdopt();
      await adoptable;
      await adopt(o, obj);
      claimed.push(obj);
    } catch (e) {
      if (!isNotFound(e)) errors.push(e);
    }
  }
  if (errors.length > 0) throw errors[0];
  return claimed;
}

/** The canAdopt of ClaimOptions: reads the owner afresh and refuses if it changed or is going. */
export function recheckDeletion(store: ResourceStore, owner: KubeObject): () => Promise<void> {
  return async () => {
    const { namespace, name, uid } = owner.metadata;
    const fresh = await store.get(namespace, name!);
    if (fresh.metadata.uid !== uid) {
      throw new Error(
        `original ${owner.kind ?? 'object'} ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`,
      );
    }
    if (fresh.metadata.deletionTimestamp) {
      throw new Error(`${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
  };
}
