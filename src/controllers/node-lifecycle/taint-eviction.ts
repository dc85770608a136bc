import type { Logger } from 'pino';
import { isObject, type KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { indexByNodeName, onNode } from '../../client/indexes.ts';
import { objectKeyOf } from '../../client/informer.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import type { Registry } from '../../registry/registry.ts';
import { EventRecorder } from '../events.ts';
import { updatePodCondition, updatePodStatus } from '../podgc/pod-conditions.ts';
import { matchingTolerations, minTolerationMs, type Taint, taintsOf, tolerationsOf } from './taints.ts';

interface Work {
  readonly createdAt: number;
  timer: NodeJS.Timeout | undefined;
  /** The pod was deleted by this work; kept so it is not deleted twice. */
  done: boolean;
}

const maxTimerMs = 2 ** 31 - 1;
const podNode = (p: KubeObject) =>
  isObject(p.spec) && typeof p.spec.nodeName === 'string' ? p.spec.nodeName : '';
const noExecute = (node: KubeObject | undefined): Taint[] =>
  node ? taintsOf(node).filter((t) => t.effect === 'NoExecute') : [];

/**
 * upstream's taint eviction controller (pkg/controller/tainteviction): a pod on a node with
 * NoExecute taints it does not tolerate is deleted at once; one that tolerates them for a
 * while (tolerationSeconds, 300 s by pod defaulting for not-ready and unreachable) is
 * deleted when the shortest of those runs out, unless the taints go first.
 */
export class TaintEvictionController {
  readonly pods: InformerHandle;
  readonly nodes: InformerHandle;
  private readonly registry: Registry;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly now: () => number;
  private readonly tainted = new Map<string, Taint[]>();
  private readonly work = new Map<string, Work>();
  private readonly fireAt = new Map<string, number>();
  private stopped = false;

  constructor(registry: Registry, log: Logger, options: { now?: () => number } = {}) {
    this.registry = registry;
    this.log = log.child({ controller: 'taint-eviction-controller' });
    this.recorder = new EventRecorder(registry, 'taint-eviction-controller', this.log);
    this.now = options.now ?? Date.now;
    this.pods = sharedInformers(registry).forStore(registry.byResource('', 'pods')!);
    indexByNodeName(this.pods);
    this.nodes = sharedInformers(registry).forStore(registry.byResource('', 'nodes')!);
    const nodeChanged = (old: KubeObject | undefined, node: KubeObject | undefined) => {
      if (old && node && JSON.stringify(noExecute(old)) === JSON.stringify(noExecute(node))) return;
      this.handleNode((node ?? old)!.metadata.name!);
    };
    this.nodes.addHandler({
      add: (n) => nodeChanged(undefined, n),
      update: (o, n) => nodeChanged(o, n),
      delete: (n) => nodeChanged(n, undefined),
    });
    const podChanged = (old: KubeObject | undefined, pod: KubeObject | undefined) => {
      if (old && pod) {
        const same = JSON.stringify(tolerationsOf(old)) === JSON.stringify(tolerationsOf(pod));
        if (same && podNode(old) === podNode(pod)) return;
      }
      this.handlePod((pod ?? old)!, pod === undefined);
    };
    this.pods.addHandler({
      add: (p) => podChanged(undefined, p),
      update: (o, p) => podChanged(o, p),
      delete: (p) => podChanged(p, undefined),
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.nodes.start(), this.pods.start()]);
    for (const node of this.nodes.list()) this.handleNode(node.metadata.name!);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.work.values()) clearTimeout(w.timer);
    this.work.clear();
    this.pods.stop();
    this.nodes.stop();
  }

  /** Evictions waiting to happen (for tests and diagnostics): pod key → when. */
  scheduled(): Map<string, number | undefined> {
    return new Map([...this.work].filter(([, w]) => !w.done).map(([k]) => [k, this.fireAt.get(k)]));
  }

  private cancel(key: string): void {
    const w = this.work.get(key);
    if (!w) return;
    clearTimeout(w.timer);
    this.work.delete(key);
    this.fireAt.delete(key);
    if (!w.done) {
      const [namespace, name] = key.split('/');
      void this.recorder.record(
        { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace } },
        'Normal',
        'TaintManagerEviction',
        `Cancelling deletion of Pod ${key}`,
      );
    }
  }

  private schedule(key: string, createdAt: number, fireAt: number): void {
    if (this.work.has(key) || this.stopped) return;
    const w: Work = { createdAt, timer: undefined, done: false };
    this.work.set(key, w);
    this.fireAt.set(key, fireAt);
    const arm = () => {
      // Timers overflow past 2^31-1 ms: long tolerations wait in steps.
      const wait = fireAt - this.now();
      w.timer = setTimeout(
        () => void (wait > maxTimerMs ? arm() : this.evict(key, w)),
        Math.min(Math.max(0, wait), maxTimerMs),
      );
      w.timer.unref();
    };
    arm();
  }

  private handleNode(name: string): void {
    const node = this.nodes.get(name);
    const taints = noExecute(node);
    if (taints.length === 0) this.tainted.delete(name);
    else this.tainted.set(name, taints);
    const pods = onNode(this.pods, name);
    const now = this.now();
    for (const pod of pods) {
      if (taints.length === 0) this.cancel(objectKeyOf(pod));
      else this.processPod(pod, taints, now);
    }
  }

  private handlePod(pod: KubeObject, deleted: boolean): void {
    const key = objectKeyOf(pod);
    if (deleted) {
      this.cancel(key);
      return;
    }
    const name = podNode(pod);
    const taints = name ? this.tainted.get(name) : undefined;
    if (!taints) return;
    this.processPod(pod, taints, this.now());
  }

  /** upstream's processPodOnNode. */
  private processPod(pod: KubeObject, taints: Taint[], now: number): void {
    const key = objectKeyOf(pod);
    const { all, used } = matchingTolerations(taints, tolerationsOf(pod));
    if (!all) {
      this.cancel(key);
      this.schedule(key, now, now);
      return;
    }
    const min = minTolerationMs(used);
    if (min < 0) {
      this.cancel(key);
      return;
    }
    const existing = this.work.get(key);
    if (existing) {
      if (existing.createdAt + min < now + min) return;
      this.cancel(key);
    }
    this.schedule(key, existing?.createdAt ?? now, (existing?.createdAt ?? now) + min);
  }

  /** upstream's addConditionAndDeletePod: DisruptionTarget, then a normal delete. */
  private async evict(key: string, w: Work): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    await this.recorder.record(
      { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace } },
      'Normal',
      'TaintManagerEviction',
      `Marking for deletion Pod ${key}`,
    );
    const pods = this.registry.byResource('', 'pods')!;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const pod = await pods.get(namespace, name);
        await updatePodStatus(this.registry, pod, (status) =>
          updatePodCondition(status, {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'DeletionByTaintManager',
            message: 'Taint manager: deleting due to NoExecute taint',
          }),
        );
        await pods.delete(namespace, name, { preconditions: { uid: pod.metadata.uid! } });
        this.log.info({ pod: key }, 'deleted a pod for a NoExecute taint');
        w.done = true;
        this.fireAt.delete(key);
        return;
      } catch (err) {
        if (isStatusError(err) && err.code === 404) {
          w.done = true;
          return;
        }
        this.log.debug({ err, pod: key }, 'eviction failed, retrying');
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    // Give up for now; a later node or pod change schedules it again.
    this.work.delete(key);
    this.fireAt.delete(key);
  }
}
