/**
 * Rollback through the deprecated `deprecated.deployment.rollback.to` annotation (what
 * extensions/v1beta1's spec.rollbackTo became; upstream's rollback.go). kubectl's own
 * `rollout undo` does not use it: it patches the template itself.
 */

import { equalIgnoreHash, podTemplateHashLabel } from '../util/hash.ts';
import type { Deployment, ReplicaSet } from '../util/types.ts';
import { reasons } from './conditions.ts';
import { type SyncContext, updateDeployment } from './context.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { revisionOf } from './replicasets.ts';
import { annotationsToSkip, rollbackToAnnotation } from './util.ts';

/** The revision asked for, or undefined when there is none or it is not a number. */
export function rollbackTo(d: Deployment): number | undefined {
  const v = d.metadata.annotations?.[rollbackToAnnotation];
  if (!v || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** The second-highest revision: the one before the current. */
export function lastRevision(rss: (ReplicaSet | undefined)[]): number {
  let max = 0;
  let second = 0;
  for (const rs of rss) {
    if (!rs) continue;
    const v = revisionOf(rs);
    if (Number.isNaN(v)) continue;
    if (v >= max) {
      second = max;
      max = v;
    } else if (v > second) second = v;
  }
  return second;
}

async function clearRollbackTo(c: SyncContext, d: Deployment): Promise<void> {
  const annotations = { ...d.metadata.annotations };
  delete annotations[rollbackToAnnotation];
  d.metadata.annotations = annotations;
  await updateDeployment(c, d);
}

export async function rollback(c: SyncContext, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(c, d, rsList, true);
  const all = [...oldRSs, newRS];
  let revision = rollbackTo(d) ?? 0;
  if (revision === 0) {
    revision = lastRevision(all);
    if (revision === 0) {
      void c.recorder.record(d, 'Warning', reasons.rollbackRevisionNotFound, 'Unable to find last revision.');
      return clearRollbackTo(c, d);
    }
  }
  const target = all.find((rs) => rs && revisionOf(rs) === revision);
  if (!target) {
    void c.recorder.record(
      d,
      'Warning',
      reasons.rollbackRevisionNotFound,
      'Unable to find the revision to rollback to.',
    );
    return clearRollbackTo(c, d);
  }
  if (equalIgnoreHash(d.spec.template, target.spec.template)) {
    void c.recorder.record(
      d,
      'Warning',
      reasons.rollbackTemplateUnchanged,
      `The rollback revision contains the same template as current deployment "${d.metadata.name}"`,
    );
    return clearRollbackTo(c, d);
  }
  const template = structuredClone(target.spec.template ?? {});
  const labels = { ...template.metadata?.labels };
  delete labels[podTemplateHashLabel];
  template.metadata = { ...template.metadata, labels };
  d.spec.template = template;
  // The Deployment takes the old ReplicaSet's annotations (change-cause and the like).
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {}))
    if (annotationsToSkip.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(target.metadata.annotations ?? {}))
    if (!annotationsToSkip.has(k)) annotations[k] = v;
  d.metadata.annotations = annotations;
  await clearRollbackTo(c, d);
  void c.recorder.record(
    d,
    'Normal',
    reasons.rollbackDone,
    `Rolled back deployment "${d.metadata.name}" to revision ${revision}`,
  );
}
