/**
 * A DaemonSet's ControllerRevisions (upstream's daemon/update.go constructHistory, snapshot and
 * cleanupHistory): named `<ds>-<pod-template-hash>`, labelled controller-revision-hash.
 */
import type { OwnerReference } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import type { Registry } from '../../registry/registry.ts';
import {
  type ControllerRevision,
  createRevision,
  newRevisionObject,
  rawOf,
  sortRevisions,
  templatePatch,
} from '../statefulset/history.ts';
import { computeHash } from '../util/hash.ts';
import type { Pod } from '../util/types.ts';
import { type DaemonSet, revisionHashLabel } from './daemon-pods.ts';

const maxRevision = (revs: readonly ControllerRevision[]) =>
  revs.reduce((m, r) => Math.max(m, r.revision), 0);

export async function constructHistory(
  registry: Registry,
  ds: DaemonSet,
  ref: OwnerReference,
  history: ControllerRevision[],
): Promise<{ current: ControllerRevision; old: ControllerRevision[]; collisionCount: number }> {
  const store = registry.byResource('apps', 'controllerrevisions')!;
  const raw = templatePatch(ds.spec.template);
  const matching = sortRevisions(history.filter((r) => rawOf(r) === raw));
  let old = history.filter((r) => rawOf(r) !== raw);
  const collision = { value: (ds.status?.collisionCount as number | undefined) ?? 0 };
  let current: ControllerRevision;
  if (matching.length === 0) {
    current = await createRevision(
      store,
      (count) => {
        const hash = computeHash(ds.spec.template ?? {}, count);
        const rev = newRevisionObject(ds, ref, ds.spec.template?.metadata?.labels, raw, maxRevision(old) + 1);
        rev.metadata.name = `${ds.metadata.name}-${hash}`;
        rev.metadata.labels![revisionHashLabel] = hash;
        return rev;
      },
      collision,
    );
  } else {
    // dedupCurHistories: keep the newest of the equal revisions.
    current = matching.at(-1)!;
    for (const dup of matching.slice(0, -1)) {
      await store.delete(dup.metadata.namespace, dup.metadata.name!).catch(() => {});
    }
    const want = maxRevision(old) + 1;
    if (current.revision < want) {
      const { object } = await store.guaranteedUpdate(
        current.metadata.namespace,
        current.metadata.name!,
        (cur) => ({
          ...cur!,
          revision: want,
        }),
      );
      current = object as ControllerRevision;
    }
  }
  old = old.filter((r) => r.metadata.name !== current.metadata.name);
  return { current, old, collisionCount: collision.value };
}

/** cleanupHistory: deletes the oldest revisions no pod runs, beyond revisionHistoryLimit. */
export async function truncateHistory(
  registry: Registry,
  ds: DaemonSet,
  pods: readonly Pod[],
  old: readonly ControllerRevision[],
): Promise<void> {
  const live = new Set(pods.map((p) => p.metadata.labels?.[revisionHashLabel]).filter(Boolean));
  const dead = sortRevisions(old.filter((r) => !live.has(r.metadata.labels?.[revisionHashLabel])));
  const excess = dead.length - (ds.spec.revisionHistoryLimit ?? 10);
  const store = registry.byResource('apps', 'controllerrevisions')!;
  for (const r of dead.slice(0, Math.max(0, excess))) {
    try {
      await store.delete(r.metadata.namespace, r.metadata.name!);
    } catch (e) {
      if (!(isStatusError(e) && e.code === 404)) throw e;
    }
  }
}
