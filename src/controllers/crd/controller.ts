/**
 * The CustomResourceDefinition controller: upstream's naming, establishing and finalizer
 * controllers and the CRD handler's serving in one loop over a CRD informer. For each CRD it
 * accepts the names no other resource of the group uses (NamesAccepted), marks it Established,
 * serves its versions from the registry, and, once it is deleted, removes its custom resources
 * before dropping the cleanup finalizer. start() resolves once every stored CRD is served again.
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import {
  type CustomResourceDefinition,
  cleanupFinalizer,
  deepEqual,
  isConditionTrue,
  setCondition,
} from '../../registry/crd/index.ts';
import type { Registry } from '../../registry/registry.ts';
import type { ResourceStore } from '../../registry/store.ts';
import { runWorkers } from '../run-workers.ts';
import { deleteInstances } from './finalizer.ts';
import { acceptedNamesOf, calculateNames } from './naming.ts';
import { CRDServing } from './serving.ts';

const same = (a: unknown, b: unknown) => deepEqual(a ?? null, b ?? null);

export class CRDController {
  private readonly queue = new WorkQueue<string>();
  private readonly informer: InformerHandle;
  private readonly registry: Registry;
  private readonly crds: ResourceStore;
  private readonly serving: CRDServing;
  private readonly log: Logger;

  constructor(registry: Registry, log: Logger) {
    this.registry = registry;
    this.log = log.child({ controller: 'customresourcedefinitions' });
    this.crds = registry.byResource('apiextensions.k8s.io', 'customresourcedefinitions')!;
    this.informer = sharedInformers(registry).forStore(this.crds);
    this.serving = new CRDServing(registry, this.log, (name) => {
      const crd = this.get(name);
      return !!crd && (!!crd.metadata.deletionTimestamp || isConditionTrue(crd, 'Terminating'));
    });
    const enqueue = (o: KubeObject) => this.queue.add(o.metadata.name!);
    this.informer.addHandler({
      add: enqueue,
      update: (_old, o) => enqueue(o),
      delete: (o) => {
        enqueue(o);
        // Names it held in its group may now go to another CRD.
        for (const other of this.informer.list()) {
          if ((other as CustomResourceDefinition).spec?.group === (o as CustomResourceDefinition).spec?.group)
            enqueue(other);
        }
      },
    });
  }

  async start(): Promise<void> {
    await this.informer.start();
    for (const crd of this.informer.list()) this.serving.serve(crd as CustomResourceDefinition);
    // One worker, as upstream's naming controller: two CRDs of a group never race for a name.
    void runWorkers(this.queue, (key) => this.sync(key), 1, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    this.informer.stop();
  }

  private get(name: string): CustomResourceDefinition | undefined {
    return this.informer.get(name) as CustomResourceDefinition | undefined;
  }

  async sync(name: string): Promise<void> {
    const crd = this.get(name);
    if (!crd) {
      this.serving.unserve(name);
      return;
    }
    if (crd.metadata.deletionTimestamp) {
      this.serving.serve(crd);
      await this.finalize(crd);
      return;
    }
    const written = await this.updateStatus(name, (c) => this.namesAndEstablished(c));
    // A status write comes back through the informer: serve what it says then.
    if (!written) this.serving.serve(crd);
  }

  /** Names in use in a group by everything but this CRD's own custom resources. */
  private namesInUse(crd: CustomResourceDefinition) {
    const group = crd.spec?.group ?? '';
    const resources = new Set<string>();
    const kinds = new Set<string>();
    for (const other of this.informer.list() as CustomResourceDefinition[]) {
      if (other.spec?.group === group) acceptedNamesOf(other, resources, kinds);
    }
    for (const s of this.registry.all()) {
      const i = s.info;
      if (i.group !== group || this.serving.owns(i.group, i.plural)) continue;
      for (const r of [i.plural, i.singular, ...i.shortNames]) resources.add(r);
      kinds.add(i.kind).add(`${i.kind}List`);
    }
    return { resources, kinds };
  }

  private namesAndEstablished(crd: CustomResourceDefinition): void {
    if (!same(crd.spec?.names, crd.status?.acceptedNames)) {
      const r = calculateNames(crd, this.namesInUse(crd));
      crd.status = { ...crd.status, acceptedNames: r.acceptedNames };
      setCondition(crd, r.namesAccepted);
      setCondition(crd, r.established);
    }
    if (isConditionTrue(crd, 'NamesAccepted') && !isConditionTrue(crd, 'Established')) {
      setCondition(crd, {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
      });
    }
  }

  /**
   * Changes a CRD's status (and finalizers) through the status subresource, from the stored object.
   * Returns whether anything was written; a CRD that is gone is not an error.
   */
  private async updateStatus(
    name: string,
    change: (crd: CustomResourceDefinition) => void,
  ): Promise<boolean> {
    let written = false;
    try {
      await this.crds.guaranteedUpdate(
        undefined,
        name,
        (current) => {
          const next = structuredClone(current!) as CustomResourceDefinition;
          change(next);
          written =
            !same(next.status, current!.status) ||
            !same(next.metadata.finalizers, current!.metadata.finalizers);
          delete next.metadata.resourceVersion;
          return next;
        },
        { subresource: 'status' },
      );
    } catch (e) {
      if (isStatusError(e) && e.code === 404) return false;
      throw e;
    }
    return written;
  }

  /** Upstream's CRDFinalizer: delete every custom resource, then let the CRD go. */
  private async finalize(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata.name!;
    if (!(crd.metadata.finalizers ?? []).includes(cleanupFinalizer)) return;
    await this.updateStatus(name, (c) =>
      setCondition(c, {
        type: 'Terminating',
        status: 'True',
        reason: 'InstanceDeletionInProgress',
        message: 'CustomResource deletion is in progress',
      }),
    );
    let condition: Parameters<typeof setCondition>[1];
    if (isConditionTrue(crd, 'Established')) {
      const remaining = await deleteInstances(this.registry.backend, crd);
      if (remaining > 0) {
        throw new Error(`${name}: ${remaining} custom resources still being deleted`);
      }
      condition = {
        type: 'Terminating',
        status: 'False',
        reason: 'InstanceDeletionCompleted',
        message: 'removed all instances',
      };
    } else {
      condition = {
        type: 'Terminating',
        status: 'False',
        reason: 'NeverEstablished',
        message: 'resource was never established',
      };
    }
    await this.updateStatus(name, (c) => {
      setCondition(c, condition);
      const left = (c.metadata.finalizers ?? []).filter((f) => f !== cleanupFinalizer);
      if (left.length > 0) c.metadata.finalizers = left;
      else delete c.metadata.finalizers;
    });
    this.log.info({ crd: name }, 'custom resources removed, CRD released');
  }
}
