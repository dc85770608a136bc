import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { apiVersionOf, type KubeObject, timestamp } from '../api/object.ts';
import type { Registry } from '../registry/registry.ts';

export type EventType = 'Normal' | 'Warning';

/**
 * Records core/v1 Events about objects, as client-go's recorder does: one Event per
 * (object, type, reason, message), its count and lastTimestamp bumped when it happens again.
 * Failures are logged, never thrown: an event must not break the loop that records it.
 */
export class EventRecorder {
  private readonly registry: Registry;
  private readonly component: string;
  private readonly host: string;
  private readonly log: Logger;
  private readonly seen = new Map<string, { namespace: string; name: string }>();

  constructor(registry: Registry, component: string, log: Logger, host = '') {
    this.registry = registry;
    this.component = component;
    this.host = host;
    this.log = log;
  }

  async record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const events = this.registry.byResource('', 'events')!;
    const namespace = obj.metadata.namespace || 'default';
    const key = `${obj.metadata.uid}/${type}/${reason}/${message}`;
    const now = timestamp();
    try {
      const known = this.seen.get(key);
      if (known) {
        try {
          await events.guaranteedUpdate(known.namespace, known.name, (e) => ({
            ...e!,
            count: ((e!.count as number | undefined) ?? 1) + 1,
            lastTimestamp: now,
          }));
          return;
        } catch {
          this.seen.delete(key);
        }
      }
      const name = `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
      const kind = obj.kind ?? '';
      await events.create(namespace, {
        metadata: { name, namespace },
        involvedObject: {
          kind,
          namespace: obj.metadata.namespace,
          name: obj.metadata.name,
          uid: obj.metadata.uid,
          apiVersion: obj.apiVersion ?? apiVersionOf('', 'v1'),
          resourceVersion: obj.metadata.resourceVersion,
        },
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
        reportingComponent: this.component,
        reportingInstance: this.host,
      });
      if (this.seen.size > 4096) this.seen.clear();
      this.seen.set(key, { namespace, name });
    } catch (err) {
      this.log.debug({ err, reason }, 'could not record an event');
    }
  }
}
