import type { Logger } from 'pino';
import { type KubeObject, timestamp } from '../../api/object.ts';
import { indexByNamespace, inNamespace } from '../../client/indexes.ts';
import { objectKeyOf } from '../../client/informer.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import type { ResourceStore } from '../../registry/store.ts';
import { obj, serviceSelector } from '../endpoints/pods.ts';
import { runWorkers } from '../run-workers.ts';
import {
  addressTypesFor,
  controllerName,
  desiredGroups,
  managedByLabel,
  serviceNameLabel,
  sliceLabels,
  slicePrefix,
} from './desired.ts';
import { type DesiredGroup, type EndpointSlice, reconcileSlices } from './slices.ts';
import { applySliceChanges } from './writer.ts';

/** The Service's controller reference, as metav1.NewControllerRef builds it. */
export const ownerRefTo = (svc: KubeObject, kind = 'Service') => ({
  apiVersion: 'v1',
  kind,
  name: svc.metadata.name!,
  uid: svc.metadata.uid!,
  controller: true,
  blockOwnerDeletion: true,
});

function newSlice(svc: KubeObject, group: DesiredGroup): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: slicePrefix(svc.metadata.name!),
      namespace: svc.metadata.namespace,
      labels: sliceLabels(svc),
      ownerReferences: [ownerRefTo(svc)],
    },
    addressType: group.addressType,
    endpoints: [],
    ...(group.ports.length > 0 ? { ports: group.ports } : {}),
  };
}

/**
 * discovery.k8s.io/v1 EndpointSlices for Services with a selector (upstream's
 * EndpointSlice controller): slices of at most 100 endpoints, labelled with the Service's
 * name and this controller as manager, owned by the Service (the garbage collector removes
 * them with it), and a placeholder slice when there are no endpoints.
 */
export class EndpointSliceController {
  private readonly queue = new WorkQueue<string>();
  readonly services: InformerHandle;
  readonly pods: InformerHandle;
  readonly nodes: InformerHandle;
  readonly slices: InformerHandle;
  private readonly store: ResourceStore;
  private readonly log: Logger;
  private readonly triggers = new Map<string, string>();

  constructor(registry: Registry, log: Logger) {
    this.log = log.child({ controller: 'endpointslice' });
    this.store = registry.byResource('discovery.k8s.io', 'endpointslices')!;
    this.services = sharedInformers(registry).forStore(registry.byResource('', 'services')!);
    this.pods = sharedInformers(registry).forStore(registry.byResource('', 'pods')!);
    indexByNamespace(this.pods);
    this.nodes = sharedInformers(registry).forStore(registry.byResource('', 'nodes')!);
    this.slices = sharedInformers(registry).forStore(this.store);
    const enqueue = (o: KubeObject) => this.enqueue(objectKeyOf(o));
    this.services.addHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    const podChanged = (pod: KubeObject) => {
      for (const svc of this.services.list()) {
        if (svc.metadata.namespace !== pod.metadata.namespace) continue;
        if (serviceSelector(svc)?.matches(pod.metadata.labels)) enqueue(svc);
      }
    };
    this.pods.addHandler({
      add: podChanged,
      update: (old, pod) => {
        podChanged(pod);
        if (JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) podChanged(old);
      },
      delete: podChanged,
    });
    // A node showing up lets pods bound to it in; a zone label change moves endpoints.
    const allServices = () => {
      for (const svc of this.services.list()) enqueue(svc);
    };
    this.nodes.addHandler({
      add: allServices,
      delete: allServices,
      update: (o, n) => {
        if (
          o.metadata.labels?.[`topology.kubernetes.io/zone`] !==
          n.metadata.labels?.['topology.kubernetes.io/zone']
        )
          allServices();
      },
    });
    const sliceChanged = (s: KubeObject) => {
      const service = s.metadata.labels?.[serviceNameLabel];
      if (service && s.metadata.labels?.[managedByLabel] === controllerName)
        this.enqueue(`${s.metadata.namespace}/${service}`);
    };
    this.slices.addHandler({ update: (_o, n) => sliceChanged(n), delete: sliceChanged });
  }

  private enqueue(key: string): void {
    if (!this.triggers.has(key)) this.triggers.set(key, timestamp());
    this.queue.add(key);
  }

  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.pods.start(), this.nodes.start(), this.slices.start()]);
    void runWorkers(this.queue, (key) => this.sync(key), 5, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    for (const i of [this.services, this.pods, this.nodes, this.slices]) i.stop();
  }

  async sync(key: string): Promise<void> {
    const svc = this.services.get(key);
    // A deleted Service's slices go with it through their owner reference.
    if (!svc) return void this.triggers.delete(key);
    const selector = serviceSelector(svc);
    if (obj(svc.spec).type === 'ExternalName' || !selector) return void this.triggers.delete(key);
    const namespace = svc.metadata.namespace!;
    const pods = inNamespace(this.pods, namespace).filter((p) => selector.matches(p.metadata.labels));
    const existing = this.slices.list().filter(
      (s) =>
        s.metadata.namespace === namespace &&
        s.metadata.labels?.[serviceNameLabel] === svc.metadata.name &&
        s.metadata.labels?.[managedByLabel] === controllerName &&
        !s.metadata.deletionTimestamp &&
        // Slices of an earlier Service of this name wait for the garbage collector.
        !(s.metadata.ownerReferences ?? []).some((r) => r.kind === 'Service' && r.uid !== svc.metadata.uid),
    ) as EndpointSlice[];
    const groups = desiredGroups(svc, pods, (name) => this.nodes.get(name));
    const changes = reconcileSlices(existing, groups, addressTypesFor(svc), {
      newSlice: (group) => newSlice(svc, group),
      labelsFor: () => sliceLabels(svc),
      placeholder: (addressType) => newSlice(svc, { addressType, ports: [], endpoints: [] }),
    });
    if (changes.create.length + changes.update.length + changes.delete.length === 0)
      return void this.triggers.delete(key);
    // Changes seen while this sync writes get their own trigger time.
    const trigger = this.triggers.get(key);
    this.triggers.delete(key);
    try {
      await applySliceChanges(this.store, namespace, changes, trigger);
    } catch (e) {
      if (trigger && !this.triggers.has(key)) this.triggers.set(key, trigger);
      throw e;
    }
  }
}
