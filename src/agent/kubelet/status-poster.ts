/**
 * Posts pod statuses through pods/status (status_manager): coalesced per pod, skipped when
 * the same status was posted last, retried after failures, posted again when the API's copy
 * drifts (e.g. the node lifecycle controller marked the pod not ready). Also the final
 * grace-0 delete with a uid precondition.
 */
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type pino from 'pino';
import { errorCode, mergePatch } from '../../sim/api.ts';
import { KeyedQueue } from '../../sim/queue.ts';

export class StatusPoster {
  private readonly core: CoreV1Api;
  private readonly log: pino.Logger;
  private readonly queue: KeyedQueue;
  private readonly due = new Map<string, { pod: V1Pod; status: Record<string, unknown>; json: string }>();
  private readonly posted = new Map<string, string>();
  private stopped = false;

  constructor(core: CoreV1Api, log: pino.Logger) {
    this.core = core;
    this.log = log;
    this.queue = new KeyedQueue(8, (uid) => this.flush(uid));
  }

  post(uid: string, pod: V1Pod, status: Record<string, unknown>): void {
    const json = JSON.stringify(status);
    if (this.posted.get(uid) === json) {
      this.due.delete(uid);
      return;
    }
    this.due.set(uid, { pod, status, json });
    this.queue.add(uid);
  }

  /** The pod as the API has it now: when it says otherwise than what was posted, post again. */
  seen(uid: string, pod: V1Pod): void {
    const posted = this.posted.get(uid);
    if (posted && !this.due.has(uid) && drifted(pod, posted)) this.posted.delete(uid);
  }

  forget(uid: string): void {
    this.due.delete(uid);
    this.posted.delete(uid);
  }

  stop(): void {
    this.stopped = true;
    this.queue.stop();
  }

  async flush(uid: string): Promise<void> {
    const due = this.due.get(uid);
    if (!due || this.stopped) return;
    this.due.delete(uid);
    const name = due.pod.metadata?.name ?? '';
    const namespace = due.pod.metadata?.namespace ?? '';
    try {
      const body = { metadata: { uid }, status: due.status };
      await this.core.patchNamespacedPodStatus({ name, namespace, body }, mergePatch);
      this.posted.set(uid, due.json);
    } catch (e) {
      const code = errorCode(e);
      if (code === 404 || code === 409) return;
      this.log.warn({ pod: `${namespace}/${name}`, err: String(e) }, 'posting pod status failed; retrying');
      if (!this.due.has(uid)) this.due.set(uid, due);
      setTimeout(() => this.queue.add(uid), 1000).unref();
    }
  }

  async deletePod(pod: V1Pod): Promise<void> {
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? '';
    const body = { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } };
    try {
      await this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0, body });
    } catch (e) {
      const code = errorCode(e);
      if (code === 404 || code === 409) return;
      throw e;
    }
  }
}

/** Whether the pod's phase or Ready condition differ from the status last posted. */
export function drifted(pod: V1Pod, postedJson: string): boolean {
  const posted = JSON.parse(postedJson) as {
    phase?: string;
    conditions?: { type: string; status: string }[];
  };
  if (pod.status?.phase !== posted.phase) return true;
  const ready = (c?: { type: string; status: string }[]) => c?.find((x) => x.type === 'Ready')?.status;
  return ready(pod.status?.conditions) !== ready(posted.conditions);
}
