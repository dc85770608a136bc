import type { Logger } from 'pino';
import { type KubeObject, timestamp } from '../../api/object.ts';
import { fromLabelSelectorObject, type LabelSelector } from '../../api/selectors/index.ts';
import { indexByNamespace, inNamespace } from '../../client/indexes.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import { EventRecorder } from '../events.ts';
import { runWorkers } from '../run-workers.ts';
import { controllerOf } from '../util/controller-ref.ts';
import { keyOf } from '../util/pods.ts';
import type { Pod } from '../util/types.ts';
import {
  computeStatus,
  desiredAndExpected,
  failSafeStatus,
  liveDisruptedPods,
  type PdbStatus,
  type PodDisruptionBudget,
} from './budget.ts';

/** The pods a budget's selector picks: none for a missing or invalid selector (policy/v1). */
export function pdbSelector(pdb: PodDisruptionBudget): LabelSelector | undefined {
  try {
    return fromLabelSelectorObject(pdb.spec.selector);
  } catch {
    return undefined;
  }
}

const sources = [
  ['apps', 'replicasets'],
  ['apps', 'deployments'],
  ['apps', 'statefulsets'],
  ['', 'replicationcontrollers'],
] as const;

/**
 * Upstream's DisruptionController: keeps each PodDisruptionBudget's status (healthy pods,
 * pods it needs, disruptions allowed now) current as pods and their controllers change.
 */
export class DisruptionController {
  readonly queue = new WorkQueue<string>();
  private readonly registry: Registry;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly pdbs: InformerHandle;
  private readonly pods: InformerHandle;
  private readonly owners = new Map<string, InformerHandle>();

  constructor(registry: Registry, log: Logger) {
    this.registry = registry;
    this.log = log.child({ controller: 'disruption' });
    this.recorder = new EventRecorder(registry, 'controllermanager', this.log);
    this.pdbs = sharedInformers(registry).forStore(registry.byResource('policy', 'poddisruptionbudgets')!);
    this.pods = sharedInformers(registry).forStore(registry.byResource('', 'pods')!);
    indexByNamespace(this.pods);
    for (const [group, plural] of sources) {
      const store = registry.byResource(group, plural);
      if (store) this.owners.set(plural, sharedInformers(registry).forStore(store));
    }
    this.pdbs.addHandler({
      add: (o) => this.queue.add(keyOf(o)),
      update: (_o, cur) => this.queue.add(keyOf(cur)),
      delete: (o) => this.queue.add(keyOf(o)),
    });
    const podChanged = (pod: KubeObject) => {
      for (const pdb of this.pdbsFor(pod as Pod)) this.queue.add(keyOf(pdb));
    };
    this.pods.addHandler({
      add: podChanged,
      update: (old, cur) => {
        podChanged(old);
        podChanged(cur);
      },
      delete: podChanged,
    });
    // A controller's scale changes what a percentage or maxUnavailable budget expects.
    const ownerChanged = () => {
      for (const pdb of this.pdbs.list()) this.queue.add(keyOf(pdb));
    };
    for (const inf of this.owners.values()) inf.addHandler({ update: ownerChanged, delete: ownerChanged });
  }

