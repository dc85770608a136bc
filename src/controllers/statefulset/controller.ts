import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.ts';
import { fromLabelSelectorObject, type LabelSelector } from '../../api/selectors/index.ts';
import { isStatusError } from '../../api/status.ts';
import { claimCandidates, indexForClaims } from '../../client/indexes.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import { EventRecorder } from '../events.ts';
import { runWorkers } from '../run-workers.ts';
import { claimObjects, controllerOf, newControllerRef, recheckDeletion } from '../util/controller-ref.ts';
import { keyOf } from '../util/pods.ts';
import type { Pod } from '../util/types.ts';
import type { ControllerRevision } from './history.ts';
import { isMemberOf, type StatefulSet } from './identity.ts';
import { StatefulSetControl } from './set-control.ts';

export function setSelector(set: StatefulSet): LabelSelector | undefined {
  try {
    return fromLabelSelectorObject(set.spec.selector);
  } catch {
    return undefined;
  }
}

/**
 * Upstream's StatefulSet controller: informers on sets, pods and revisions feed a queue of
 * set keys; each sync claims the set's pods and revisions and runs one StatefulSetControl pass.
 */
export class StatefulSetController {
  readonly queue = new WorkQueue<string>();
  private readonly registry: Registry;
  private readonly log: Logger;
  private readonly sets: InformerHandle;
  private readonly pods: InformerHandle;
  private readonly revisions: InformerHandle;
  private readonly control: StatefulSetControl;

  constructor(registry: Registry, log: Logger) {
    this.registry = registry;
    this.log = log.child({ controller: 'statefulset' });
    this.control = new StatefulSetControl(
      registry,
      new EventRecorder(registry, 'statefulset-controller', this.log),
    );
    this.sets = sharedInformers(registry).forStore(registry.byResource('apps', 'statefulsets')!);
    this.pods = sharedInformers(registry).forStore(registry.byResource('', 'pods')!);
    this.revisions = sharedInformers(registry).forStore(registry.byResource('apps', 'controllerrevisions')!);
    indexForClaims(this.pods);
    indexForClaims(this.revisions);
    this.sets.addHandler({
      add: (s) => this.queue.add(keyOf(s)),
      update: (_o, s) => this.queue.add(keyOf(s)),
      delete: (s) => this.queue.add(keyOf(s)),
    });
    const podChanged = (pod: KubeObject) => {
      const ref = controllerOf(pod);
      if (ref) {
        if (ref.kind === 'StatefulSet') this.queue.add(`${pod.metadata.namespace}/${ref.name}`);
        return;
      }
      for (const set of this.setsFor(pod)) this.queue.add(keyOf(set));
    };
    this.pods.addHandler({
      add: podChanged,
      update: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        const minReady = (this.sets.get(keyOf(cur)) as StatefulSet | undefined)?.spec.minReadySeconds ?? 0;
        podChanged(cur);
        if (controllerOf(old)?.uid !== controllerOf(cur)?.uid) podChanged(old);
        const ref = controllerOf(cur);
        if (ref?.kind === 'StatefulSet' && minReady > 0) {
          this.queue.addAfter(`${cur.metadata.namespace}/${ref.name}`, (minReady + 1) * 1000);
        }
      },
      delete: podChanged,
    });
    this.revisions.addHandler({
      add: (r) => {
        const ref = controllerOf(r);
        if (ref?.kind === 'StatefulSet') this.queue.add(`${r.metadata.namespace}/${ref.name}`);
      },
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.sets.start(), this.pods.start(), this.revisions.start()]);
    void runWorkers(this.queue, (key) => this.sync(key), 5, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    this.sets.stop();
    this.pods.stop();
    this.revisions.stop();
  }

  private setsFor(pod: KubeObject): StatefulSet[] {
    return (this.sets.list() as StatefulSet[]).filter((s) => {
      const sel = setSelector(s);
      return (
        s.metadata.namespace === pod.metadata.namespace &&
        !!sel &&
        !sel.isEverything() &&
        sel.matches(pod.metadata.labels ?? {})
      );
    });
  }

  async sync(key: string): Promise<void> {
    const cached = this.sets.get(key) as StatefulSet | undefined;
    if (!cached) return;
    const set = structuredClone(cached);
    const selector = setSelector(set);
    if (!selector) {
      this.log.warn({ key }, 'invalid selector');
      return;
    }
    const ref = newControllerRef(set, 'apps/v1', 'StatefulSet');
    const canAdopt = recheckDeletion(this.registry.byResource('apps', 'statefulsets')!, set);
    const matches = (o: KubeObject) => selector.matches(o.metadata.labels ?? {});
    const revisions = await claimObjects(
      {
        owner: set,
        ownerRef: ref,
        store: this.registry.byResource('apps', 'controllerrevisions')!,
        matches,
        canAdopt,
      },
      claimCandidates(this.revisions, set) as ControllerRevision[],
    );
    const pods = await claimObjects(
      {
        owner: set,
        ownerRef: ref,
        store: this.registry.byResource('', 'pods')!,
        matches: (p) => matches(p) && isMemberOf(set, p),
        canAdopt,
      },
      claimCandidates(this.pods, set) as Pod[],
    );
    try {
      await this.control.sync(set, pods, revisions);
    } catch (e) {
      // Another pass will see the pod the informer has not shown yet.
      if (isStatusError(e) && e.code === 409) this.queue.addAfter(key, 100);
      throw e;
    }
  }
}
