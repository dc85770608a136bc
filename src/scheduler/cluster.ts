/**
 * The scheduler's writes to the API: binding through pods/binding, the PodScheduled condition
 * and nominatedNodeName through pods/status, and preempting victims (DisruptionTarget, then a
 * graceful delete), each with the event upstream records.
 */
import type { Logger } from 'pino';
import { isObject, type KubeObject, timestamp } from '../api/object.ts';
import { isStatusError } from '../api/status.ts';
import type { EventRecorder } from '../controllers/events.ts';
import { bindPod } from '../registry/pods/binding.ts';
import type { Registry } from '../registry/registry.ts';
import type { ResourceStore } from '../registry/store.ts';
import type { ClusterActions } from './framework.ts';
import type { PodInfo } from './pod-info.ts';

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
}

const noteLengthLimit = 1024;

/** Upstream's truncateMessage for event notes. */
export function truncateMessage(message: string): string {
  if (message.length <= noteLengthLimit) return message;
  const suffix = ' ...';
  return message.slice(0, noteLengthLimit - suffix.length) + suffix;
}

/**
 * Sets a condition as podutil.UpdatePodCondition does: the transition time moves only when
 * the status changes. Returns false when nothing changed.
 */
export function updatePodCondition(status: Record<string, unknown>, condition: PodCondition): boolean {
  const conditions = Array.isArray(status.conditions) ? (status.conditions as PodCondition[]) : [];
  const now = timestamp();
  const i = conditions.findIndex((c) => c.type === condition.type);
  const next: PodCondition = { lastProbeTime: null, lastTransitionTime: now, ...condition };
  if (i < 0) {
    status.conditions = [...conditions, next];
    return true;
  }
  const old = conditions[i]!;
  if (old.status === next.status) next.lastTransitionTime = old.lastTransitionTime ?? null;
  const same =
    old.status === next.status &&
    old.reason === next.reason &&
    old.message === next.message &&
    (old.lastProbeTime ?? null) === next.lastProbeTime &&
    (old.lastTransitionTime ?? null) === next.lastTransitionTime;
  status.conditions = conditions.map((c, j) => (j === i ? next : c));
  return !same;
}

/** The pod is gone (404) or was replaced by another of the same name (409). */
const ignoreGone = (e: unknown) => {
  if (!(isStatusError(e) && (e.code === 404 || e.code === 409))) throw e;
};

export class ClusterClient implements ClusterActions {
  private readonly pods: ResourceStore;
  private readonly recorder: EventRecorder;
  private readonly schedulerName: string;
  private readonly log: Logger;
  private readonly pdbs: () => KubeObject[];

  constructor(
    registry: Registry,
    recorder: EventRecorder,
    schedulerName: string,
    log: Logger,
    pdbs: () => KubeObject[],
  ) {
    this.pods = registry.byResource('', 'pods')!;
    this.recorder = recorder;
    this.schedulerName = schedulerName;
    this.log = log;
    this.pdbs = pdbs;
  }

  podDisruptionBudgets(): KubeObject[] {
    return this.pdbs();
  }

  async bind(pi: PodInfo, node: string): Promise<void> {
    await bindPod(this.pods, pi.namespace, pi.name, node);
    void this.recorder.record(pi.pod, 'Normal', 'Scheduled', `Successfully assigned ${pi.key} to ${node}`);
  }

  /**
   * Writes the condition (and nominatedNodeName, when `nominated` is a string) through the
   * status subresource, only when one of them changes; the pod must still be the same one.
   */
  async updatePod(pi: PodInfo, condition: PodCondition | undefined, nominated?: string): Promise<void> {
    try {
      await this.pods.guaranteedUpdate(
        pi.namespace,
        pi.name,
        (current) => {
          if (!current || current.metadata.uid !== pi.uid) return current ?? pi.pod;
          // Bound meanwhile (by us or another binder): PodScheduled=False would be stale.
          const bound =
            isObject(current.spec) && typeof current.spec.nodeName === 'string' && current.spec.nodeName;
          if (bound && condition?.type === 'PodScheduled') return current;
          const status = isObject(current.status) ? current.status : {};
          const conditionChanged = condition !== undefined && updatePodCondition(status, condition);
          const nnnChanged = nominated !== undefined && (status.nominatedNodeName ?? '') !== nominated;
          if (nnnChanged) {
            if (nominated === '') delete status.nominatedNodeName;
            else status.nominatedNodeName = nominated;
          }
          if (conditionChanged || nnnChanged) current.status = status;
          return current;
        },
        { subresource: 'status' },
      );
    } catch (e) {
      ignoreGone(e);
    }
  }

  async preemptVictim(victim: PodInfo, preemptor: PodInfo, nodeName: string): Promise<void> {
    await this.updatePod(victim, {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'PreemptionByScheduler',
      message: `${this.schedulerName}: preempting to accommodate a higher priority pod`,
    });
    try {
      await this.pods.delete(victim.namespace, victim.name, { preconditions: { uid: victim.uid } });
    } catch (e) {
      ignoreGone(e);
    }
    this.log.info({ preemptor: preemptor.key, victim: victim.key, node: nodeName }, 'preempted victim pod');
    void this.recorder.record(
      victim.pod,
      'Normal',
      'Preempted',
      `Preempted by pod ${preemptor.uid} on node ${nodeName}`,
    );
  }

  async clearNominatedNodeName(pods: readonly PodInfo[]): Promise<void> {
    await Promise.all(pods.map((p) => this.updatePod(p, undefined, '')));
  }
}
