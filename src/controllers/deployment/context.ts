/** What the Deployment controller's sync steps share: caches, writers, the recorder, the queue. */
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.ts';
import type { Registry } from '../../registry/registry.ts';
import type { EventRecorder } from '../events.ts';
import type { Deployment, ReplicaSet } from '../util/types.ts';

export interface SyncContext {
  readonly registry: Registry;
  readonly recorder: EventRecorder;
  readonly log: Logger;
  /** A ReplicaSet from the informer's cache by `namespace/name`. */
  cachedReplicaSet(key: string): ReplicaSet | undefined;
  enqueueAfter(d: Deployment, ms: number): void;
  enqueueRateLimited(d: Deployment): void;
}

const replicaSets = (c: SyncContext) => c.registry.byResource('apps', 'replicasets')!;
const deployments = (c: SyncContext) => c.registry.byResource('apps', 'deployments')!;

/** Update of a ReplicaSet as read: a resourceVersion that moved on makes it a conflict (retried). */
export async function updateReplicaSet(c: SyncContext, rs: ReplicaSet): Promise<ReplicaSet> {
  const { object } = await replicaSets(c).guaranteedUpdate(rs.metadata.namespace, rs.metadata.name!, () =>
    structuredClone(rs as KubeObject),
  );
  return object as ReplicaSet;
}

export async function createReplicaSet(c: SyncContext, rs: ReplicaSet): Promise<ReplicaSet> {
  return (await replicaSets(c).create(
    rs.metadata.namespace,
    structuredClone(rs as KubeObject),
  )) as ReplicaSet;
}

export async function deleteReplicaSet(c: SyncContext, rs: ReplicaSet): Promise<void> {
  await replicaSets(c).delete(rs.metadata.namespace, rs.metadata.name!);
}

/**
 * UpdateStatus of the Deployment as the sync holds it (status and the revision annotation),
 * against the resourceVersion it read; `d` takes the new resourceVersion, so later writes of the
 * same sync do not conflict with this one.
 */
export async function updateDeploymentStatus(c: SyncContext, d: Deployment): Promise<void> {
  const { object } = await deployments(c).guaranteedUpdate(
    d.metadata.namespace,
    d.metadata.name!,
    () => structuredClone(d as KubeObject),
    { subresource: 'status' },
  );
  d.metadata.resourceVersion = object.metadata.resourceVersion;
}

/** Update of the Deployment itself (a rollback writes its template). */
export async function updateDeployment(c: SyncContext, d: Deployment): Promise<void> {
  const { object } = await deployments(c).guaranteedUpdate(d.metadata.namespace, d.metadata.name!, () =>
    structuredClone(d as KubeObject),
  );
  d.metadata.resourceVersion = object.metadata.resourceVersion;
}
