/**
 * Records core/v1 Events about pods as the kubelet does (source.component "kubelet",
 * source.host the node): one Event per (pod, type, reason, message), its count and
 * lastTimestamp bumped when it happens again. Failures are logged, never thrown.
 */
import { randomBytes } from 'node:crypto';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type pino from 'pino';
import { mergePatch } from '../../sim/api.ts';
import { now } from '../../sim/pod-status.ts';

export type EventType = 'Normal' | 'Warning';

export interface PodEvents {
  record(pod: V1Pod, type: EventType, reason: string, message: string, fieldPath?: string): void;
}

export class KubeletEvents implements PodEvents {
  private readonly core: CoreV1Api;
  private readonly node: string;
  private readonly log: pino.Logger;
  private readonly seen = new Map<string, { name: string; count: number }>();

  constructor(core: CoreV1Api, node: string, log: pino.Logger) {
    this.core = core;
    this.node = node;
    this.log = log;
  }

  record(pod: V1Pod, type: EventType, reason: string, message: string, fieldPath?: string): void {
    void this.send(pod, type, reason, message, fieldPath);
  }

  private async send(pod: V1Pod, type: EventType, reason: string, message: string, fieldPath?: string) {
    const namespace = pod.metadata?.namespace ?? 'default';
    const key = `${pod.metadata?.uid}/${fieldPath ?? ''}/${type}/${reason}/${message}`;
    const t = now();
    try {
      const known = this.seen.get(key);
      if (known) {
        known.count++;
        try {
          await this.core.patchNamespacedEvent(
            { name: known.name, namespace, body: { count: known.count, lastTimestamp: t } },
            mergePatch,
          );
          return;
        } catch {
          this.seen.delete(key);
        }
      }
      const name = `${pod.metadata?.name}.${randomBytes(8).toString('hex')}`;
      const body = {
        metadata: { name, namespace },
        involvedObject: {
          kind: 'Pod',
          apiVersion: 'v1',
          namespace,
          name: pod.metadata?.name,
          uid: pod.metadata?.uid,
          resourceVersion: pod.metadata?.resourceVersion,
          ...(fieldPath ? { fieldPath } : {}),
        },
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: t,
        lastTimestamp: t,
        source: { component: 'kubelet', host: this.node },
        reportingComponent: 'kubelet',
        reportingInstance: this.node,
      };
      await this.core.createNamespacedEvent({ namespace, body: body as never });
      if (this.seen.size > 4096) this.seen.clear();
      this.seen.set(key, { name, count: 1 });
    } catch (err) {
      this.log.debug({ err: String(err), reason }, 'could not record an event');
    }
  }
}
