/**
 * kube-scheduler in process (upstream's scheduler.go and schedule_one.go): informers fill the
 * cache and queue; one loop takes the next pod, finds it a node, assumes it there and binds
 * it in the background; a pod that fits nowhere gets PostFilter (preemption), a
 * FailedScheduling event and PodScheduled=False, and waits in the queue.
 */
import type { Logger } from 'pino';
import { isObject, type KubeObject } from '../api/object.ts';
import { type InformerHandle, sharedInformers } from '../client/shared.ts';
import { EventRecorder } from '../controllers/events.ts';
import type { Registry } from '../registry/registry.ts';
import { SchedulerCache } from './cache.ts';
import { ClusterClient, truncateMessage } from './cluster.ts';
import { nodeEventHandlers, podEventHandlers } from './event-handlers.ts';
import { CycleState, Status } from './framework.ts';
import { PodInfo } from './pod-info.ts';
import { type QueuedPodInfo, type QueueOptions, SchedulingQueue } from './queue.ts';
import { defaultProfile, type Profile } from './registry.ts';
import { Framework } from './runtime.ts';
import { FitError, GenericScheduler, NoNodesAvailableError } from './schedule-one.ts';

export interface SchedulerOptions {
  readonly profile?: Profile;
  readonly queue?: QueueOptions;
  /** How long an assumed pod whose binding finished may stay unconfirmed (default 15 min). */
  readonly assumedTTLMs?: number;
  readonly random?: () => number;
}

