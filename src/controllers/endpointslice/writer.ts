import { isStatusError } from '../../api/status.ts';
import type { ResourceStore } from '../../registry/store.ts';
import type { SliceChanges } from './slices.ts';

export const triggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';

const ignoreNotFound = (e: unknown) => {
  if (!(isStatusError(e) && e.code === 404)) throw e;
};

/**
 * Writes a reconcile's changes: creates (generateName), updates (compare-and-swap on the
 * slice's resourceVersion, so a slice changed meanwhile is retried), then deletes.
 */
export async function applySliceChanges(
  store: ResourceStore,
  namespace: string,
  changes: SliceChanges,
  triggerTime: string | undefined,
): Promise<void> {
  const stamp = (annotations: Record<string, string> | undefined) => {
    const out = { ...(annotations ?? {}) };
    if (triggerTime) out[triggerTimeAnnotation] = triggerTime;
    return out;
  };
  for (const slice of changes.create) {
    slice.metadata.annotations = stamp(slice.metadata.annotations);
    if (Object.keys(slice.metadata.annotations).length === 0) delete slice.metadata.annotations;
    await store.create(namespace, slice);
  }
  for (const slice of changes.update) {
    slice.metadata.annotations = stamp(slice.metadata.annotations);
    if (Object.keys(slice.metadata.annotations).length === 0) delete slice.metadata.annotations;
    try {
      await store.guaranteedUpdate(namespace, slice.metadata.name!, () => slice);
    } catch (e) {
      ignoreNotFound(e);
    }
  }
  for (const slice of changes.delete) {
    try {
      await store.delete(namespace, slice.metadata.name!, {
        preconditions: { uid: slice.metadata.uid! },
      });
    } catch (e) {
      ignoreNotFound(e);
    }
  }
}
