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
import type { ControllerRevision } from '../statefulset/history.ts';
import { claimObjects, controllerOf, newControllerRef, recheckDeletion } from '../util/controller-ref.ts';
import { Expectations } from '../util/expectations.ts';
import { namespaceTerminating, PodControl } from '../util/pod-control.ts';
import { keyOf, podKey } from '../util/pods.ts';
import type { Pod } from '../util/types.ts';
import {
  type DaemonSet,
  daemonPodTemplate,
  pinToNode,
  targetNodeName,
  templateGeneration,
} from './daemon-pods.ts';
import { constructHistory, truncateHistory } from './history.ts';
import { daemonStatus, manage, type Plan, rollingUpdate } from './plan.ts';

function dsSelector(ds: DaemonSet): LabelSelector | undefined {
  try {
    return fromLabelSelectorObject(ds.spec.selector);
  } catch {
    return undefined;
  }
}

/**
 * Upstream's DaemonSetsController: one pod per eligible node, placed by the scheduler through
 * node affinity, replaced by a rolling update when the template changes, with status counts.
 */
export class DaemonSetController {
  readonly queue = new WorkQueue<string>();
  /** Creations and deletions not yet seen by the pod informer (two, as ours track one kind at a time). */
  private readonly creations = new Expectations();
  private readonly deletions = new Expectations();
  private readonly registry: Registry;
  private readonly log: Logger;
  private readonly podControl: PodControl;
  private readonly sets: InformerHandle;
  private readonly pods: InformerHandle;
  private readonly nodes: InformerHandle;
  private readonly revisions: InformerHandle;