  async start(): Promise<void> {
    await Promise.all([
      this.pdbs.start(),
      this.pods.start(),
      ...[...this.owners.values()].map((i) => i.start()),
    ]);
    void runWorkers(this.queue, (key) => this.sync(key), 2, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    this.pdbs.stop();
    this.pods.stop();
    for (const inf of this.owners.values()) inf.stop();
  }

  private pdbsFor(pod: Pod): PodDisruptionBudget[] {
    return (this.pdbs.list() as PodDisruptionBudget[]).filter(
      (pdb) =>
        pdb.metadata.namespace === pod.metadata.namespace &&
        !!pdbSelector(pdb)?.matches(pod.metadata.labels ?? {}),
    );
  }

  private podsFor(pdb: PodDisruptionBudget): Pod[] {
    const selector = pdbSelector(pdb);
    if (!selector) return [];
    return (inNamespace(this.pods, pdb.metadata.namespace) as Pod[]).filter((p) =>
      selector.matches(p.metadata.labels ?? {}),
    );
  }

  /** The cached controller a reference names, if its UID matches. */
  private owner(namespace: string | undefined, kind: string, name: string, uid: string) {
    const plural =
      { ReplicaSet: 'replicasets', Deployment: 'deployments', StatefulSet: 'statefulsets' }[kind] ??
      (kind === 'ReplicationController' ? 'replicationcontrollers' : undefined);
    const obj = plural ? this.owners.get(plural)?.get(`${namespace}/${name}`) : undefined;
    return obj?.metadata.uid === uid ? obj : undefined;
  }

  /** The summed spec.replicas of the pods' controllers (a ReplicaSet's Deployment in its place). */
  expectedScale(pods: readonly Pod[]): number {
    const scales = new Map<string, number>();
    for (const pod of pods) {
      const ref = controllerOf(pod);
      if (!ref) throw new Error(`found no controller ref for pod "${pod.metadata.name}"`);
      if (scales.has(ref.uid)) continue;
      let ctl = this.owner(pod.metadata.namespace, ref.kind, ref.name, ref.uid);
      let uid = ref.uid;
      if (ctl && ref.kind === 'ReplicaSet') {
        const dref = controllerOf(ctl);
        const dep = dref && this.owner(pod.metadata.namespace, dref.kind, dref.name, dref.uid);
        if (dref?.kind === 'Deployment') {
          ctl = dep;
          uid = dref.uid;
        }
      }
      if (!ctl) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
      scales.set(uid, ((ctl.spec as { replicas?: number }).replicas ?? 1) as number);
      scales.set(ref.uid, scales.get(uid)!);
      if (uid !== ref.uid) scales.set(ref.uid, 0);
    }
    let total = 0;
    for (const n of scales.values()) total += n;
    return total;
  }

  async sync(key: string): Promise<void> {
    const cached = this.pdbs.get(key) as PodDisruptionBudget | undefined;
    if (!cached) return;
    const pdb = structuredClone(cached);
    const pods = this.podsFor(pdb);
    const now = timestamp();
    let status: PdbStatus;
    try {
      if (pods.length === 0) {
        void this.recorder.record(pdb, 'Normal', 'NoPods', 'No matching pods found');
      }
      const { desiredHealthy, expectedCount } = desiredAndExpected(pdb, pods.length, () =>
        this.expectedScale(pods),
      );
      const { kept, recheckAt } = liveDisruptedPods(pdb.status?.disruptedPods, pods, Date.now());
      status = computeStatus(pdb, pods, desiredHealthy, expectedCount, kept, now);
      if (recheckAt !== undefined) this.queue.addAfter(key, Math.max(0, recheckAt - Date.now()) + 100);
    } catch (e) {
      void this.recorder.record(pdb, 'Warning', 'CalculateExpectedPodCountFailed', (e as Error).message);
      status = failSafeStatus(pdb, (e as Error).message, now);
    }
    await this.writeStatus(pdb, status);
  }

  private async writeStatus(pdb: PodDisruptionBudget, status: PdbStatus): Promise<void> {
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const old = pdb.status;
    const unchanged =
      old &&
      same({ ...old, conditions: undefined }, { ...status, conditions: undefined }) &&
      same(
        old.conditions?.map((c) => [c.status, c.reason, c.message]),
        status.conditions?.map((c) => [c.status, c.reason, c.message]),
      );
    if (unchanged) return;
    const store = this.registry.byResource('policy', 'poddisruptionbudgets')!;
    await store.guaranteedUpdate(
      pdb.metadata.namespace,
      pdb.metadata.name!,
      (cur) => {
        if (!cur || cur.metadata.uid !== pdb.metadata.uid) throw new Error(`pdb ${keyOf(pdb)} is gone`);
        // Written from the resourceVersion read: an eviction in between makes this a conflict.
        return {
          ...cur,
          metadata: { ...cur.metadata, resourceVersion: pdb.metadata.resourceVersion },
          status,
        };
      },
      { subresource: 'status' },
    );
  }
}