export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly framework: Framework;
  private readonly algorithm: GenericScheduler;
  private readonly client: ClusterClient;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly profile: Profile;
  private readonly pods: InformerHandle;
  private readonly nodes: InformerHandle;
  private readonly namespaces: InformerHandle;
  private readonly priorityClasses: InformerHandle | undefined;
  private readonly pdbs: InformerHandle | undefined;
  private readonly bindings = new Set<Promise<void>>();
  private cleanup: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(registry: Registry, log: Logger, options: SchedulerOptions = {}) {
    this.profile = options.profile ?? defaultProfile;
    this.log = log.child({ component: 'scheduler' });
    this.recorder = new EventRecorder(registry, this.profile.schedulerName, this.log);
    const informer = (group: string, plural: string) => {
      const store = registry.byResource(group, plural);
      return store ? sharedInformers(registry).forStore(store) : undefined;
    };
    this.pods = informer('', 'pods')!;
    this.nodes = informer('', 'nodes')!;
    this.namespaces = informer('', 'namespaces')!;
    this.priorityClasses = informer('scheduling.k8s.io', 'priorityclasses');
    this.pdbs = informer('policy', 'poddisruptionbudgets');
    this.cache = new SchedulerCache({ assumedTTLMs: options.assumedTTLMs });
    this.client = new ClusterClient(registry, this.recorder, this.profile.schedulerName, this.log, () =>
      this.pdbs ? this.pdbs.list() : [],
    );
    const queueRef: { queue?: SchedulingQueue } = {};
    this.framework = new Framework(this.profile, {
      snapshot: this.cache,
      namespaceLabels: (ns) => this.namespaces.get(ns)?.metadata.labels,
      cluster: this.client,
      nominatedPodsForNode: (node) => queueRef.queue?.nominator.nominatedPodsForNode(node) ?? [],
    });
    this.queue = new SchedulingQueue({ pluginEvents: this.framework.eventsByPlugin(), ...options.queue });
    queueRef.queue = this.queue;
    this.algorithm = new GenericScheduler(this.framework, options.random);
  }

  /** The pod with its priority resolved: spec.priority, else its PriorityClass, else the global default. */
  podInfo(pod: KubeObject): PodInfo {
    const spec = isObject(pod.spec) ? pod.spec : {};
    let priority = typeof spec.priority === 'number' ? spec.priority : undefined;
    let policy = '';
    const className = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
    const pc = className
      ? this.priorityClasses?.get(className)
      : priority === undefined
        ? this.priorityClasses?.list().find((c) => c.globalDefault === true)
        : undefined;
    if (pc) {
      priority ??= typeof pc.value === 'number' ? pc.value : 0;
      policy = typeof pc.preemptionPolicy === 'string' ? pc.preemptionPolicy : '';
    }
    return new PodInfo(pod, priority ?? 0, policy);
  }

  responsibleFor(pod: KubeObject): boolean {
    const name = isObject(pod.spec) ? pod.spec.schedulerName : undefined;
    return (
      (typeof name === 'string' && name !== '' ? name : 'default-scheduler') === this.profile.schedulerName
    );
  }

  async start(): Promise<void> {
    await Promise.all([this.namespaces, this.priorityClasses, this.pdbs].map((i) => i?.start()));
    this.nodes.addHandler(nodeEventHandlers(this));
    await this.nodes.start();
    this.pods.addHandler(podEventHandlers(this));
    await this.pods.start();
    this.queue.run();
    this.cleanup = setInterval(() => {
      if (this.cache.cleanupExpiredAssumedPods().length > 0)
        this.queue.moveAllToActiveOrBackoffQueue('AssignedPodDelete');
    }, 1000);
    this.cleanup.unref();
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.cleanup);
    this.queue.close();
    for (const i of [this.pods, this.nodes, this.namespaces, this.priorityClasses, this.pdbs]) i?.stop();
  }

  /** Resolves once the bindings already started have finished (for tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.bindings]);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const next = await this.queue.pop();
      if (!next || this.stopped) return;
      try {
        await this.scheduleOne(next.qpi, next.cycle);
      } catch (err) {
        this.log.error({ err, pod: next.qpi.podInfo.key }, 'scheduling cycle failed');
        this.queue.done(next.qpi.podInfo.key);
      }
    }
  }

  private skipPodSchedule(pi: PodInfo): boolean {
    return pi.pod.metadata.deletionTimestamp !== undefined || this.cache.isAssumed(pi.uid);
  }

  async scheduleOne(qpi: QueuedPodInfo, cycle: number): Promise<void> {
    const pi = qpi.podInfo;
    if (this.skipPodSchedule(pi)) {
      this.queue.done(pi.key);
      return;
    }
    const state = new CycleState();
    let host: string;
    try {
      host = this.algorithm.schedulePod(state, pi).suggestedHost;
    } catch (err) {
      if (err instanceof FitError) {
        qpi.unschedulablePlugins = err.diagnosis.unschedulablePlugins;
        const post = await this.framework
          .runPostFilterPlugins(state, pi, err.diagnosis.nodeToStatus)
          .catch((e: unknown) => ({ nominatedNodeName: undefined, status: Status.error(e) }));
        err.diagnosis.postFilterMsg = post.status.message();
        await this.handleSchedulingFailure(qpi, cycle, err.message, 'Unschedulable', post.nominatedNodeName);
      } else if (err instanceof NoNodesAvailableError) {
        qpi.unschedulablePlugins = new Set();
        await this.handleSchedulingFailure(qpi, cycle, err.message, 'Unschedulable', '');
      } else {
        qpi.unschedulablePlugins = new Set();
        this.log.error({ err, pod: pi.key }, 'error selecting node for pod');
        await this.handleSchedulingFailure(qpi, cycle, (err as Error).message, 'SchedulerError', undefined);
      }
      return;
    }
    const assumed = this.podInfo({ ...pi.pod, spec: { ...pi.spec, nodeName: host } });
    this.cache.assumePod(assumed);
    this.queue.nominator.delete(pi.uid);
    const binding = this.bindingCycle(qpi, assumed, host, cycle).finally(() => this.bindings.delete(binding));
    this.bindings.add(binding);
  }

  private async bindingCycle(
    qpi: QueuedPodInfo,
    assumed: PodInfo,
    host: string,
    cycle: number,
  ): Promise<void> {
    try {
      await this.client.bind(assumed, host);
      this.cache.finishBinding(assumed);
      this.queue.done(assumed.key);
    } catch (err) {
      this.cache.forgetPod(assumed);
      this.queue.moveAllToActiveOrBackoffQueue('AssignedPodDelete');
      qpi.unschedulablePlugins = new Set();
      const message = `binding rejected: ${(err as Error).message}`;
      await this.handleSchedulingFailure(qpi, cycle, message, 'SchedulerError', '');
    }
  }

  /**
   * Requeues the pod (its latest version) unless it is gone or bound, records
   * FailedScheduling and writes PodScheduled=False (and the nomination, when decided).
   */
  private async handleSchedulingFailure(
    qpi: QueuedPodInfo,
    cycle: number,
    message: string,
    reason: 'Unschedulable' | 'SchedulerError',
    nominated: string | undefined,
  ): Promise<void> {
    const pi = qpi.podInfo;
    const cached = this.pods.get(pi.key);
    const cachedSpec = cached && isObject(cached.spec) ? cached.spec : {};
    if (!cached || cached.metadata.uid !== pi.uid || (cachedSpec.nodeName ?? '') !== '') {
      this.queue.done(pi.key);
      return;
    }
    qpi.podInfo = this.podInfo(cached);
    this.queue.addUnschedulableIfNotPresent(qpi, cycle);
    this.queue.nominator.add(qpi.podInfo, nominated);
    this.log.debug({ pod: pi.key, reason, message }, 'unable to schedule pod');
    await this.recorder.record(pi.pod, 'Warning', 'FailedScheduling', truncateMessage(message));
    await this.client
      .updatePod(pi, { type: 'PodScheduled', status: 'False', reason, message }, nominated)
      .catch((err) => this.log.warn({ err, pod: pi.key }, 'could not update pod condition'));
  }
}