  constructor(registry: Registry, log: Logger) {
    this.registry = registry;
    this.log = log.child({ controller: 'daemonset' });
    this.podControl = new PodControl(registry, new EventRecorder(registry, 'daemonset-controller', this.log));
    this.sets = sharedInformers(registry).forStore(registry.byResource('apps', 'daemonsets')!);
    this.pods = sharedInformers(registry).forStore(registry.byResource('', 'pods')!);
    this.nodes = sharedInformers(registry).forStore(registry.byResource('', 'nodes')!);
    this.revisions = sharedInformers(registry).forStore(registry.byResource('apps', 'controllerrevisions')!);
    indexForClaims(this.pods);
    indexForClaims(this.revisions);
    const all = () => {
      for (const ds of this.sets.list()) this.queue.add(keyOf(ds));
    };
    this.sets.addHandler({
      add: (s) => this.queue.add(keyOf(s)),
      update: (_o, s) => this.queue.add(keyOf(s)),
      delete: (s) => {
        this.creations.delete(keyOf(s));
        this.deletions.delete(keyOf(s));
      },
    });
    this.nodes.addHandler({ add: all, update: all, delete: all });
    this.pods.addHandler({
      add: (p) => this.podChanged(p as Pod, 'add'),
      update: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        this.podChanged(cur as Pod, cur.metadata.deletionTimestamp ? 'delete' : 'update');
        if (controllerOf(old)?.uid !== controllerOf(cur)?.uid) this.podChanged(old as Pod, 'update');
      },
      delete: (p) => this.podChanged(p as Pod, 'delete'),
    });
  }

  private podChanged(pod: Pod, how: 'add' | 'update' | 'delete'): void {
    const ref = controllerOf(pod);
    if (!ref) {
      for (const ds of this.sets.list() as DaemonSet[]) {
        if (
          ds.metadata.namespace === pod.metadata.namespace &&
          dsSelector(ds)?.matches(pod.metadata.labels ?? {})
        )
          this.queue.add(keyOf(ds));
      }
      return;
    }
    if (ref.kind !== 'DaemonSet') return;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    if (how === 'add') this.creations.creationObserved(key);
    if (how === 'delete') this.deletions.deletionObserved(key, podKey(pod));
    this.queue.add(key);
    const minReady = (this.sets.get(key) as DaemonSet | undefined)?.spec.minReadySeconds ?? 0;
    if (minReady > 0) this.queue.addAfter(key, (minReady + 1) * 1000);
  }

  async start(): Promise<void> {
    await Promise.all([this.sets.start(), this.pods.start(), this.nodes.start(), this.revisions.start()]);
    void runWorkers(this.queue, (key) => this.sync(key), 2, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    for (const inf of [this.sets, this.pods, this.nodes, this.revisions]) inf.stop();
  }

  async sync(key: string): Promise<void> {
    const cached = this.sets.get(key) as DaemonSet | undefined;
    if (!cached) return;
    const ds = structuredClone(cached);
    const selector = dsSelector(ds);
    if (!selector || selector.isEverything()) return;
    const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
    const canAdopt = recheckDeletion(this.registry.byResource('apps', 'daemonsets')!, ds);
    const matches = (o: KubeObject) => selector.matches(o.metadata.labels ?? {});
    const history = await claimObjects(
      {
        owner: ds,
        ownerRef: ref,
        store: this.registry.byResource('apps', 'controllerrevisions')!,
        matches,
        canAdopt,
      },
      claimCandidates(this.revisions, ds) as ControllerRevision[],
    );
    const pods = await claimObjects(
      { owner: ds, ownerRef: ref, store: this.registry.byResource('', 'pods')!, matches, canAdopt },
      claimCandidates(this.pods, ds) as Pod[],
    );
    const byNode = new Map<string, Pod[]>();
    for (const pod of pods) {
      const node = targetNodeName(pod);
      if (node === undefined) continue;
      const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
      if (pod.metadata.deletionTimestamp && terminal) continue;
      byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    }
    const nodes = this.nodes.list();
    const { current, old, collisionCount } = await constructHistory(this.registry, ds, ref, history);
    const hash = current.metadata.labels?.['controller-revision-hash'] ?? '';
    const generation = templateGeneration(ds);
    if (!ds.metadata.deletionTimestamp && this.creations.satisfied(key) && this.deletions.satisfied(key)) {
      await this.apply(ds, manage(ds, nodes, byNode, hash, generation), hash);
      if (
        ds.spec.updateStrategy?.type === 'RollingUpdate' &&
        this.creations.satisfied(key) &&
        this.deletions.satisfied(key)
      ) {
        await this.apply(ds, rollingUpdate(ds, nodes, byNode, hash, generation), hash);
      }
      await truncateHistory(this.registry, ds, pods, old);
    }
    await this.writeStatus(ds, { ...daemonStatus(ds, nodes, byNode, hash, generation), collisionCount });
  }

  /** syncNodes: creates the pods the plan wants (pinned to their nodes) and deletes the rest. */
  private async apply(ds: DaemonSet, plan: Plan, hash: string): Promise<void> {
    const key = keyOf(ds);
    const ns = ds.metadata.namespace!;
    const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
    const errors: unknown[] = [];
    if (plan.nodesNeedingPods.length > 0) {
      this.creations.expectCreations(key, plan.nodesNeedingPods.length);
      const template = daemonPodTemplate(ds, hash);
      await Promise.all(
        plan.nodesNeedingPods.map(async (node) => {
          const t = structuredClone(template);
          t.spec ??= {};
          pinToNode(t.spec, node);
          try {
            await this.podControl.createPod(ns, t, ds, ref);
          } catch (e) {
            this.creations.creationObserved(key);
            if (!namespaceTerminating((e as Error).cause)) errors.push(e);
          }
        }),
      );
    }
    if (plan.podsToDelete.length > 0) {
      this.deletions.expectDeletions(key, plan.podsToDelete.map(podKey));
      await Promise.all(
        plan.podsToDelete.map(async (pod) => {
          try {
            await this.podControl.deletePod(ns, pod.metadata.name!, ds);
          } catch (e) {
            this.deletions.deletionObserved(key, podKey(pod));
            if (!(isStatusError(e) && e.code === 404)) errors.push(e);
          }
        }),
      );
    }
    if (errors.length > 0) throw errors[0];
  }

  private async writeStatus(ds: DaemonSet, counts: Record<string, number>): Promise<void> {
    const status: Record<string, number> = { observedGeneration: ds.metadata.generation ?? 0 };
    // Go's omitempty drops these when zero.
    const omitEmpty = new Set([
      'updatedNumberScheduled',
      'numberAvailable',
      'numberUnavailable',
      'collisionCount',
    ]);
    for (const [k, v] of Object.entries(counts)) if (v !== 0 || !omitEmpty.has(k)) status[k] = v;
    const old = ds.status ?? {};
    const same =
      Object.keys(status).length === Object.keys(old).length &&
      Object.entries(status).every(([k, v]) => old[k] === v);
    if (same) return;
    await this.registry.byResource('apps', 'daemonsets')!.guaranteedUpdate(
      ds.metadata.namespace,
      ds.metadata.name!,
      (cur) => {
        if (!cur || cur.metadata.uid !== ds.metadata.uid) throw new Error(`daemonset ${keyOf(ds)} is gone`);
        return { ...cur, status };
      },
      { subresource: 'status' },
    );
  }
}
