/**
 * Finding or creating a Deployment's new ReplicaSet, named `<deployment>-<pod-template-hash>`,
 * and keeping revisions in step (upstream's getAllReplicaSetsAndSyncRevision and
 * getNewReplicaSet in sync.go).
 */
import { isStatusError } from '../../api/status.ts';
import { newControllerRef } from '../util/controller-ref.ts';
import { computeHash, equalIgnoreHash, podTemplateHashLabel } from '../util/hash.ts';
import { namespaceTerminating } from '../util/pod-control.ts';
import { keyOf } from '../util/pods.ts';
import type { Deployment, ReplicaSet } from '../util/types.ts';
import { getCondition, hasProgressDeadline, newCondition, reasons, setCondition } from './conditions.ts';
import { createReplicaSet, type SyncContext, updateDeploymentStatus, updateReplicaSet } from './context.ts';
import { findNewReplicaSet, findOldReplicaSets, maxRevision, revisionAnnotation } from './replicasets.ts';
import { newRSNewReplicas, setDeploymentRevision, setNewReplicaSetAnnotations } from './util.ts';

/** The new ReplicaSet (created when `create` and missing) and all the old ones, revisions in step. */
export async function getAllReplicaSetsAndSyncRevision(
  c: SyncContext,
  d: Deployment,
  rsList: ReplicaSet[],
  create: boolean,
): Promise<[ReplicaSet | undefined, ReplicaSet[]]> {
  const [, allOld] = findOldReplicaSets(d, rsList);
  return [await getNewReplicaSet(c, d, rsList, allOld, create), allOld];
}

async function getNewReplicaSet(
  c: SyncContext,
  d: Deployment,
  rsList: ReplicaSet[],
  oldRSs: ReplicaSet[],
  create: boolean,
): Promise<ReplicaSet | undefined> {
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) {
    const copy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReadySeconds = d.spec.minReadySeconds ?? 0;
    if (annotationsUpdated || (copy.spec.minReadySeconds ?? 0) !== minReadySeconds) {
      copy.spec.minReadySeconds = minReadySeconds;
      return updateReplicaSet(c, copy);
    }
    let needsUpdate = setDeploymentRevision(d, copy.metadata.annotations?.[revisionAnnotation] ?? '');
    // A Deployment that never had a Progressing condition starts counting from now.
    if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
      d.status ??= {};
      setCondition(
        d.status,
        newCondition(
          'Progressing',
          'True',
          reasons.foundNewRS,
          `Found new replica set "${copy.metadata.name}"`,
        ),
      );
      needsUpdate = true;
    }
    if (needsUpdate) await updateDeploymentStatus(c, d);
    return copy;
  }
  if (!create) return undefined;

  const template = structuredClone(d.spec.template ?? {});
  const hash = computeHash(template, d.status?.collisionCount);
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, [podTemplateHashLabel]: hash },
  };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [podTemplateHashLabel]: hash };
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
      labels: { ...template.metadata.labels },
    },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
  const replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec.replicas = replicas;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);

  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await createReplicaSet(c, newRS);
  } catch (e) {
    if (isStatusError(e) && e.reason === 'AlreadyExists') {
      alreadyExists = true;
      const found = c.cachedReplicaSet(keyOf(newRS));
      if (!found) throw e;
      const owner = found.metadata.ownerReferences?.find((r) => r.controller);
      if (owner?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, found.spec.template)) {
        created = found;
      } else {
        // A hash collision: another template already has this name. Count it and try again.
        d.status ??= {};
        d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
        await updateDeploymentStatus(c, d).catch(() => {});
        throw e;
      }
    } else if (namespaceTerminating(e)) {
      throw e;
    } else {
      const msg = `Failed to create new replica set "${newRS.metadata.name}": ${(e as Error).message}`;
      if (hasProgressDeadline(d)) {
        d.status ??= {};
        setCondition(d.status, newCondition('Progressing', 'False', reasons.failedRSCreate, msg));
        await updateDeploymentStatus(c, d).catch(() => {});
      }
      void c.recorder.record(d, 'Warning', reasons.failedRSCreate, msg);
      throw e;
    }
  }
  if (!alreadyExists && replicas > 0) {
    void c.recorder.record(
      d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`,
    );
  }
  let needsUpdate = setDeploymentRevision(d, String(newRevision));
  if (!alreadyExists && hasProgressDeadline(d)) {
    d.status ??= {};
    setCondition(
      d.status,
      newCondition(
        'Progressing',
        'True',
        reasons.newRS,
        `Created new replica set "${created.metadata.name}"`,
      ),
    );
    needsUpdate = true;
  }
  if (needsUpdate) await updateDeploymentStatus(c, d);
  return created;
}
