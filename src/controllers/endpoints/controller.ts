import type { Logger } from 'pino';
import { type KubeObject, timestamp } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { indexByNamespace, inNamespace } from '../../client/indexes.ts';
import { objectKeyOf } from '../../client/informer.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import type { ResourceStore } from '../../registry/store.ts';
import { runWorkers } from '../run-workers.ts';
import { obj, serviceSelector, str } from './pods.ts';
import { countAddresses, desiredSubsets, maxEndpointsCapacity, truncateSubsets } from './subsets.ts';

export const headlessLabel = 'service.kubernetes.io/headless';
export const triggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';
const overCapacityAnnotation = 'endpoints.kubernetes.io/over-capacity';
const leaderAnnotation = 'control-plane.alpha.kubernetes.io/leader';

const split = (key: string) => {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
};

/** The label set upstream gives an Endpoints object: the Service's, plus the headless mark. */
export function endpointsLabels(svc: KubeObject): Record<string, string> {
  const labels = { ...(svc.metadata.labels ?? {}) };
  const clusterIP = str(obj(svc.spec).clusterIP);
  if (clusterIP === '' || clusterIP === 'None') labels[headlessLabel] = '';
  else delete labels[headlessLabel];
  return labels;
}

/**
 * core/v1 Endpoints for every Service with a selector (upstream's endpoint controller):
 * one Endpoints named after the Service, ready and not-ready addresses of the selected pods.
 * Services without a selector, and ExternalName Services, are left to whoever writes their
 * Endpoints; an Endpoints whose Service is gone is deleted.
 */
export class EndpointsController {
  private readonly queue = new WorkQueue<string>();
  readonly services: InformerHandle;
  readonly pods: InformerHandle;
  readonly endpoints: InformerHandle;
  private readonly store: ResourceStore;
  private readonly log: Logger;
  private readonly triggers = new Map<string, string>();

  constructor(registry: Registry, log: Logger) {
    this.log = log.child({ controller: 'endpoints' });
    this.store = registry.byResource('', 'endpoints')!;
    this.services = sharedInformers(registry).forStore(registry.byResource('', 'services')!);
    this.pods = sharedInformers(registry).forStore(registry.byResource('', 'pods')!);
    indexByNamespace(this.pods);
    this.endpoints = sharedInformers(registry).forStore(this.store);
    const enqueue = (o: KubeObject) => this.enqueue(objectKeyOf(o));
    this.services.addHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    const podChanged = (o: KubeObject) => this.enqueueServicesOf(o);
    this.pods.addHandler({
      add: podChanged,
      update: (old, pod) => {
        podChanged(pod);
        if (JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) podChanged(old);
      },
      delete: podChanged,
    });
    // Someone else changed or deleted an Endpoints: put it back as it should be.
    this.endpoints.addHandler({ update: (_o, n) => enqueue(n), delete: enqueue });
  }

  private enqueue(key: string): void {
    if (!this.triggers.has(key)) this.triggers.set(key, timestamp());
    this.queue.add(key);
  }

  private enqueueServicesOf(pod: KubeObject): void {
    for (const svc of this.services.list()) {
      if (svc.metadata.namespace !== pod.metadata.namespace) continue;
      if (serviceSelector(svc)?.matches(pod.metadata.labels)) this.enqueue(objectKeyOf(svc));
    }
  }

  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.pods.start(), this.endpoints.start()]);
    // upstream's checkLeftoverEndpoints: Endpoints whose Service is gone get deleted.
    for (const ep of this.endpoints.list()) {
      if (ep.metadata.annotations?.[leaderAnnotation] === undefined) this.queue.add(objectKeyOf(ep));
    }
    void runWorkers(this.queue, (key) => this.sync(key), 5, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    this.services.stop();
    this.pods.stop();
    this.endpoints.stop();
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = split(key);
    const svc = this.services.get(key);
    if (!svc) {
      this.triggers.delete(key);
      if (!this.endpoints.get(key)) return;
      try {
        await this.store.delete(namespace, name);
      } catch (e) {
        if (!(isStatusError(e) && e.code === 404)) throw e;
      }
      return;
    }
    const spec = obj(svc.spec);
    const selector = serviceSelector(svc);
    if (spec.type === 'ExternalName' || !selector) return;
    const pods = inNamespace(this.pods, namespace).filter((p) => selector.matches(p.metadata.labels));
    let subsets = desiredSubsets(svc, pods);
    const overCapacity = countAddresses(subsets) > maxEndpointsCapacity;
    if (overCapacity) subsets = truncateSubsets(subsets);
    const current = this.endpoints.get(key);
    const labels = endpointsLabels(svc);
    const annotations = { ...(current?.metadata.annotations ?? {}) };
    if (overCapacity) annotations[overCapacityAnnotation] = 'truncated';
    else delete annotations[overCapacityAnnotation];
    if (
      current &&
      JSON.stringify(current.subsets ?? []) === JSON.stringify(subsets) &&
      JSON.stringify(current.metadata.labels ?? {}) === JSON.stringify(labels) &&
      current.metadata.annotations?.[overCapacityAnnotation] === annotations[overCapacityAnnotation]
    ) {
      this.triggers.delete(key);
      return;
    }
    const trigger = this.triggers.get(key);
    this.triggers.delete(key);
    if (trigger) annotations[triggerTimeAnnotation] = trigger;
    const metadata = {
      ...(current?.metadata ?? { name, namespace }),
      labels,
      annotations,
    };
    const next: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata, subsets };
    if (subsets.length === 0) delete next.subsets;
    try {
      if (current) await this.store.guaranteedUpdate(namespace, name, () => next);
      else await this.store.create(namespace, next);
    } catch (e) {
      // The namespace is going away: nothing more to do for this Service.
      if (isStatusError(e) && e.code === 403 && !current) return;
      if (trigger && !this.triggers.has(key)) this.triggers.set(key, trigger);
      throw e;
    }
  }
}
