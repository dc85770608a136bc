/**
 * upstream's attemptToDeleteItem decision (garbagecollector.go), as a pure function of the
 * item, what became of each of its owners, and whether it has dependents of its own.
 */
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { foregroundFinalizer, orphanFinalizer } from './graph.ts';

/** What a lookup found for one owner reference. */
export type OwnerState =
  /** Exists and is not waiting for its dependents. */
  | 'solid'
  /** Gone, or a different object (uid) now has its name, or an invalid reference. */
  | 'dangling'
  /** Being deleted in the foreground. */
  | 'waiting'
  /** Its kind is not served (yet): leave the item alone. */
  | 'unknown';

export type Decision =
  | { readonly action: 'none' }
  | { readonly action: 'removeOwnerReferences'; readonly uids: readonly string[] }
  | {
      readonly action: 'delete';
      readonly policy: 'Orphan' | 'Foreground' | 'Background';
      /** Owner references to set blockOwnerDeletion=false on first (deadlock avoidance). */
      readonly unblock: readonly string[];
    };

const none: Decision = { action: 'none' };

export interface DependentsInfo {
  /** The item has dependents of its own. */
  readonly any: boolean;
  /** One of them is itself being deleted in the foreground (a possible cycle). */
  readonly deletingDependents: boolean;
}

export function decide(
  item: KubeObject,
  states: ReadonlyMap<string, OwnerState>,
  deps: DependentsInfo,
): Decision {
  const refs: readonly OwnerReference[] = item.metadata.ownerReferences ?? [];
  if (refs.length === 0) return none;
  const by = (s: OwnerState) => refs.filter((r) => states.get(r.uid) === s);
  const solid = by('solid');
  const dangling = by('dangling');
  const waiting = by('waiting');
  if (solid.length > 0) {
    if (dangling.length === 0 && waiting.length === 0) return none;
    // Still owned by someone: only drop the references to owners that are gone or leaving.
    return { action: 'removeOwnerReferences', uids: [...dangling, ...waiting].map((r) => r.uid) };
  }
  // An owner of a kind not served (yet) might exist: leave the item alone.
  if (by('unknown').length > 0) return none;
  if (waiting.length > 0 && deps.any) {
    // Its owner waits for it in the foreground and it has dependents itself: delete it in the
    // foreground too. If a dependent waits in the foreground as well, stop blocking the owners
    // first so the two cannot wait on each other.
    const unblock = deps.deletingDependents
      ? refs.filter((r) => r.blockOwnerDeletion === true).map((r) => r.uid)
      : [];
    return { action: 'delete', policy: 'Foreground', unblock };
  }
  const finalizers = item.metadata.finalizers ?? [];
  const policy = finalizers.includes(orphanFinalizer)
    ? 'Orphan'
    : finalizers.includes(foregroundFinalizer)
      ? 'Foreground'
      : 'Background';
  return { action: 'delete', policy, unblock: [] };
}
